"""Every inline keyboard and callback-data format, in one place.

Callback data is ``<prefix>:<args>`` with short prefixes (Telegram allows 64 bytes). Handlers are
routed by the prefix pattern; the ``parse_*`` functions turn data back into typed arguments
through :mod:`bot.parsing` (ids within the database's range, ASCII digits only) and return None
for anything malformed, so a forged or stale button gets a clear answer instead of a crash.
"""

from __future__ import annotations

import re
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t, tn
from bot.parsing import ascii_number, parse_db_id, parse_page
from bot.render import LIST_PAGE_SIZE, shorten

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
SHARE = "sh"  # sh:<case_id>   (📣 Share: deep link, share button, QR for coordinators)
CALENDAR = "ic"  # ic:<event_id>   (🗓 Add to calendar: the hearing as an .ics file)
READ_MORE = "cm"  # cm:<case_id>   (the card with its whole summary)
UNDO_UNSUBSCRIBE = "uz"  # uz:<case_id>   (↩️ Undo after an alert's Unsubscribe)
ALERT_UNSUBSCRIBE = "au"  # au:<case_id>   (🔕 Unsubscribe under an alert: the alert stays)

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


def parse_event_id(callback_data: str | None, prefix: str) -> int | None:
    """The event id of ``prefix:<event_id>`` (ic), or None."""
    return parse_db_id(_argument(callback_data, prefix))


def parse_case_page(callback_data: str | None) -> int | None:
    """The page of ``cl:<page>``, or None."""
    return parse_page(_argument(callback_data, CASE_LIST))


def parse_forget(callback_data: str | None) -> bool | None:
    """``fg:yes`` → True, ``fg:no`` → False, anything else None."""
    return {FORGET_YES: True, FORGET_NO: False}.get(_argument(callback_data, FORGET) or "")


def is_alert(message: object) -> bool:
    """Whether ``message`` is an alert (it carries an alert's own Unsubscribe button): a button
    pressed there answers in a new message, so the alert stays readable in the chat."""
    markup = getattr(message, "reply_markup", None)
    rows = getattr(markup, "inline_keyboard", None) or ()
    return any((getattr(key, "callback_data", None) or "").partition(":")[0] == ALERT_UNSUBSCRIBE
               for row in rows for key in row)


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


@lru_cache(maxsize=4096)  # the same few keyboards for everyone (PTB's objects are immutable)
def case_card_keyboard(case_id: int, *, subscribed: bool, is_open: bool, lang: str = "en",
                       deadline_passed: bool = False, read_more: bool = False,
                       hearing_id: int | None = None) -> InlineKeyboardMarkup:
    follow = (button(t("🔕 Unsubscribe", lang), UNSUBSCRIBE, case_id) if subscribed
              else button(t("🔔 Subscribe", lang), SUBSCRIBE, case_id))
    rows = [[button(t("📖 Read more", lang), READ_MORE, case_id)]] if read_more else []
    rows.append([follow, button(t("📣 Share", lang), SHARE, case_id)])
    if is_open:
        write = (t("⌛ The appeal's deadline has passed — write anyway?", lang) if deadline_passed
                 else t("✍️ Write a letter", lang))
        rows.append([button(write, WRITE, case_id)])
    if hearing_id is not None:
        rows.append([calendar_button(hearing_id, lang)])
    rows.append([button(t("🗓 Timeline", lang), TIMELINE, case_id),
                 button(t("📚 Sources", lang), SOURCES, case_id)])
    rows.append([reply_button(case_id, lang)])  # for people who wrote before
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


def calendar_button(event_id: int, lang: str = "en") -> InlineKeyboardButton:
    return button(t("🗓 Add to calendar", lang), CALENDAR, event_id)


def alert_keyboard(case_id: int, case_open: bool, lang: str = "en",
                   hearing_id: int | None = None, *, attendance: bool = False,
                   attending: str | None = None) -> InlineKeyboardMarkup:
    """Under every alert: the case, its own way out, for an open case a way to act, for a
    hearing [Add to calendar], and under a hearing's reminder (``attendance``) [I'll attend] /
    [I'll follow online] (``attending``: the answer given)."""
    rows = []
    if hearing_id is not None:
        if attendance:
            rows.append(attendance_row(hearing_id, attending, lang))
        rows.append([calendar_button(hearing_id, lang)])
    if case_open:
        rows.append([button(t("✍️ Write a letter", lang), WRITE, case_id)])
    rows.append([button(t("📂 Open case", lang), CASE_CARD, case_id),
                 button(t("🔕 Unsubscribe", lang), ALERT_UNSUBSCRIBE, case_id)])
    return InlineKeyboardMarkup(rows)


def open_case_keyboard(case_id: int, lang: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("📂 Open case", lang), CASE_CARD, case_id)]])


def undo_unsubscribe_keyboard(case_id: int, lang: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("↩️ Undo", lang), UNDO_UNSUBSCRIBE, case_id),
                                  button(t("📂 Open case", lang), CASE_CARD, case_id)]])


