"""The letter wizard: its steps, what each step offers, which presses it accepts, what it says.

No Telegram here: :mod:`bot.wizard_flow` loads the wizard's state and the facts it needs from
the database, asks :func:`decide` what a press means and stores the result; the handlers
(handlers/letters.py) send the texts built below. Everything here is a plain function of its
arguments.

The steps::

    case ─► addressee ─► language ─► signature ─► draft ─► sent ─┐
     (skipped from a case card)              (text or        │   │ next addressee
                                              anonymous)    help └──► signature …

[Back] goes one step back and forgets what that step chose; [Cancel] ends the wizard and
forgets everything, the signature first of all. The signature lives in the wizard's row only
until the letter is done: recording it ([I sent it]) or cancelling clears it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from typing import Protocol

from bot.fitting import fit_html
from bot.fitting import telegram_length as plain_length
from bot.i18n import N_, t
from bot.letters import (
    LANGUAGES,
    Letter,
    SignatureError,
    Signer,
    channel_label,
    clean_signature,
    postal_block,
    reachable_channels,
    split_for_telegram,
)
from bot.parsing import parse_db_id, parse_page
from bot.render import shorten, shorten_html_lines
from bot.wizard_notes import safety_line
from content.schema import Authority, Case, Channel, is_usable_email

# --------------------------------------------------------------------------- steps and actions

CASE = "case"
ADDRESSEE = "addressee"
LANGUAGE = "language"
SIGNATURE = "signature"
DRAFT = "draft"
SENT = "sent"
STEPS = (CASE, ADDRESSEE, LANGUAGE, SIGNATURE, DRAFT, SENT)

# One letter each: they travel in callback data ("lw:<nonce>:<action>[:<arg>]").
PAGE = "p"  # p:<page>           case step: another page of open cases
PICK_CASE = "c"  # c:<case_id>
PICK_ADDRESSEE = "a"  # a:<authority_key>  (also "write to the next one" after a letter)
PICK_LANGUAGE = "l"  # l:<en|ru>
ANONYMOUS = "n"  # n                  sign anonymously
CHANNEL = "h"  # h:<channel>        how to send it that way; bare "h": the list of ways again
SENT_IT = "d"  # d:<channel>        "I sent it"
REPORT = "r"  # r                  after a letter: the report the appeal asks for
BACK = "b"
CANCEL = "x"
ACTIONS = (PAGE, PICK_CASE, PICK_ADDRESSEE, PICK_LANGUAGE, ANONYMOUS, CHANNEL, SENT_IT, REPORT,
           BACK, CANCEL)

ALLOWED: dict[str, frozenset[str]] = {
    CASE: frozenset({PAGE, PICK_CASE, CANCEL}),
    ADDRESSEE: frozenset({PICK_ADDRESSEE, BACK, CANCEL}),
    LANGUAGE: frozenset({PICK_LANGUAGE, BACK, CANCEL}),
    SIGNATURE: frozenset({ANONYMOUS, BACK, CANCEL}),
    DRAFT: frozenset({CHANNEL, SENT_IT, BACK, CANCEL}),
    SENT: frozenset({PICK_ADDRESSEE, REPORT, CANCEL}),
}

# Where [Back] leads, and what going back forgets.
PREVIOUS: dict[str, tuple[str, dict[str, None]]] = {
    ADDRESSEE: (CASE, {"case_id": None, "authority_key": None}),
    LANGUAGE: (ADDRESSEE, {"authority_key": None}),
    SIGNATURE: (LANGUAGE, {"language": None}),
    DRAFT: (SIGNATURE, {"signer_name": None, "signer_city": None}),
}

# A wizard nobody touched for this long is over; its row (and any signature in it) is deleted.
WIZARD_TTL = dt.timedelta(hours=24)

CHANNEL_ORDER: tuple[Channel, ...] = ("email", "fax", "post", "web")


class WizardLike(Protocol):
    step: str
    nonce: str
    case_id: int | None
    authority_key: str | None
    language: str | None
    signer_name: str | None
    signer_city: str | None


@dataclass(frozen=True)
class Snapshot:
    """The wizard's stored state as plain data (what :func:`decide` and the texts read)."""

    chat_id: int
    step: str
    nonce: str
    case_id: int | None = None
    authority_key: str | None = None
    language: str | None = None
    signer_name: str | None = None
    signer_city: str | None = None
    message_id: int | None = None

    @classmethod
    def of(cls, row: object) -> Snapshot:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})

    def moved(self, step: str, nonce: str, changes: Mapping[str, object]) -> Snapshot:
        return replace(self, step=step, nonce=nonce, **changes)


