"""What a case card shows beyond its facts: a preview of a long summary, and how old a case is.

A card shows the summary's first paragraph, at most ``PREVIEW_LIMIT`` characters (cut after a
sentence when one ends in the second half, else after a word), and [Read more] shows the rest.
A case whose newest news is more than ``HISTORICAL_AFTER`` old, with no hearing ahead and no
act-before date still to come, is *historical*: its card says how old it is and drops the
"action needed" badge.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel.dates import format_timedelta

from bot.fitting import ELLIPSIS, units
from bot.render import shorten
from content.dates import PartialDate
from content.languages import from_telegram

PREVIEW_LIMIT = 500
HISTORICAL_AFTER = dt.timedelta(days=365)
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")


def first_paragraph(text: str) -> str:
    return re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0].strip()


def summary_preview(summary: str, limit: int = PREVIEW_LIMIT) -> str | None:
    """What a card shows of a long summary, or None when the whole summary is short enough."""
    paragraph = first_paragraph(summary)
    if units(paragraph) <= limit:
        return paragraph if paragraph != summary.strip() else None
    window = paragraph[:limit]
    ends = [match.end() for match in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] >= limit // 2:
        return window[:ends[-1]] + " " + ELLIPSIS
    return shorten(paragraph, limit)


def is_historical(updated: PartialDate | None, today: dt.date | None, *,
                  act_before: dt.date | None, hearing_ahead: bool) -> bool:
    if updated is None or today is None or hearing_ahead:
        return False
    if act_before is not None and act_before >= today:
        return False
    return today - _last_day(updated) > HISTORICAL_AFTER


def age(updated: PartialDate, today: dt.date, lang: str = "en") -> str:
    """'9 years ago' / '9 лет назад' / '9 жыл бұрын' (Babel, the reader's language)."""
    return _age((_last_day(updated) - today).days, from_telegram(lang))


@lru_cache(maxsize=4096)
def _age(days: int, locale: str) -> str:
    # Babel parses the locale on every call: a tenth of a card's time, for a handful of values.
    return format_timedelta(dt.timedelta(days=days), granularity="day", add_direction=True,
                            threshold=1.0, locale=locale)


def _last_day(date: PartialDate) -> dt.date:
    """The latest day a partial date can mean (a case dated "2017" may have news in December)."""
    if date.day is not None:
        return dt.date(date.year, date.month, date.day)
    if date.month is not None:
        following = dt.date(date.year + (date.month == 12), date.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(date.year, 12, 31)
