"""Every inline keyboard and callback-data format, in one place.

Callback data is ``<prefix>:<args>`` with short prefixes (Telegram allows 64 bytes). Handlers are
routed by the prefix pattern; ``parse`` turns data back into typed arguments and returns None for
anything malformed, so a forged or stale button gets a clear answer instead of a crash.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t

# Prefixes (one per action) — handlers register with pattern=PATTERN[prefix].
CASE_LIST = "cl"  # cl:<page>
CASE_CARD = "cc"  # cc:<case_id>
SUBSCRIBE = "cs"  # cs:<case_id>
UNSUBSCRIBE = "cu"  # cu:<case_id>
TIMELINE = "ct"  # ct:<case_id>
SOURCES = "cr"  # cr:<case_id>
MY_CASES = "my"  # my
FORGET = "fg"  # fg:yes | fg:no
WRITE = "wr"  # wr:<case_id>   (letter wizard entry from a card)

PAGE_SIZE = 8


def data(prefix: str, *args: object) -> str:
    text = ":".join([prefix, *(str(arg) for arg in args)])
    assert len(text.encode()) <= 64, text
    return text


def pattern(prefix: str) -> str:
    return rf"^{re.escape(prefix)}(:|$)"


def parse_int_arg(callback_data: str | None, prefix: str) -> int | None:
    """The single integer argument of ``prefix:<n>``, or None if the data is not that shape."""
    if not callback_data:
        return None
    match = re.fullmatch(rf"{re.escape(prefix)}:(\d{{1,9}})", callback_data)
    return int(match.group(1)) if match else None


def button(text: str, prefix: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data(prefix, *args))


def browse_keyboard(lang: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("📂 Browse cases", lang), CASE_LIST, 0)]])


def case_list_keyboard(cases: list[tuple[int, str, bool]], page: int, pages: int,
                       lang: str = "en") -> InlineKeyboardMarkup:
    """cases: (id, title, is_open) for this page."""
    rows = [[button(("" if is_open else "🔒 ") + title, CASE_CARD, case_id)]
            for case_id, title, is_open in cases]
    nav = []
    if page > 0:
        nav.append(button(t("◀️ Previous", lang), CASE_LIST, page - 1))
    if page + 1 < pages:
        nav.append(button(t("Next ▶️", lang), CASE_LIST, page + 1))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def case_card_keyboard(case_id: int, *, subscribed: bool, is_open: bool,
                       lang: str = "en") -> InlineKeyboardMarkup:
    follow = (button(t("🔕 Unsubscribe", lang), UNSUBSCRIBE, case_id) if subscribed
              else button(t("🔔 Subscribe", lang), SUBSCRIBE, case_id))
    rows = [[follow]]
    if is_open:
        rows.append([button(t("✍️ Write a letter", lang), WRITE, case_id)])
    rows.append([button(t("🗓 Timeline", lang), TIMELINE, case_id),
                 button(t("📚 Sources", lang), SOURCES, case_id)])
    rows.append([button(t("⬅️ All cases", lang), CASE_LIST, 0)])
    return InlineKeyboardMarkup(rows)


def back_to_card_keyboard(case_id: int, lang: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("⬅️ Back to the case", lang), CASE_CARD, case_id)]])


def my_cases_keyboard(cases: list[tuple[int, str]], lang: str = "en") -> InlineKeyboardMarkup:
    rows = [[button(title, CASE_CARD, case_id),
             button(t("🔕 Unsubscribe", lang), UNSUBSCRIBE, case_id)]
            for case_id, title in cases]
    rows.append([button(t("📂 Browse cases", lang), CASE_LIST, 0)])
    return InlineKeyboardMarkup(rows)


def forget_keyboard(lang: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("🗑 Yes, delete my data", lang), FORGET, "yes"),
                                  button(t("Keep it", lang), FORGET, "no")]])