@dataclass(frozen=True)
class Press:
    """A wizard button as its callback data says: which wizard run, what to do, with what."""

    nonce: str
    action: str
    arg: str | None = None


@dataclass(frozen=True)
class AddresseeOption:
    """An addressee of the case a letter can actually reach."""

    authority: Authority
    channels: tuple[Channel, ...]
    written: bool  # this supporter already wrote to them about this case

    @property
    def key(self) -> str:
        return self.authority.key


@dataclass(frozen=True)
class Facts:
    """What :func:`decide` needs to know about the case a press refers to."""

    case_exists: bool = False
    case_open: bool = False
    options: tuple[AddresseeOption, ...] = ()
    reports: bool = False  # the appeal asks supporters to report what they did

    def option(self, key: str | None) -> AddresseeOption | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class Outcome:
    """What a press (or a typed signature) means.

    ``kind``: ``refuse`` (nothing changes; ``reason`` says why, ``ends`` if the wizard is over
    because its case closed or vanished), ``move`` (to ``step``, storing ``changes``),
    ``page`` (another page of cases), ``help`` (how to send by ``channel``), ``menu`` (the
    ways to send again), ``record`` (the letter was sent by ``channel``; then ``step``/
    ``changes``), ``end`` (cancel or done), ``pass`` (a typed text that is not a signature).
    """

    kind: str
    reason: str | None = None
    message: str | None = None  # a refusal explained in the user's words (signature errors)
    values: Mapping[str, object] = field(default_factory=dict)  # the message's {placeholders}
    step: str | None = None
    changes: Mapping[str, object] = field(default_factory=dict)
    channel: str | None = None
    page: int = 0
    ends: bool = False


def _refuse(reason: str, *, ends: bool = False, message: str | None = None,
            values: Mapping[str, object] | None = None) -> Outcome:
    return Outcome("refuse", reason=reason, ends=ends, message=message, values=values or {})


def _move(step: str, **changes: object) -> Outcome:
    return Outcome("move", step=step, changes=changes)


def addressee_options(case: Case, authorities: Iterable[Authority],
                      written: set[str]) -> tuple[AddresseeOption, ...]:
    """The case's addressees in the case's order, leaving out any no letter can reach."""
    by_key = {authority.key: authority for authority in authorities}
    options = []
    for key in case.addressees:
        authority = by_key.get(key)
        if authority is None:
            continue
        channels = tuple(reachable_channels(authority))
        if channels:
            options.append(AddresseeOption(authority, channels, key in written))
    return tuple(options)


def case_id_of(state: WizardLike | None, press: Press) -> int | None:
    """The case a press is about: the one it picks, or the wizard's own."""
    if press.action == PICK_CASE:
        return parse_db_id(press.arg)
    return state.case_id if state is not None else None


