"""How current an addressee's address is: the date of the source that lists it, the latest
check, and what a letter writer is told about it. Pure functions of their arguments.

An address counts as current for a year after the later of its source's date (``as_of``) and
its latest check (``verified_on`` in the file, or a coordinator's mark in chat); after that the
letter wizard asks the writer to check it, and /staleaddresses lists it for coordinators.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from bot.i18n import t
from bot.render import format_date, format_day
from content.dates import PartialDate, year_before
from content.schema import Authority, Case, Source, pick
from storage.authorities import DirectoryEntry


@dataclass(frozen=True)
class AddressCheck:
    as_of: PartialDate  # the date of the source that lists the address
    verified_on: dt.date | None = None  # the latest check, from the file or from chat
    verified_by: str | None = None  # who checked, as the file names them (a chat mark: None)
    marked_by: int | None = None  # the coordinator whose chat mark is the latest check

    @property
    def current_since(self) -> dt.date:
        """The last day the address is known to have been right."""
        listed = self.as_of.last_day
        return max(listed, self.verified_on) if self.verified_on else listed

    def is_stale(self, today: dt.date) -> bool:
        return self.current_since < year_before(today)


def address_check(entry: DirectoryEntry) -> AddressCheck:
    """The file's dates and a coordinator's chat mark, whichever check is newer."""
    authority = entry.authority
    marked = entry.verified_at.date() if entry.verified_at is not None else None
    if marked is not None and (authority.verified_on is None or marked >= authority.verified_on):
        return AddressCheck(authority.as_of, marked, None, entry.verified_by)
    return AddressCheck(authority.as_of, authority.verified_on, authority.verified_by)


def listing_source(case: Case, as_of: PartialDate) -> Source | None:
    """The case's source that lists the address: the one dated as the address is."""
    return next((source for source in case.sources if source.date == as_of), None)


def _source_name(source: Source) -> str:
    name = escape(source.publisher)
    if source.url:
        name = f'<a href="{escape(source.url, quote=True)}">{name}</a>'
    return name


def published_line(as_of: PartialDate, lang: str) -> str:
    when = format_date(as_of, lang)
    if as_of.precision == "day":
        return t("📅 Address as published on {date}.", lang, date=when)
    return t("📅 Address as published in {date}.", lang, date=when)


def address_note(authority: Authority, check: AddressCheck, case: Case, today: dt.date,
                 lang: str) -> str:
    """What the letter wizard says under an addressee (Telegram HTML): when the address was
    published, when it was checked, a request to check it when that is over a year ago, and any
    doubt the directory records."""
    lines = [published_line(check.as_of, lang)]
    if check.verified_on is not None and check.verified_on > check.as_of.last_day:
        lines.append(t("✔️ Checked on {date} by {who}.", lang, date=format_day(check.verified_on,
                                                                             lang),
                       who=escape(check.verified_by)) if check.verified_by
                     else t("✔️ Checked on {date}.", lang,
                            date=format_day(check.verified_on, lang)))
    if check.is_stale(today):
        source = listing_source(case, check.as_of)
        lines.append(t("⚠️ That is more than a year ago: please check that the address is still "
                       "current before you send — see {source}.", lang,
                       source=_source_name(source)) if source is not None
                     else t("⚠️ That is more than a year ago: please check that the address is "
                            "still current before you send.", lang))
    if authority.caveat is not None:
        lines.append("⚠️ " + escape(pick(authority.caveat, lang)))
    return "\n".join(lines)
