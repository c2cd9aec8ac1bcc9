"""Every inline keyboard and callback-data format, in one place.

Callback data is ``<prefix>:<args>`` with short prefixes (Telegram allows 64 bytes). Handlers are
routed by the prefix pattern; the ``parse_*`` functions turn data back into typed arguments
through :mod:`bot.parsing` (ids within the database's range, ASCII digits only) and return None
for anything malformed, so a forged or stale button gets a clear answer instead of a crash.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.parsing import ascii_number, parse_db_id, parse_page
from bot.render import LIST_PAGE_SIZE

# Prefixes (one per action) — handlers register with pattern=PATTERN[prefix].
CASE_LIST = "cl"  # cl:<page>
CASE_CARD = "cc"  # cc:<case_id>
SUBSCRIBE = "cs"  # cs:<case_id>
UNSUBSCRIBE = "cu"  # cu:<case_id>
TIMELINE = "ct"  # ct:<case_id>
SOURCES = "cr"  # cr:<case_id>
MY_CASES = "my"  # my
FORGET = "fg"  # fg:yes | fg:no
FORGET_YES, FORGET_NO = "yes", "no"
WRITE = "wr"  # wr:<case_id>   (letter wizard entry from a card)
LANGUAGE = "lg"  # lg:<language code>   (/language)
SHARE = "sh"  # sh:<case_id>   (share the case; after a letter)
REPLY = "rp"  # rp:<case_id>   (the authority answered; after a letter)

PAGE_SIZE = LIST_PAGE_SIZE


def data(prefix: str, *args: object) -> str:
    text = ":".join([prefix, *(str(arg) for arg in args)])
    assert len(text.encode()) <= 64, text
    return text


def pattern(prefix: str) -> str:
    return rf"^{re.escape(prefix)}(:|$)"


def _argument(callback_data: str | None, prefix: str) -> str | None:
    """The single argument of ``prefix:<arg>``, or None if the data is not that shape."""
    head, separator, argument = (callback_data or "").partition(":")
    return argument if head == prefix and separator else None


def parse_case_id(callback_data: str | None, prefix: str) -> int | None:
    """The case id of ``prefix:<case_id>`` (cc, cs, cu, ct, cr, wr), or None."""
    return parse_db_id(_argument(callback_data, prefix))


def parse_case_page(callback_data: str | None) -> int | None:
    """The page of ``cl:<page>``, or None."""
    return parse_page(_argument(callback_data, CASE_LIST))


def parse_forget(callback_data: str | None) -> bool | None:
    """``fg:yes`` → True, ``fg:no`` → False, anything else None."""
    return {FORGET_YES: True, FORGET_NO: False}.get(_argument(callback_data, FORGET) or "")


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


def case_card_keyboard(case_id: int, *, subscribed: bool, is_open: bool, lang: str = "en",
                       deadline_passed: bool = False) -> InlineKeyboardMarkup:
    follow = (button(t("🔕 Unsubscribe", lang), UNSUBSCRIBE, case_id) if subscribed
              else button(t("🔔 Subscribe", lang), SUBSCRIBE, case_id))
    rows = [[follow]]
    if is_open:
        write = (t("⌛ The appeal's deadline has passed — write anyway?", lang) if deadline_passed
                 else t("✍️ Write a letter", lang))
        rows.append([button(write, WRITE, case_id)])
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
    return InlineKeyboardMarkup([[button(t("🗑 Yes, delete my data", lang), FORGET, FORGET_YES),
                                  button(t("Keep it", lang), FORGET, FORGET_NO)]])


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
    nonce, action, arg = match.groups()
    # Numeric arguments are checked here, once; a case id beyond the database's range stays a
    # number, which the wizard then finds no case for.
    if action == wz.PAGE and parse_page(arg) is None:
        return None
    if action == wz.PICK_CASE and ascii_number(arg) is None:
        return None
    return wz.Press(nonce=nonce, action=action, arg=arg)


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


def _after_letter_rows(case_id: int, lang: str) -> list[list[InlineKeyboardButton]]:
    return [[button(t("📣 Share the case", lang), SHARE, case_id),
             button(t("📬 I got a reply", lang), REPLY, case_id)],
            [button(t("⬅️ Back to the case", lang), CASE_CARD, case_id)]]


def after_letter_keyboard(case_id: int, lang: str = "en") -> InlineKeyboardMarkup:
    """What stays under the thanks for a letter once the wizard has moved on: share the
    case, report the authority's reply, back to the case (none of them is the wizard's)."""
    return InlineKeyboardMarkup(_after_letter_rows(case_id, lang))


def wizard_sent_keyboard(nonce: str, case_id: int, addressees: list[tuple[str, str]],
                         lang: str = "en", report: str | None = None) -> InlineKeyboardMarkup:
    """Step 7: the report the appeal asks for (its label), write to the next addressee
    (key, label), share the case, I got a reply, back to the case, or done."""
    rows = [[wizard_button(report, nonce, wz.REPORT)]] if report else []
    rows += [[wizard_button(label, nonce, wz.PICK_ADDRESSEE, key)] for key, label in addressees]
    rows += _after_letter_rows(case_id, lang)
    rows[-1].append(wizard_button(t("✅ Done", lang), nonce, wz.CANCEL))
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
BROADCAST_SEND, BROADCAST_CANCEL = "send", "cancel"


def broadcast_keyboard(broadcast_id: int, audience: int, lang: str = "en") -> InlineKeyboardMarkup:
    send = (t("📤 Send to {n}", lang, n=audience) if audience
            else t("📤 Send (timeline only)", lang))
    cancel = button(t("✖️ Cancel", lang), BROADCAST, broadcast_id, BROADCAST_CANCEL)
    return InlineKeyboardMarkup([[button(send, BROADCAST, broadcast_id, BROADCAST_SEND), cancel]])


def parse_broadcast(callback_data: str | None) -> tuple[int, str] | None:
    """(broadcast id, BROADCAST_SEND or BROADCAST_CANCEL) of ``bc:<id>:<action>``, or None."""
    draft, separator, action = (_argument(callback_data, BROADCAST) or "").partition(":")
    broadcast_id = parse_db_id(draft)
    if broadcast_id is None or not separator or action not in {BROADCAST_SEND,
                                                               BROADCAST_CANCEL}:
        return None
    return broadcast_id, action


# ------------------------------------------------------------------------- Stale addresses
# /staleaddresses: sa:p:<page> (another page), sa:v:<page>:<key> (mark the address as still
# current), sa:e:<page>:<key> (how to change it). An authority key is at most 48 bytes.
STALE_ADDRESSES = "sa"
_STALE_RE = re.compile(r"^sa:(?:(p):(\d{1,4})|([ve]):(\d{1,4}):([a-z0-9_-]{1,48}))$", re.ASCII)


def stale_addresses_keyboard(items: list[tuple[int, str, str]], page: int, pages: int,
                             lang: str = "en") -> InlineKeyboardMarkup:
    """items: (number, key, short name) of the addressees on this page."""
    rows = [[button(t("✅ {n}. {name}: still current", lang, n=number, name=name),
                    STALE_ADDRESSES, "v", page, key),
             button(t("✏️ Change", lang), STALE_ADDRESSES, "e", page, key)]
            for number, key, name in items]
    nav = []
    if page > 0:
        nav.append(button(t("◀️ Previous", lang), STALE_ADDRESSES, "p", page - 1))
    if page + 1 < pages:
        nav.append(button(t("Next ▶️", lang), STALE_ADDRESSES, "p", page + 1))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def parse_stale_addresses(callback_data: str | None) -> tuple[str, int, str | None] | None:
    """(action "p" | "v" | "e", page, authority key or None), or None if malformed."""
    match = _STALE_RE.fullmatch(callback_data or "")
    if match is None:
        return None
    if match.group(1):
        return "p", int(match.group(2)), None
    return match.group(3), int(match.group(4)), match.group(5)