def decide(state: WizardLike | None, press: Press, facts: Facts) -> Outcome:
    """What a wizard button means at this state. Pure: the caller stores and shows the result."""
    if state is None:
        return _refuse("no_wizard")
    if press.nonce != state.nonce:
        return _refuse("stale")
    if press.action not in ALLOWED.get(state.step, frozenset()):
        return _refuse("wrong_step")
    action, arg = press.action, press.arg
    if action == CANCEL:
        return Outcome("end")
    if action == PAGE:
        page = parse_page(arg)
        return _refuse("malformed") if page is None else Outcome("page", page=page)
    if action == PICK_CASE:
        if not facts.case_exists:
            return _refuse("case_gone")
        if not facts.case_open:
            return _refuse("case_closed")
        return _move(ADDRESSEE, case_id=case_id_of(state, press), authority_key=None)

    # Every other step is about the wizard's case, which may have closed meanwhile, and from
    # the language step on about one of its addressees, which a new case file may have dropped.
    if not facts.case_exists:
        return _refuse("case_gone", ends=True)
    if not facts.case_open:
        return _refuse("case_closed", ends=True)
    if state.step in (LANGUAGE, SIGNATURE, DRAFT) and facts.option(state.authority_key) is None:
        return _refuse("addressee_gone", ends=True)
    if action == BACK:
        step, forget = PREVIOUS[state.step]
        return _move(step, **forget)
    if action == PICK_ADDRESSEE:
        if facts.option(arg) is None:
            return _refuse("unknown_addressee")
        if state.step == SENT:  # the next letter: same case and language, a new signature
            return _move(SIGNATURE, authority_key=arg, signer_name=None, signer_city=None)
        return _move(LANGUAGE, authority_key=arg)
    if action == PICK_LANGUAGE:
        if arg not in LANGUAGES:
            return _refuse("unknown_language")
        return _move(SIGNATURE, language=arg)
    if action == ANONYMOUS:
        return _move(DRAFT, signer_name=None, signer_city=None)
    if action == REPORT:
        return Outcome("report") if facts.reports else _refuse("no_report")

    # CHANNEL or SENT_IT, at the draft step.
    option = facts.option(state.authority_key)
    if option is None or state.language not in LANGUAGES:
        return _refuse("addressee_gone", ends=True)
    if action == CHANNEL and arg is None:
        return Outcome("menu")
    if arg not in option.channels:
        return _refuse("unknown_channel")
    if action == CHANNEL:
        return Outcome("help", channel=arg)
    return Outcome("record", channel=arg, step=SENT,
                   changes={"signer_name": None, "signer_city": None})


def decide_signature(state: WizardLike | None, text: str, facts: Facts) -> Outcome:
    """A text the person typed: their signature if the wizard waits for one, else ``pass``."""
    if state is None or state.step != SIGNATURE:
        return Outcome("pass")
    if not facts.case_exists:
        return _refuse("case_gone", ends=True)
    if not facts.case_open:
        return _refuse("case_closed", ends=True)
    if facts.option(state.authority_key) is None or state.language not in LANGUAGES:
        return _refuse("addressee_gone", ends=True)
    try:
        signer = clean_signature(text)
    except SignatureError as error:
        return _refuse("bad_signature", message=error.message, values=error.values)
    return _move(DRAFT, signer_name=signer.name, signer_city=signer.city)


def signer_of(state: WizardLike) -> Signer:
    return Signer(name=state.signer_name, city=state.signer_city)


def ordinal(number: int, lang: str = "en") -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st (each form translatable on its own)."""
    if 10 <= number % 100 <= 20:
        return t("{n}th", lang, n=number)
    suffix = {1: N_("{n}st"), 2: N_("{n}nd"), 3: N_("{n}rd")}.get(number % 10, N_("{n}th"))
    return t(suffix, lang, n=number)


def next_options(options: Sequence[AddresseeOption]) -> list[AddresseeOption]:
    """The addressees still to write to, in the case's order."""
    return [option for option in options if not option.written]


# --------------------------------------------------------------------------- texts (Telegram HTML)

