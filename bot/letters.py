"""Letters: render a case's appeal letter to one authority, and package it for sending.

Everything here is pure (no Telegram, no database, no network): the same case, authority,
language and signer always give the same letter. The Telegram layer escapes HTML itself, so
texts here are plain.

* :func:`render_letter` fills ``content/letters/<language>.txt.j2``;
* :func:`render_report` fills ``content/letters/report/<language>.txt.j2`` (the report back);
* :func:`clean_signature` turns what a supporter typed into a :class:`Signer`;
* :func:`build_eml` makes an unsent e-mail draft (``.eml``) a mail app opens ready to send;
* :func:`build_pdf` makes a printable A4 letter for fax and post;
* :func:`split_for_telegram` cuts a long text into message-sized pieces;
* :func:`reachable_channels` / :func:`channel_label` list the ways to reach an authority.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import re
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

import content.schema
from bot.i18n import N_
from bot.pdf_fonts import BOLD, REGULAR, missing_glyphs, quiet_pdf_library
from content.languages import LANGUAGES as REGISTRY
from content.languages import LETTER_LANGUAGES, fallback_chain
from content.schema import Authority, Case, Channel, is_usable_email, pick

LANGUAGES = {code: REGISTRY[code].name for code in LETTER_LANGUAGES}  # those with a template


def languages_for(lang: str) -> dict[str, str]:
    """The letter languages, the closest to the reader's interface language first (kk → ru)."""
    order = [code for code in fallback_chain(lang) if code in LANGUAGES]
    return {code: LANGUAGES[code] for code in [*order, *LANGUAGES] if code in LANGUAGES}

LETTERS_DIR = Path(content.schema.__file__).resolve().parent / "letters"

NAME_MAX = 80
CITY_MAX = 60

# What a letter's salutation ends with when the directory gives it bare.
_SALUTATION_END = {"en": ",", "ru": "!"}
_AND = {"en": "and", "ru": "и"}

_CHANNEL_EMOJI: dict[str, str] = {"email": "✉️", "fax": "📠", "post": "📮", "web": "🌐"}
_CHANNEL_NAMES: dict[str, dict[str, str]] = {
    "en": {"email": "Email", "fax": "Fax", "post": "Post", "web": "Web form"},
    "ru": {"email": "Эл. почта", "fax": "Факс", "post": "Почта", "web": "Веб-форма"},
}

_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
}


@dataclass(frozen=True)
class Signer:
    """Who signs a letter. Both fields None: the letter is signed anonymously."""

    name: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str  # from the salutation to the signature; the subject is not repeated in it
    language: str
    to_name: str
    case_slug: str
    authority_key: str


class SignatureError(ValueError):
    """What a supporter typed as a signature cannot be used.

    ``key`` names the problem for code (``empty``, ``control``, ``name_too_long``,
    ``city_too_long``); ``str(error)`` is an English explanation fit to show the supporter.
    ``message`` is that explanation as a message id, its ``{placeholders}`` filled from
    ``values`` (translate with ``t(error.message, lang, **error.values)``).
    """

    def __init__(self, key: str, message: str, **values: object) -> None:
        super().__init__(message.format(**values) if values else message)
        self.key = key
        self.message = message
        self.values = values


# --------------------------------------------------------------------------- rendering


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(LETTERS_DIR)),
        autoescape=False,  # plain text; the Telegram layer escapes HTML itself
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )


