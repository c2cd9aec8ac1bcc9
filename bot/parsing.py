"""The boundary: where what people type or forge becomes values the bot can safely work with.

Every command argument and every piece of callback data is read here, once, so the rest of the
code only ever sees values that fit the database and the calendar:

- **Ids** are ASCII digits only (``int()`` would also read Arabic-Indic or full-width digits).
  Database ids are 1..2³¹−1, PostgreSQL's ``integer``: a larger number is no row on any database,
  not an error on one of them. Telegram user ids are 1..2⁵²−1 (Telegram: "at most 52
  significant bits").
- **Slugs** follow the case files' pattern (``content.schema.SLUG_PATTERN``).
- **Free text** goes through :func:`clean_text`: line breaks normalised, and control characters
  (NUL included, which PostgreSQL cannot store) and lone surrogates refused, with an answer
  that names the character.
- **Moments** go through :func:`parse_moment`: a real date and time in a zone or with an offset,
  unambiguous, in the window hearings may be scheduled in — from now to
  :data:`YEARS_AHEAD` years ahead. The window is checked on the written year first, so no date
  arithmetic ever runs near the ends of the calendar.

Bad input raises :class:`InputError`, whose text (Telegram HTML) tells the person what to do
instead; ``usage=True`` asks the caller to add the command's usage line.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from html import escape
from zoneinfo import ZoneInfo

from bot.i18n import t, tn
from bot.render import format_day, shorten
from content.schema import SLUG_PATTERN

DB_ID_MAX = 2**31 - 1
TELEGRAM_ID_MAX = 2**52 - 1
PAGE_MAX = 10_000  # far beyond any real list; keeps a forged page number small
YEARS_AHEAD = 10
_MAX_DIGITS = 64  # longer "numbers" (beyond any callback data) are refused before int()


class InputError(Exception):
    """Input the bot cannot use. ``text`` (Telegram HTML) says why; with ``usage`` the caller
    adds how the command is used."""

    def __init__(self, text: str | None = None, *, usage: bool = False,
                 choices: Sequence[tuple[int, str]] = (), zone: str | None = None) -> None:
        super().__init__(text or "usage")
        self.text = text
        self.usage = usage
        # Cases to offer as buttons instead (id, label): "did you mean" for a mistyped name.
        self.choices = tuple(choices)
        # The time zone the command's date is read in, for the usage's example offset.
        self.zone = zone


# ------------------------------------------------------------------------------------ numbers

_DIGITS = re.compile(rf"[0-9]{{1,{_MAX_DIGITS}}}")


def ascii_number(text: str | None) -> int | None:
    """A whole number written in ASCII digits and nothing else; None for anything else,
    digits of other scripts included."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    return int(text)


def _within(text: str | None, low: int, high: int) -> int | None:
    number = ascii_number(text)
    return number if number is not None and low <= number <= high else None


def parse_db_id(text: str | None) -> int | None:
    """A database id (1..2³¹−1), or None."""
    return _within(text, 1, DB_ID_MAX)


def in_db_range(number: int) -> bool:
    return 1 <= number <= DB_ID_MAX


def event_number(text: str | None) -> int | None:
    """The number of an event as a coordinator types it, ``12`` or ``#12`` (as /upcoming shows
    it), of any size: whether such an event can exist is :func:`in_db_range`'s question."""
    return ascii_number(text.removeprefix("#")) if text else None


def parse_user_id(text: str | None) -> int | None:
    """A Telegram user id (1..2⁵²−1), or None."""
    return _within(text, 1, TELEGRAM_ID_MAX)


def parse_page(text: str | None) -> int | None:
    """A page number of a list (0..PAGE_MAX), or None."""
    return _within(text, 0, PAGE_MAX)


# -------------------------------------------------------------------------- slugs and text

_SLUG = re.compile(SLUG_PATTERN)


def parse_slug(text: str | None) -> str | None:
    """A case slug as the case files allow it, or None (no case can have any other)."""
    if text is None:
        return None
    text = text.strip()
    return text if _SLUG.fullmatch(text) else None


def is_control(char: str, *, keep: str = "\n\t") -> bool:
    """A character no stored text may hold: C0/C1 controls (NUL included) but ``keep``, and
    lone surrogates (they cannot even be encoded as UTF-8)."""
    return char not in keep and unicodedata.category(char) in {"Cc", "Cs"}