REFUSALS = {
    "malformed": N_("This button is not valid."),
    "no_wizard": N_("This letter is no longer in progress. Send /write to start a new one."),
    "stale": N_("This button belongs to an earlier step or an earlier letter, so it no longer "
                "works. Use the latest message, or send /write to start again."),
    "wrong_step": N_("That button does not fit this step of the letter. Use the latest "
                     "message."),
    "case_gone": N_("That case is no longer available."),
    "case_closed": N_("This case is closed: no letter is needed any more."),
    "unknown_addressee": N_("That addressee is not one this appeal lists."),
    "addressee_gone": N_("This addressee is no longer listed for the case. Send /write to "
                         "start again."),
    "unknown_language": N_("That language is not available for letters."),
    "unknown_channel": N_("That way of sending is not available for this addressee."),
    "no_report": N_("This appeal does not ask for a report."),
}


def refusal_text(outcome: Outcome, lang: str) -> str:
    """A refusal as the person reads it (short: it also fits a button's answer)."""
    if outcome.message:  # a signature's refusal, shown as HTML: what it quotes is escaped
        return t(outcome.message, lang, **{key: escape(value) if isinstance(value, str)
                                           else value for key, value in outcome.values.items()})
    return t(REFUSALS.get(outcome.reason or "", REFUSALS["malformed"]), lang)


def _people(case: Case, lang: str) -> str:
    names = [person.name for person in case.people]
    if len(names) <= 1:
        return "".join(names)
    return t("{first} and {last}", lang, first=", ".join(names[:-1]), last=names[-1])


def who(authority: Authority) -> str:
    """``Zhakyp Assanov, Prosecutor General of the Republic of Kazakhstan`` (plain text)."""
    role = " ".join(authority.role.split())
    return authority.name if role.casefold() in authority.name.casefold() else (
        f"{authority.name}, {role}")


def who_and_role(authority: Authority) -> str:
    """``Zhakyp Assanov (Prosecutor General of the Republic of Kazakhstan)`` (plain text)."""
    role = " ".join(authority.role.split())
    return authority.name if role.casefold() in authority.name.casefold() else (
        f"{authority.name} ({role})")


def channel_icons(channels: Iterable[str]) -> str:
    return " ".join(channel_label(channel, "en").split(" ", 1)[0] for channel in channels)


# What channel_label(channel, "en") gives, marked for extraction: channel_name translates it.
CHANNEL_LABELS = (N_("✉️ Email"), N_("📠 Fax"), N_("📮 Post"), N_("🌐 Web form"))


def channel_name(channel: str, lang: str) -> str:
    """``✉️ Email`` … through the translation catalog (the UI language, not the letter's)."""
    return t(channel_label(channel, "en"), lang)


def case_step_text(page: int, pages: int, has_cases: bool, lang: str,
                   notice: str | None = None) -> str:
    lines = [t("✍️ <b>Write a letter</b>", lang), ""]
    if notice:
        lines += [notice, ""]
    if not has_cases:
        lines.append(t("No case needs letters at the moment. Thank you for asking — /cases "
                       "shows every case.", lang))
    else:
        lines.append(t("Which case do you want to write about? These cases are open and their "
                       "appeals ask for letters.", lang))
        if pages > 1:
            lines.append(t("Page {page} of {pages}.", lang, page=page + 1, pages=pages))
    return "\n".join(lines)


def addressee_step_text(case: Case, options: Sequence[AddresseeOption], lang: str) -> str:
    lines = [t("✍️ <b>{title}</b>", lang, title=escape(case.title.get(lang))), ""]
    if not options:
        lines.append(t("This appeal lists no addressee I can help you reach. Go back to choose "
                       "another case.", lang))
    else:
        lines.append(t("Who do you want to write to? The appeal lists:", lang))
        for option in options:
            ways = ", ".join(channel_name(channel, lang) for channel in option.channels)
            mark = " ✓" if option.written else ""
            lines.append(f"• <b>{escape(option.authority.name)}</b>, "
                         f"{escape(' '.join(option.authority.role.split()))} — {escape(ways)}"
                         f"{mark}")
        if any(option.written for option in options):
            lines += ["", t("✓ — you already wrote to them about this case. Thank you!", lang)]
    if case.write_to_embassy:
        lines += ["", t("🏛 The appeal also asks people to write to Kazakhstan's embassy in "
                        "their own country. Look up the embassy where you live and send it the "
                        "same letter.", lang)]
    return shorten_html_lines(lines)