def _one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) into one space."""
    return " ".join(text.split())


def _punctuated(salutation: str, language: str) -> str:
    salutation = _one_line(salutation)
    if salutation and salutation[-1] in ",!:.":
        return salutation
    return salutation + _SALUTATION_END[language]


def _join_codes(codes: list[str], language: str) -> str:
    if len(codes) <= 1:
        return "".join(codes)
    return ", ".join(codes[:-1]) + f" {_AND[language]} " + codes[-1]


def _tidy_body(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(
            f"unknown letter language {language!r} (known: {', '.join(sorted(LANGUAGES))})"
        )


def render_letter(case: Case, authority: Authority, language: str, signer: Signer) -> Letter:
    """The letter ``case`` asks for, addressed to ``authority``, in ``language``."""
    _check_language(language)
    template = _environment().get_template(f"{language}.txt.j2")
    codes = [_one_line(code) for code in case.codes if code.strip()]
    name = _one_line(signer.name) if signer.name else None
    city = _one_line(signer.city) if signer.city else None
    context = template.new_context(
        {
            "salutation": _punctuated(pick(authority.salutation, language), language),
            "about": _one_line(pick(case.letter_about, language)),
            "concern": _one_line(pick(case.letter_concern, language)),
            "codes": codes,
            "codes_text": _join_codes(codes, language),
            "actions": [_one_line(pick(a, language)) for a in case.requested_actions],
            "signer_name": name or None,
            "signer_city": city or None,
        }
    )
    subject = _one_line("".join(template.blocks["subject"](context)))
    body = _tidy_body("".join(template.blocks["body"](context)))
    to_name = authority.name_ru if language == "ru" and authority.name_ru else authority.name
    return Letter(
        subject=subject,
        body=body,
        language=language,
        to_name=_one_line(to_name),
        case_slug=case.slug,
        authority_key=authority.key,
    )


def render_report(case: Case, written: list[str], language: str) -> Letter:
    """The report an appeal asks supporters to send back (``case.report_to``): whom they wrote
    to (``written``: plain names), quoting the appeal's code in the subject and the text.

    Unsigned: the signature was forgotten with the letter; the mail app adds the sender.
    """
    _check_language(language)
    if case.report_to is None:
        raise ValueError(f"case {case.slug!r} asks for no report")
    template = _environment().get_template(f"report/{language}.txt.j2")
    codes = [_one_line(code) for code in case.codes if code.strip()]
    context = template.new_context({
        "codes_text": _join_codes(codes, language),
        "about": _one_line(pick(case.letter_about, language)),
        "written": [_one_line(name) for name in written],
    })
    return Letter(
        subject=_one_line("".join(template.blocks["subject"](context))),
        body=_tidy_body("".join(template.blocks["body"](context))),
        language=language,
        to_name=_one_line(case.report_to.name),
        case_slug=case.slug,
        authority_key="report",
    )


# --------------------------------------------------------------------------- signatures


def _is_forbidden_char(char: str) -> bool:
    if char == "\n":
        return False
    # Cc: control characters (CR, tab, NUL...); Cf: invisible format characters (bidi
    # overrides, zero-width joiners...); Zl/Zp: Unicode line and paragraph separators;
    # Cs: lone surrogates, which cannot even be encoded.
    return unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp", "Cs"}


def clean_signature(text: str) -> Signer:
    """Parse a signature a supporter typed: ``"Jane Doe, Berlin"`` or ``"Jane Doe\\nBerlin"``.

    The text is split at its last newline, or if it has none at its last comma: what comes
    before is the name, what comes after the city (optional). Raises :class:`SignatureError`.
    """
    if not isinstance(text, str):
        raise SignatureError("empty", N_("Please type your name, and your city if you like."))
    if any(_is_forbidden_char(char) for char in text):
        raise SignatureError(
            "control",
            N_("The signature contains invisible or control characters. Please type it again "
               "as plain text: your name, then a comma and your city if you like."),
        )
    lines = [_one_line(line) for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise SignatureError("empty", N_("The signature is empty. Please type your name."))
    if len(lines) > 1:
        name, city = ", ".join(lines[:-1]), lines[-1]
    elif "," in lines[0]:
        name, _, city = lines[0].rpartition(",")
    else:
        name, city = lines[0], ""
    name, city = name.strip(" ,"), city.strip(" ,")
    if not name and not city:
        raise SignatureError("empty", N_("The signature is empty. Please type your name."))
    if len(name) > NAME_MAX:
        raise SignatureError(
            "name_too_long",
            N_("The name is too long: please keep it under {limit} characters."), limit=NAME_MAX
        )
    if len(city) > CITY_MAX:
        raise SignatureError(
            "city_too_long",
            N_("The city is too long: please keep it under {limit} characters."), limit=CITY_MAX
        )
    missing = missing_glyphs(name + city)
    if missing:
        raise SignatureError(
            "no_glyph",
            N_("The letter's font cannot print some of the characters you typed ({chars}), so "
               "they would be left blank in the PDF. Please type your signature in Latin or "
               "Cyrillic letters, or sign anonymously."), chars=missing[:10])
    return Signer(name=name or None, city=city or None)


# --------------------------------------------------------------------------- e-mail


def _safe_address(to_address: str) -> str:
    # is_usable_email's "$" also matches before a final newline, so refuse every whitespace
    # and control character first: nothing may slip a line break into a header.
    if not isinstance(to_address, str) or any(
        char.isspace() or unicodedata.category(char)[0] == "C" for char in to_address
    ):
        raise ValueError(f"{to_address!r} is not a usable e-mail address")
    if not is_usable_email(to_address):
        raise ValueError(f"{to_address!r} is not a usable e-mail address")
    return to_address


def _header_text(text: str) -> str:
    """Header-safe text: no control characters, every line break and run of space one space."""
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    return " ".join(text.split())


def _encoded_words(text: str, first_line_room: int) -> str:
    """``text`` as RFC 2047 encoded words (UTF-8, base64), folded one word per line.

    Written by hand because CPython's own folder (3.11) can drop the space between two encoded
    words, turning "обращение в" into "обращениев". Spaces travel inside the encoded words (a
    decoder ignores the folding whitespace between words), and a word is only ever cut
    between whole characters. Every line stays within 78 characters.
    """
    words: list[str] = []
    piece = b""
    room = min(first_line_room, 63)  # base64 characters that fit on the current line
    for char in text:
        data = char.encode("utf-8")
        if len(piece) + len(data) > room // 4 * 3:
            words.append(piece)
            piece = b""
            room = 63  # 78 - len(" =?utf-8?b?") - len("?=") - 1
        piece += data
    words.append(piece)
    return "\r\n ".join(
        "=?utf-8?b?" + base64.b64encode(word).decode("ascii") + "?=" for word in words if word
    )


def build_eml(letter: Letter, to_address: str, *, date: dt.datetime | None = None) -> bytes:
    """An unsent e-mail draft (RFC 5322, CRLF, UTF-8) holding ``letter``.

    No From header: the supporter's mail app fills it in. ``X-Unsent: 1`` makes Outlook and
    others open the file as a draft ready to send. ``to_address`` must be a usable address
    (``ValueError`` otherwise); line breaks in the subject become spaces, so no text can add a
    header.
    """
    address = _safe_address(to_address)
    subject = _header_text(letter.subject)
    message = EmailMessage(policy=email.policy.SMTP)
    message["To"] = address
    if subject.isascii():
        message["Subject"] = subject
    when = date if date is not None else dt.datetime.now(dt.UTC)
    message["Date"] = format_datetime(when)
    message["X-Unsent"] = "1"
    body = letter.body.replace("\r\n", "\n").replace("\r", "\n")
    message.set_content(body + "\n", subtype="plain", charset="utf-8", cte="quoted-printable")
    if "MIME-Version" not in message:
        message["MIME-Version"] = "1.0"
    data = message.as_bytes()
    if subject and not subject.isascii():
        # Slot the hand-encoded Subject in just before the Date header.
        line = "Subject: " + _encoded_words(subject, 78 - len("Subject: =?utf-8?b??=") - 1)
        at = data.index(b"\r\nDate: ") + 2
        data = data[:at] + line.encode("ascii") + b"\r\n" + data[at:]
    return data


# --------------------------------------------------------------------------- PDF


def format_date(day: dt.date, language: str) -> str:
    """A date as a letter gives it: ``21 November 2025`` / ``21 ноября 2025 г.``"""
    _check_language(language)
    text = f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"
    return text + " г." if language == "ru" else text


def postal_block(authority: Authority) -> str:
    """The recipient block for a printed letter: name, post, then postal address (if any).

    Given as the directory spells it (not translated), as an envelope needs it.
    """
    lines = [authority.name, _one_line(authority.role)]
    if authority.postal_address:
        lines.extend(line.strip() for line in authority.postal_address.splitlines())
    return "\n".join(line for line in lines if line)


def build_pdf(
    letter: Letter, *, recipient_block: str | None = None, date: dt.date | None = None
) -> bytes:
    """A printable A4 letter: recipient block, date, subject in bold, then the body.

    With ``date`` given the output is byte-for-byte deterministic.
    """
    from fpdf import FPDF

    quiet_pdf_library()
    day = date if date is not None else dt.date.today()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.creation_date = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    pdf.set_title(_header_text(letter.subject))
    pdf.set_creator("Appeal Bot")
    pdf.set_producer("Appeal Bot")
    pdf.set_lang(letter.language)
    pdf.set_margins(left=25, top=22, right=22)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("DejaVu", "", str(REGULAR))
    pdf.add_font("DejaVu", "B", str(BOLD))
    pdf.add_page()
    line = 5.6

    if recipient_block:
        pdf.set_font("DejaVu", size=11)
        for text in recipient_block.splitlines():
            pdf.multi_cell(0, line, _pdf_text(text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(line)

    pdf.set_font("DejaVu", size=11)
    pdf.cell(0, line, format_date(day, letter.language), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(line)

    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, line, _pdf_text(letter.subject), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(line)

    pdf.set_font("DejaVu", size=11)
    for paragraph in letter.body.split("\n\n"):
        for text in paragraph.splitlines():
            numbered = _NUMBERED.match(text)
            if numbered:  # a list item: the number hangs to the left of its wrapped text
                pdf.cell(8, line, numbered.group(1))
                text = numbered.group(2)
            pdf.multi_cell(0, line, _pdf_text(text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(line * 0.6)
    return bytes(pdf.output())


_NUMBERED = re.compile(r"^(\d{1,2}\.)\s+(.*)$")


def _pdf_text(text: str) -> str:
    # Control characters have no glyph; an empty string would make fpdf draw nothing at all.
    return "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cs"}) or " "


# --------------------------------------------------------------------------- Telegram


def _units(char: str) -> int:
    """Length in UTF-16 code units, the measure Telegram's message limit uses."""
    return 2 if ord(char) > 0xFFFF else 1