def clean_text(text: str, lang: str, *, limit: int) -> str:
    """Free text a person typed (news, an outcome, a place, a note), ready to store and send.

    Windows and old Mac line breaks become ``\\n``; the ends are trimmed. A control character
    or a lone surrogate is refused (it would fail in PostgreSQL or in Telegram), as is a text
    longer than ``limit`` characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    for char in text:
        if is_control(char):
            raise InputError(t("The text contains an invisible control character ({code}) that "
                               "cannot be stored or sent. Please remove it and send the text "
                               "again.", lang, code=f"U+{ord(char):04X}"))
    if len(text) > limit:
        raise InputError(t("That text is {n} characters long; at most {limit} fit in an alert. "
                           "Please shorten it.", lang, n=len(text), limit=limit))
    return text


def shown(text: str, limit: int = 64) -> str:
    """What someone typed, fit to quote back in an answer: control characters made visible as
    �, shortened, HTML-escaped."""
    visible = "".join("\N{REPLACEMENT CHARACTER}" if is_control(char, keep="") else char
                      for char in text)
    return escape(shorten(visible, limit))


# ------------------------------------------------------------------------- dates and times

_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?:(Z|UTC)|([+-])([0-9]{1,2})(?::?([0-9]{2}))?)?",
                   re.IGNORECASE)
_MAX_OFFSET = dt.timedelta(hours=14)


def split_when(args: Sequence[str]) -> tuple[str, str, list[str]] | None:
    """(date, time, the rest) from ``2026-12-01 10:00 …`` or ``2026-12-01T10:00 …``."""
    if args:
        head, separator, tail = args[0].upper().partition("T")
        if separator and _DATE.fullmatch(head):
            return head, tail, list(args[1:])
    if len(args) >= 2:
        return args[0], args[1], list(args[2:])
    return None


def horizon(now: dt.datetime) -> dt.datetime:
    """The latest moment a hearing may be scheduled for: :data:`YEARS_AHEAD` years from now."""
    try:
        return now.replace(year=now.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return now.replace(year=now.year + YEARS_AHEAD, day=28)


def _window_error(written: str, late: bool, now: dt.datetime, lang: str) -> InputError:
    if late:
        return InputError(tn("{when} is more than {count} year ahead. Hearings can be scheduled "
                             "up to {limit}.", "{when} is more than {count} years ahead. "
                             "Hearings can be scheduled up to {limit}.", YEARS_AHEAD, lang,
                             when=written, limit=format_day(horizon(now).date(), lang)), usage=True)
    return InputError(t("{when} is in the past. A hearing must be scheduled for a time still to "
                        "come.", lang, when=written), usage=True)


def _offset_text(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def example_day(now: dt.datetime) -> str:
    """A date for usage examples: a week from today, so an example is never in the past."""
    return f"{(now + dt.timedelta(days=7)).date():%Y-%m-%d}"


def zone_offset(timezone: str, now: dt.datetime) -> str:
    """The zone's UTC offset now, as a coordinator would type it (``+05:00``)."""
    return _offset_text(now.astimezone(ZoneInfo(timezone)).utcoffset() or dt.timedelta())


def parse_moment(date_text: str, time_text: str, timezone: str, *, now: dt.datetime,
                 lang: str = "en") -> dt.datetime:
    """A UTC moment from a date and a time in ``timezone`` (or with an explicit offset), after
    ``now`` and at most :data:`YEARS_AHEAD` years ahead of it."""
    written = shown(f"{date_text} {time_text}")
    date_match, time_match = _DATE.fullmatch(date_text), _TIME.fullmatch(time_text)
    if date_match is None or time_match is None:
        raise InputError(t("I could not read “{text}” as a date and time: write "
                           "YYYY-MM-DD HH:MM, e.g. <code>{example}</code>.", lang,
                           text=written, example=f"{example_day(now)} 10:00"), usage=True)
    year, month, day = (int(part) for part in date_match.groups())
    hour, minute = int(time_match.group(1)), int(time_match.group(2))
    try:
        naive = dt.datetime(year, month, day, hour, minute)
    except ValueError:
        raise InputError(t("“{text}” is not a real date and time.", lang, text=written),
                         usage=True) from None
    # The written year decides first: a year this far out is refused before any conversion,
    # which could overflow at the ends of the calendar (year 1, year 9999).
    if not now.year - 1 <= year <= now.year + YEARS_AHEAD + 1:
        raise _window_error(written, year > now.year, now, lang)

    utc_flag, sign, off_hours, off_minutes = time_match.group(3, 4, 5, 6)
    if utc_flag:
        moment = naive.replace(tzinfo=dt.UTC)
    elif sign:
        offset = dt.timedelta(hours=int(off_hours), minutes=int(off_minutes or 0))
        if offset > _MAX_OFFSET or int(off_minutes or 0) >= 60:
            raise InputError(t("“{offset}” is not a UTC offset; use e.g. +05:00.", lang,
                               offset=shown(time_text[time_text.find(sign):])), usage=True)
        zone = dt.timezone(offset if sign == "+" else -offset)
        moment = naive.replace(tzinfo=zone).astimezone(dt.UTC)
    else:
        moment = _local_moment(naive, timezone, written, lang)
    if moment <= now or moment > horizon(now):
        raise _window_error(written, moment > now, now, lang)
    return moment


def _local_moment(naive: dt.datetime, timezone: str, written: str, lang: str) -> dt.datetime:
    """``naive`` read in ``timezone``; refused when a clock change skips it or repeats it."""
    zone = ZoneInfo(timezone)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    moment = first.astimezone(dt.UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != naive:  # skipped by a clock change
        raise InputError(t("{when} does not exist in {zone} (the clocks change then); give "
                           "the time with an offset, e.g. {example}.", lang,
                           when=written, zone=escape(timezone),
                           example=f"{naive:%H:%M}{_offset_text(second.utcoffset())}"),
                         usage=True)
    if first.utcoffset() != second.utcoffset():  # the clocks go back: it happens twice
        clock = f"{naive:%H:%M}"
        raise InputError(t("{when} happens twice in {zone} (the clocks go back then); give "
                           "the time with an offset: {first} or {second}.", lang,
                           when=written, zone=escape(timezone),
                           first=f"<code>{clock}{_offset_text(first.utcoffset())}</code>",
                           second=f"<code>{clock}{_offset_text(second.utcoffset())}</code>"),
                         usage=True)
    return moment