def addressee_label(option: AddresseeOption) -> str:
    mark = "✓ " if option.written else ""
    return f"{mark}{channel_icons(option.channels)} " + shorten(who(option.authority), 60)


def language_step_text(authority: Authority, lang: str, note: str | None = None) -> str:
    """``note``: what is known about the address (bot.address_checks.address_note)."""
    return "\n".join([
        t("✍️ Letter to <b>{who}</b>", lang, who=escape(who(authority))), "",
        *([note, ""] if note else []),
        t("In which language will you write?", lang),
    ])


def signature_step_text(authority: Authority, language: str, lang: str,
                        country: str = "") -> str:
    """``country``: the case's; the last line asks whoever lives there or travels there to
    think before giving their name (the [Sign anonymously] button is right under it)."""
    return "\n".join([
        t("✍️ Letter to <b>{who}</b>, in {language}", lang, who=escape(who(authority)),
          language=escape(LANGUAGES[language])), "",
        t("How do you want to sign it? Type your name, and after a comma your city if you "
          "like — for example: <i>Jane Doe, Berlin</i>", lang), "",
        t("I use your name only to fill in this letter and forget it as soon as the letter is "
          "done. Or sign anonymously:", lang),
        *(["", safety_line(country, lang)] if country else []),
    ])


def signed_text(state: WizardLike, lang: str) -> str:
    """What the signature step's message turns into once the person signed."""
    if not state.signer_name and not state.signer_city:
        return t("🕶 You sign this letter anonymously.", lang)
    signature = ", ".join(escape(part) for part in (state.signer_name, state.signer_city) if part)
    return t("✍️ You sign this letter as: <b>{signature}</b>", lang, signature=signature)


def _pack(blocks: list[str], limit: int = 4000) -> list[str]:
    """Join blocks (each within ``limit``) into as few messages as fit, never cutting one."""
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for block in blocks:
        length = plain_length(block)
        if current and size + 2 + length > limit:
            messages.append("\n\n".join(current))
            current, size = [], 0
        current.append(block)
        size += length + (2 if size else 0)
    if current:
        messages.append("\n\n".join(current))
    return messages


def draft_messages(letter: Letter, authority: Authority, lang: str) -> list[str]:
    """The draft as Telegram messages: subject in <code>, body in <pre> (one tap copies each).

    A body longer than one message is split at paragraph boundaries, never inside a word.
    """
    blocks = [
        t("📝 <b>Your letter to {who}</b> ({language})", lang, who=escape(who(authority)),
          language=escape(LANGUAGES[letter.language])),
        t("Tap the subject or the text to copy it.", lang),
    ]
    # Each piece of a long subject is a block of its own, so no block outgrows a message.
    subject = [f"<code>{escape(piece)}</code>"
               for piece in split_for_telegram(letter.subject, 3000) or [" "]]
    blocks.append(t("<b>Subject:</b>", lang) + "\n" + subject[0])
    blocks += subject[1:]
    blocks += [f"<pre>{escape(piece)}</pre>" for piece in split_for_telegram(letter.body, 3000)]
    blocks.append(t("<b>How will you send it?</b> Choose a way below and I will give you what "
                    "you need.", lang))
    return [fit_html(message) for message in _pack(blocks)]


def channels_menu_text(authority: Authority, lang: str) -> str:
    return "\n".join([
        t("✍️ Letter to <b>{who}</b>", lang, who=escape(who(authority))), "",
        t("<b>How will you send it?</b> Choose a way below and I will give you what you "
          "need.", lang),
    ])


def usable_emails(authority: Authority) -> list[str]:
    return [address for address in authority.emails if is_usable_email(address)]