def share_keyboard(case_id: int, share_url: str, lang: str = "en") -> InlineKeyboardMarkup:
    """[Share in Telegram] (Telegram's chat picker, link filled in) and back to the case."""
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t("📣 Share in Telegram", lang), url=share_url)],
        [button(t("⬅️ Back to the case", lang), CASE_CARD, case_id)]])


def follow_link_keyboard(link: str, lang: str = "en") -> InlineKeyboardMarkup:
    """Under a card shared through inline mode: the deep link (the bot is not in that chat)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("🔔 Follow this case", lang),
                                                       url=link)]])


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


# ------------------------------------------------------------------ After an alert went out
# Under a final report: al:<alert id>:fix | :stats | :retry. Under a correction's preview:
# cx:<draft id>:send | cx:<draft id>:cancel.
ALERT_ACTIONS = "al"
ALERT_FIX, ALERT_STATS, ALERT_RETRY = "fix", "stats", "retry"
CORRECTION = "cx"


def report_keyboard(alert_id: int, *, correctable: bool, retryable: int,
                    lang: str = "en") -> InlineKeyboardMarkup:
    row = [button(t("📊 Stats", lang), ALERT_ACTIONS, alert_id, ALERT_STATS)]
    if correctable:
        row.insert(0, button(t("✏️ Correct", lang), ALERT_ACTIONS, alert_id, ALERT_FIX))
    rows = [row]
    if retryable:
        rows.append([button(tn("🔁 Retry {count} failed", "🔁 Retry {count} failed", retryable,
                               lang), ALERT_ACTIONS, alert_id, ALERT_RETRY)])
    return InlineKeyboardMarkup(rows)


def retry_keyboard(alerts: list[tuple[int, int]], lang: str = "en") -> InlineKeyboardMarkup | None:
    """/stats: one [🔁 Retry N failed · #id] per (alert id, retryable) given."""
    rows = [[button(tn("🔁 Retry {count} failed", "🔁 Retry {count} failed", n, lang)
                    + f" · #{alert_id}", ALERT_ACTIONS, alert_id, ALERT_RETRY)]
            for alert_id, n in alerts if n]
    return InlineKeyboardMarkup(rows) if rows else None


def correction_keyboard(draft_id: int, copies: int, lang: str = "en") -> InlineKeyboardMarkup:
    send = tn("✏️ Edit {count} copy", "✏️ Edit {count} copies", copies, lang)
    return InlineKeyboardMarkup([[button(send, CORRECTION, draft_id, BROADCAST_SEND),
                                  button(t("✖️ Cancel", lang), CORRECTION, draft_id,
                                         BROADCAST_CANCEL)]])


def _id_and_action(callback_data: str | None, prefix: str,
                   actions: set[str]) -> tuple[int, str] | None:
    head, separator, action = (_argument(callback_data, prefix) or "").partition(":")
    number = parse_db_id(head)
    return (number, action) if number is not None and separator and action in actions else None


def parse_alert_action(callback_data: str | None) -> tuple[int, str] | None:
    """(alert id, ALERT_FIX | ALERT_STATS | ALERT_RETRY) of ``al:<id>:<action>``, or None."""
    return _id_and_action(callback_data, ALERT_ACTIONS, {ALERT_FIX, ALERT_STATS, ALERT_RETRY})


def parse_correction(callback_data: str | None) -> tuple[int, str] | None:
    """(draft id, BROADCAST_SEND | BROADCAST_CANCEL) of ``cx:<id>:<action>``, or None."""
    return _id_and_action(callback_data, CORRECTION, {BROADCAST_SEND, BROADCAST_CANCEL})


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


# ------------------------------------------------------------------ Coordinators' walks etc.
# A preview's copy of the alert buttons: pv (pressing one says "this is a preview").
PREVIEW = "pv"
# A version of a preview's typed text in another language: bv:<broadcast id>:<language>.
BROADCAST_VERSION = "bv"
# A step of a command walked through with buttons: wk:<nonce>:c:<case id> (a case),
# wk:<nonce>:h:<event id> (a hearing), wk:<nonce>:p:<page> (another page), wk:<nonce>:x (stop).
WALK = "wk"
_WALK_RE = re.compile(r"^wk:([A-Za-z0-9_-]{8}):(?:([chp]):(\d{1,10})|(x))$", re.ASCII)


def preview_keyboard(alert: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    """The alert's buttons as subscribers will see them, inert: a coordinator pressing one in
    the preview is told it is a preview, and the preview stays."""
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(key.text, callback_data=PREVIEW) if key.callback_data else key
         for key in row] for row in alert.inline_keyboard])


def version_buttons(broadcast_id: int, languages: list[tuple[str, str]]) -> list[list]:
    """[Add a Russian version] … for each (code, label) not given yet."""
    return [[button(label, BROADCAST_VERSION, broadcast_id, code)] for code, label in languages]


def parse_broadcast_version(callback_data: str | None) -> tuple[int, str] | None:
    draft, separator, code = (_argument(callback_data, BROADCAST_VERSION) or "").partition(":")
    broadcast_id = parse_db_id(draft)
    if broadcast_id is None or not separator or not re.fullmatch(r"[a-z]{2,3}", code):
        return None
    return broadcast_id, code


