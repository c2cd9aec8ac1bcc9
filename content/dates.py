"""Dates as the sources give them: a day, or only a month, or only a year.

A source that says "in June 2017" gives no day, and the library never invents one: such a date
is written ``"2017-06"`` and stays a month everywhere (in the file, in the database document, on
screen). :class:`PartialDate` is that value; pydantic models use it as a field type and write it
back as the same text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering
from typing import Any, Literal

from pydantic_core import core_schema

Precision = Literal["day", "month", "year"]
PRECISIONS: tuple[Precision, ...] = ("year", "month", "day")  # coarse to fine

_SHAPE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
FORMAT_HINT = ("write dates as YYYY-MM-DD, e.g. 2017-09-29, or as \"YYYY-MM\" / \"YYYY\" (in "
               "quotes) when the source gives only a month or a year")


@total_ordering
@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the day, the month or the year."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"{self.year} is not a year")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"{self.month} is not a month (01-12)")
        if self.day is not None:
            dt.date(self.year, self.month, self.day)  # raises ValueError for 2017-02-30

    # ----- reading

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """``"2017-06-24"``, ``"2017-06"``, ``"2017"`` (or a year as a YAML integer, or a date)."""
        if isinstance(value, PartialDate):
            return value
        # ValueError, not TypeError, throughout: pydantic turns only ValueError into a field error.
        if isinstance(value, dt.datetime):
            raise ValueError(f"{value!r} is a moment, not a date; {FORMAT_HINT}")  # noqa: TRY004
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # an unquoted year in YAML
        if not isinstance(value, str):
            raise ValueError(  # noqa: TRY004
                f"expected a date, got {type(value).__name__}; {FORMAT_HINT}")
        text = value.strip()
        match = _SHAPE.fullmatch(text)
        if match is None:
            raise ValueError(f"{_short(text)} is not a date; {FORMAT_HINT}")
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            return cls(year, month, day)
        except ValueError as error:
            raise ValueError(f"{text!r} is not a real calendar date ({error}); "
                             f"{FORMAT_HINT}") from None

    # ----- what it means

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def first_day(self) -> dt.date:
        """The earliest day it can mean (a sort key; never shown as the date itself)."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        """The latest day it can mean."""
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def as_date(self) -> dt.date | None:
        """The date itself when it is known to the day, else None."""
        return self.first_day if self.day is not None else None

    def sort_key(self) -> tuple[dt.date, int]:
        # Same first day: the coarser date first ("June 2017" before "1 June 2017").
        return self.first_day, PRECISIONS.index(self.precision)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    # ----- pydantic

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str))


def newest(dates: list[PartialDate]) -> PartialDate | None:
    """The latest of ``dates`` by the day it starts (ties: the more precise one)."""
    return max(dates, key=PartialDate.sort_key) if dates else None


def year_before(day: dt.date) -> dt.date:
    """The same calendar day a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _short(text: str, limit: int = 40) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")
