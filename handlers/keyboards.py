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
LANGUAGE = "lg"  # lg:<language code>   (/language)

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


def language_keyboard(languages: dict[str, str]) -> InlineKeyboardMarkup:
    """One button per interface language (code → its name in that language)."""
    return InlineKeyboardMarkup([[button(name, LANGUAGE, code)
                                  for code, name in languages.items()]])


def parse_language(callback_data: str | None, known: tuple[str, ...]) -> str | None:
    """The language code of ``lg:<code>`` if it is one of ``known``, else None."""
    prefix, _, code = (callback_data or "").partition(":")
    return code if prefix == LANGUAGE and code in known else None


def forget_keyboard(lang: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("🗑 Yes, delete my data", lang), FORGET, "yes"),
                                  button(t("Keep it", lang), FORGET, "no")]])


# --------------------------------------------------------------------------- # Letter wizard
# Callback data: "lw:<nonce>:<action>[:<arg>]" (at most 3 + 8 + 3 + 48 = 62 bytes). The nonce
# ties a button to one state of one wizard run (storage/wizard.py); the actions are the one-letter
# codes of bot/wizard.py; the argument is a case id, an authority key, a language, a channel or a
# page. parse_wizard_data returns None for anything not of that shape.
from bot import wizard as wz  # (imported here: this section is the wizard's)

LETTER_WIZARD = "lw"

_WIZARD_DATA = re.compile(
    rf"{LETTER_WIZARD}:([A-Za-z0-9_-]{{4,16}}):([a-z])(?::([A-Za-z0-9_-]{{1,48}}))?")


def wizard_data(nonce: str, action: str, arg: object | None = None) -> str:
    return data(LETTER_WIZARD, nonce, action) if arg is None else data(
        LETTER_WIZARD, nonce, action, arg)


def parse_wizard_data(callback_data: str | None) -> wz.Press | None:
    """The wizard Press (nonce, action, arg or None) in callback data; None if malformed."""
    if not callback_data:
        return None
    match = _WIZARD_DATA.fullmatch(callback_data)
    if match is None or match.group(2) not in wz.ACTIONS:
        return None
    return wz.Press(nonce=match.group(1), action=match.group(2), arg=match.group(3))


def wizard_button(text: str, nonce: str, action: str,
                  arg: object | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=wizard_data(nonce, action, arg))


def _wizard_nav(nonce: str, lang: str, *, back: bool = True) -> list[InlineKeyboardButton]:
    row = [wizard_button(t("⬅️ Back", lang), nonce, wz.BACK)] if back else []
    return row + [wizard_button(t("✖️ Cancel", lang), nonce, wz.CANCEL)]


def wizard_case_keyboard(nonce: str, cases: list[tuple[int, str]], page: int, pages: int,
                         lang: str = "en") -> InlineKeyboardMarkup:
    """Step 1: the open cases (id, title) on this page."""
    rows = [[wizard_button(title, nonce, wz.PICK_CASE, case_id)] for case_id, title in cases]
    nav = []
    if page > 0:
        nav.append(wizard_button(t("◀️ Previous", lang), nonce, wz.PAGE, page - 1))
    if page + 1 < pages:
        nav.append(wizard_button(t("Next ▶️", lang), nonce, wz.PAGE, page + 1))
    if nav:
        rows.append(nav)
    rows.append(_wizard_nav(nonce, lang, back=False))
    return InlineKeyboardMarkup(rows)


def wizard_addressee_keyboard(nonce: str, addressees: list[tuple[str, str]],
                              lang: str = "en") -> InlineKeyboardMarkup:
    """Step 2: one button per addressee (key, label)."""
    rows = [[wizard_button(label, nonce, wz.PICK_ADDRESSEE, key)] for key, label in addressees]
    rows.append(_wizard_nav(nonce, lang))
    return InlineKeyboardMarkup(rows)


def wizard_language_keyboard(nonce: str, languages: dict[str, str],
                             lang: str = "en") -> InlineKeyboardMarkup:
    """Step 3: the letter's language (code → its own name)."""
    row = [wizard_button(name, nonce, wz.PICK_LANGUAGE, code) for code, name in languages.items()]
    return InlineKeyboardMarkup([row, _wizard_nav(nonce, lang)])


def wizard_signature_keyboard(nonce: str, lang: str = "en") -> InlineKeyboardMarkup:
    """Step 4: type a signature, or sign anonymously."""
    anonymous = wizard_button(t("🕶 Sign anonymously", lang), nonce, wz.ANONYMOUS)
    return InlineKeyboardMarkup([[anonymous], _wizard_nav(nonce, lang)])


def wizard_channels_keyboard(nonce: str, channels: list[tuple[str, str]],
                             lang: str = "en") -> InlineKeyboardMarkup:
    """Step 5: one button per way of sending (channel, label)."""
    rows = [[wizard_button(label, nonce, wz.CHANNEL, channel) for channel, label in channels]]
    rows.append(_wizard_nav(nonce, lang))
    return InlineKeyboardMarkup(rows)


def wizard_help_keyboard(nonce: str, channel: str, *, url: str | None = None,
                         lang: str = "en") -> InlineKeyboardMarkup:
    """Step 6: [open the web form], [I sent it], and back to the ways of sending."""
    rows = []
    if url:
        rows.append([InlineKeyboardButton(t("🌐 Open the web form", lang), url=url)])
    rows.append([wizard_button(t("✅ I sent it", lang), nonce, wz.SENT_IT, channel)])
    rows.append([wizard_button(t("⬅️ Back", lang), nonce, wz.CHANNEL),
                 wizard_button(t("✖️ Cancel", lang), nonce, wz.CANCEL)])
    return InlineKeyboardMarkup(rows)


def wizard_sent_keyboard(nonce: str, case_id: int, addressees: list[tuple[str, str]],
                         lang: str = "en") -> InlineKeyboardMarkup:
    """Step 7: write to the next addressee (key, label), back to the case, or done."""
    rows = [[wizard_button(label, nonce, wz.PICK_ADDRESSEE, key)] for key, label in addressees]
    rows.append([button(t("⬅️ Back to the case", lang), CASE_CARD, case_id),
                 wizard_button(t("✅ Done", lang), nonce, wz.CANCEL)])
    return InlineKeyboardMarkup(rows)


def alert_keyboard(case_id: int, case_open: bool, lang: str = "en") -> InlineKeyboardMarkup:
    """Under every alert: its own way out, and for an open case a way to act."""
    rows = []
    if case_open:
        rows.append([button(t("✍️ Write a letter", lang), WRITE, case_id)])
    rows.append([button(t("🔕 Unsubscribe", lang), UNSUBSCRIBE, case_id)])
    return InlineKeyboardMarkup(rows)


# ------------------------------------------------------------------------------ Broadcasts
# [Send] / [Cancel] under a coordinator's preview: bc:<broadcast id>:send | bc:<id>:cancel
BROADCAST = "bc"
_BROADCAST_RE = re.compile(r"^bc:(\d{1,18}):(send|cancel)$")


def broadcast_keyboard(broadcast_id: int, audience: int, lang: str = "en") -> InlineKeyboardMarkup:
    send = (t("📤 Send to {n}", lang, n=audience) if audience
            else t("📤 Send (timeline only)", lang))
    return InlineKeyboardMarkup([[button(send, BROADCAST, broadcast_id, "send"),
                                  button(t("✖️ Cancel", lang), BROADCAST, broadcast_id, "cancel")]])


def parse_broadcast(data: str | None) -> tuple[int, str] | None:
    match = _BROADCAST_RE.fullmatch(data or "")
    return (int(match.group(1)), match.group(2)) if match else None