def walk_keyboard(nonce: str, kind: str, items: list[tuple[int, str]], page: int, pages: int,
                  lang: str = "en") -> InlineKeyboardMarkup:
    """One button per case (kind ``c``) or hearing (``h``), pages, and [Stop]."""
    rows = [[button(shorten(label, 60), WALK, nonce, kind, item_id)] for item_id, label in items]
    nav = []
    if page > 0:
        nav.append(button(t("◀️ Previous", lang), WALK, nonce, "p", page - 1))
    if page + 1 < pages:
        nav.append(button(t("Next ▶️", lang), WALK, nonce, "p", page + 1))
    if nav:
        rows.append(nav)
    rows.append([button(t("✖️ Stop", lang), WALK, nonce, "x")])
    return InlineKeyboardMarkup(rows)


def stop_keyboard(nonce: str, lang: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("✖️ Stop", lang), WALK, nonce, "x")]])


def parse_walk(callback_data: str | None) -> tuple[str, str, int | None] | None:
    """(nonce, action c|h|p|x, its number) of walk button data, or None."""
    match = _WALK_RE.fullmatch(callback_data or "")
    if match is None:
        return None
    nonce, action, number, stop = match.groups()
    if stop:
        return nonce, "x", None
    value = parse_db_id(number) if action != "p" else parse_page(number)
    return None if value is None else (nonce, action, value)


def case_choice_keyboard(choices: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """"Did you mean": one button per suggested case, opening its card."""
    return InlineKeyboardMarkup([[button(shorten(label, 60), CASE_CARD, case_id)]
                                 for case_id, label in choices])
# ------------------------------------------------------------------------------- Attendance
# Under a hearing's reminder: at:<event_id>:a (I'll attend) | at:<event_id>:o (follow online).
ATTENDANCE = "at"
ATTEND, ONLINE = "a", "o"


def attendance_row(event_id: int, attending: str | None,
                   lang: str = "en") -> list[InlineKeyboardButton]:
    def mark(mode: str, text: str) -> str:
        return ("✅ " if attending == mode else "") + text
    return [button(mark(ATTEND, t("🙋 I'll attend", lang)), ATTENDANCE, event_id, ATTEND),
            button(mark(ONLINE, t("💻 I'll follow online", lang)), ATTENDANCE, event_id,
                   ONLINE)]


def parse_attendance(callback_data: str | None) -> tuple[int, str] | None:
    """(event id, ATTEND | ONLINE) of ``at:<event_id>:<mode>``, or None."""
    event_part, _, mode = (_argument(callback_data, ATTENDANCE) or "").partition(":")
    event_id = parse_db_id(event_part)
    return None if event_id is None or mode not in (ATTEND, ONLINE) else (event_id, mode)


# ------------------------------------------------------------------------- Authority replies
# [📬 I got a reply]: rp:<case_id>; its consent question: rp:<case_id>:y | rp:<case_id>:n.
# A coordinator's /replies pages: rl:<case_id>:<page>.
REPLY = "rp"
REPLY_YES, REPLY_NO = "y", "n"
REPLY_LIST = "rl"


def reply_button(case_id: int, lang: str = "en") -> InlineKeyboardButton:
    return button(t("📬 I got a reply", lang), REPLY, case_id)


def parse_reply(callback_data: str | None) -> tuple[int, str | None] | None:
    """(case id, None | REPLY_YES | REPLY_NO) of ``rp:<case_id>[:y|n]``, or None."""
    case_part, separator, answer = (_argument(callback_data, REPLY) or "").partition(":")
    case_id = parse_db_id(case_part)
    if case_id is None or (separator and answer not in (REPLY_YES, REPLY_NO)):
        return None
    return case_id, answer or None


def reply_consent_keyboard(case_id: int, lang: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("✅ Agree, I'll send it", lang), REPLY, case_id,
                                         REPLY_YES),
                                  button(t("✖️ Cancel", lang), REPLY, case_id, REPLY_NO)]])


def reply_wait_keyboard(case_id: int, lang: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("✖️ Cancel", lang), REPLY, case_id, REPLY_NO)]])


def replies_keyboard(case_id: int, page: int, pages: int,
                     lang: str = "en") -> InlineKeyboardMarkup | None:
    nav = []
    if page > 0:
        nav.append(button(t("◀️ Previous", lang), REPLY_LIST, case_id, page - 1))
    if page + 1 < pages:
        nav.append(button(t("Next ▶️", lang), REPLY_LIST, case_id, page + 1))
    return InlineKeyboardMarkup([nav]) if nav else None


def parse_replies_page(callback_data: str | None) -> tuple[int, int] | None:
    """(case id, page) of ``rl:<case_id>:<page>``, or None."""
    case_part, _, page_part = (_argument(callback_data, REPLY_LIST) or "").partition(":")
    case_id, page = parse_db_id(case_part), parse_page(page_part)
    return None if case_id is None or page is None else (case_id, page)
