"""Dates as appeals write them ("October 4, 2017", "4 octobre 2017", "4 октября 2017 г."),
read into dates without inventing anything: a month without a day stays a month."""

from __future__ import annotations

import datetime as dt
import re

from content.dates import PartialDate

# Month names (and their usual short forms) in English, French and Russian, lower case.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate([
    ("january", "jan", "janvier", "janv", "января", "январь", "январе"),
    ("february", "feb", "février", "fevrier", "févr", "февраля", "февраль", "феврале"),
    ("march", "mar", "mars", "марта", "март", "марте"),
    ("april", "apr", "avril", "avr", "апреля", "апрель", "апреле"),
    ("may", "mai", "мая", "май", "мае"),
    ("june", "jun", "juin", "июня", "июнь", "июне"),
    ("july", "jul", "juillet", "juil", "июля", "июль", "июле"),
    ("august", "aug", "août", "aout", "августа", "август", "августе"),
    ("september", "sep", "sept", "septembre", "сентября", "сентябрь", "сентябре"),
    ("october", "oct", "octobre", "октября", "октябрь", "октябре"),
    ("november", "nov", "novembre", "ноября", "ноябрь", "ноябре"),
    ("december", "dec", "décembre", "decembre", "déc", "декабря", "декабрь", "декабре"),
], start=1):
    for _name in _names:
        _MONTHS[_name] = _number

_MONTH = r"(?P<{}>[A-Za-zÀ-ÿА-Яа-яЁё]{{3,10}})\.?"
_YEAR = r"(?P<{}>(?:19|20)\d{{2}})"
# "4 October 2017", "4th of October 2017", "October 4, 2017", "2017-10-04", "04.10.2017".
DATE_PATTERN = (
    r"(?:" + r"(?P<d1>\d{1,2})(?:st|nd|rd|th|er)?\s+(?:of\s+)?" + _MONTH.format("m1")
    + r",?\s+" + _YEAR.format("y1")
    + r"|" + _MONTH.format("m2") + r"\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+" + _YEAR.format("y2")
    + r"|" + _YEAR.format("y3") + r"-(?P<m3>\d{2})-(?P<d3>\d{2})"
    + r"|(?P<d4>\d{1,2})\.(?P<m4>\d{1,2})\.(?P<y4>(?:19|20)\d{2})"
    + r")(?:\s*(?:г\.|года))?"
)
MONTH_PATTERN = _MONTH.format("m5") + r"\s+" + _YEAR.format("y5")
_DATE_RE = re.compile(DATE_PATTERN, re.IGNORECASE)
_MONTH_RE = re.compile(MONTH_PATTERN, re.IGNORECASE)


def _month_number(name: str | None) -> int | None:
    if name is None:
        return None
    if name.isdigit():
        return int(name)
    return _MONTHS.get(name.lower().rstrip("."))


def date_from_match(match: re.Match[str]) -> dt.date | None:
    """The date a :data:`DATE_PATTERN` match names, or None if it is no real date."""
    for index in "1234":
        year = match.group(f"y{index}")
        if year is None:
            continue
        month = _month_number(match.group(f"m{index}"))
        day = match.group(f"d{index}")
        if month is None:
            return None
        try:
            return dt.date(int(year), month, int(day))
        except ValueError:
            return None
    return None


def find_dates(text: str) -> list[tuple[re.Match[str], dt.date]]:
    """Every full date in ``text`` with where it is."""
    found = []
    for match in _DATE_RE.finditer(text):
        date = date_from_match(match)
        if date is not None:
            found.append((match, date))
    return found


def first_date(text: str) -> dt.date | None:
    dates = find_dates(text)
    return dates[0][1] if dates else None


def leading_date(text: str) -> PartialDate | None:
    """The date ``text`` starts with ("4 October 2017, …", "In April 2017, …"): a day, or only
    a month when that is all it gives."""
    match = _DATE_RE.match(text)
    if match is not None:
        date = date_from_match(match)
        return PartialDate(date.year, date.month, date.day) if date else None
    match = _MONTH_RE.match(text)
    if match is not None:
        month = _month_number(match.group("m5"))
        if month is not None:
            return PartialDate(int(match.group("y5")), month)
    return None