def split_for_telegram(text: str, limit: int = 3500) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` UTF-16 code units each.

    Cuts fall at paragraph breaks ("\\n\\n") where possible, else at line breaks, else between
    words; only a single word longer than ``limit`` is cut inside. The whitespace at each cut
    (and around the whole text) is dropped, nothing else: the pieces appear in ``text`` in
    order, separated only by whitespace. Whitespace-only text gives no pieces.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    rest = text.strip()
    pieces: list[str] = []
    while rest:
        total = 0
        fit = len(rest)  # how many characters fit within the limit
        for index, char in enumerate(rest):
            total += _units(char)
            if total > limit:
                fit = index
                break
        if fit == len(rest):
            pieces.append(rest)
            break
        cut = rest.rfind("\n\n", 0, fit + 2)
        if cut <= 0:
            cut = rest.rfind("\n", 0, fit + 1)
        if cut <= 0:
            cut = next((i for i in range(fit, 0, -1) if rest[i].isspace()), 0)
        if cut <= 0:
            cut = fit  # one word longer than the limit: no choice but to cut inside it
        piece = rest[:cut].rstrip()
        pieces.append(piece)
        rest = rest[cut:].lstrip()
    return pieces


# --------------------------------------------------------------------------- channels


def reachable_channels(authority: Authority) -> list[Channel]:
    """The channels a letter can actually use, in order of preference.

    E-mail counts only with a usable address (never a redacted placeholder).
    """
    channels: list[Channel] = []
    for channel in authority.channels():
        if channel == "email" and not any(is_usable_email(e) for e in authority.emails):
            continue
        channels.append(channel)
    return channels


def channel_label(channel: str, language: str = "en") -> str:
    """A button label for a channel: ``✉️ Email``, ``📠 Fax``, ``📮 Post``, ``🌐 Web form``."""
    _check_language(language)
    if channel not in _CHANNEL_EMOJI:
        raise ValueError(f"unknown channel {channel!r}")
    return f"{_CHANNEL_EMOJI[channel]} {_CHANNEL_NAMES[language][channel]}"