def document_name(letter: Letter, extension: str) -> str:
    return f"letter-{letter.case_slug}-{letter.authority_key}-{letter.language}.{extension}"


def document_caption(channel: str, authority: Authority, lang: str) -> str:
    if channel == "email":
        return t("✉️ The e-mail to {who}, ready to send: open it in your mail app.", lang,
                 who=escape(authority.name))
    return t("📄 The letter to {who}, ready to print and sign.", lang, who=escape(authority.name))


def help_text(channel: str, authority: Authority, letter: Letter, lang: str,
              note: str | None = None) -> str:
    """How to send the letter by ``channel``, with everything to copy in one tap; ``note``
    says how current the address is."""
    name = escape(who(authority))
    done = t("When you have sent it, tap <b>✅ I sent it</b>.", lang)
    if channel == "email":
        to = ", ".join(f"<code>{escape(address)}</code>" for address in usable_emails(authority))
        lines = [
            t("✉️ <b>By e-mail</b> to {who}", lang, who=name), "",
            t("<b>To:</b> {to}", lang, to=to),
            (t("<b>Subject:</b> <code>{subject}</code>", lang, subject=escape(letter.subject))
             if plain_length(letter.subject) <= 1500
             else t("<b>Subject:</b> the subject of the letter above.", lang)),
            t("<b>Text:</b> the letter above — tap it to copy, then paste it into your e-mail.",
              lang), "",
            t("Or open the attached draft in your mail app: it is addressed and ready to send.",
              lang),
        ]
    elif channel == "fax":
        numbers = ", ".join(f"<code>{escape(number)}</code>" for number in authority.faxes)
        lines = [
            t("📠 <b>By fax</b> to {who}", lang, who=name), "",
            t("<b>Fax:</b> {numbers}", lang, numbers=numbers), "",
            t("The attached PDF is the letter, ready to print and sign. Send it from a fax "
              "machine or an online fax service.", lang),
        ]
    elif channel == "post":
        lines = [
            t("📮 <b>By post</b> to {who}", lang, who=name), "",
            t("<b>Address:</b>", lang),
            f"<pre>{escape(postal_block(authority))}</pre>", "",
            t("The attached PDF is the letter with this address at the top: print it, sign it "
              "and post it.", lang),
        ]
    else:
        lines = [
            t("🌐 <b>Through the web form</b> of {who}", lang, who=name), "",
            t("Open the form with the button below, then paste the subject and the text of the "
              "letter above.", lang),
            f"<code>{escape(authority.web_form or '')}</code>",
        ]
    return shorten_html_lines(lines + (["", note] if note else []) + ["", done])


def web_form_url(authority: Authority) -> str | None:
    """The form's address if a Telegram URL button can carry it (http(s) only)."""
    url = authority.web_form or ""
    if re.fullmatch(r"https?://[^\s]{1,2000}", url) and not any(
            unicodedata.category(char)[0] == "C" for char in url):
        return url
    return None


def thanks_text(case: Case, authority: Authority, place: int,
                remaining: Sequence[AddresseeOption], lang: str) -> str:
    lines = [t("✅ <b>Thank you!</b> You are the {ordinal} person to write to {who} about "
               "{people}.", lang, ordinal=ordinal(place, lang), who=escape(who_and_role(authority)),
               people=escape(_people(case, lang)))]
    if remaining:
        lines += ["", t("Every letter counts. Will you write to another addressee of this "
                        "appeal?", lang)]
    else:
        lines += ["", t("You have written to every addressee of this appeal. Thank you!", lang)]
    return "\n".join(lines)


def cancelled_text(lang: str) -> str:
    return t("✖️ Letter cancelled. Nothing was recorded, and I kept nothing you typed. Send "
             "/write to start again.", lang)


def finished_text(lang: str) -> str:
    return t("Thank you for writing! Send /write whenever you want to write another letter.",
             lang)
