"""Hearings as calendar files (iCalendar, RFC 5545), built with the icalendar library.

One VEVENT per hearing. Its ``UID`` is derived from the hearing's id and the bot, so importing a
newer file updates the entry a calendar already has instead of adding a second one; ``SEQUENCE``
is the hearing's revision (raised on each postponement and cancellation) and a cancelled hearing
says ``STATUS:CANCELLED``. The start is in the court's time zone (``TZID`` plus its
``VTIMEZONE``), the court is the ``LOCATION`` and the case's deep link is in ``DESCRIPTION``.
Pure: the caller passes the hearings, the links and "now".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from bot.alert_texts import hearing_name
from bot.i18n import t
from bot.render import case_title
from storage.models import Case, Event, EventStatus

PRODUCT_ID = "-//Appeal Bot//Hearings//EN"
MIME_TYPE = "text/calendar"
# Telegram documents need a name; a calendar app recognises the extension.
FILENAME_LIMIT = 60


@dataclass(frozen=True)
class Hearing:
    """A hearing to put in a calendar: the event, its case, the case's time zone and link."""

    event: Event
    case: Case
    timezone: str
    link: str


def uid(event_id: int, bot_username: str) -> str:
    """Stable per hearing and per bot: re-importing replaces the calendar entry."""
    return f"hearing-{event_id}@{bot_username.lower()}.appeal-bot"


def location(event: Event) -> str:
    return ", ".join(part for part in (event.court, event.city, event.place) if part)


def _vevent(hearing: Hearing, bot_username: str, lang: str, now: dt.datetime) -> CalendarEvent:
    event, case = hearing.event, hearing.case
    entry = CalendarEvent()
    entry.add("uid", uid(event.id, bot_username))
    entry.add("dtstamp", now.astimezone(dt.UTC))
    entry.add("sequence", event.sequence)
    entry.add("summary", t("{hearing}: {title}", lang, hearing=hearing_name(event.kind, lang),
                           title=case_title(case, lang)))
    if event.starts_at is not None:
        entry.add("dtstart", event.starts_at.astimezone(ZoneInfo(hearing.timezone)))
    else:  # a day without a time: an all-day entry
        entry.add("dtstart", event.date)
    where = location(event)
    if where:
        entry.add("location", where)
    lines = [event.text] if event.text else []
    lines.append(t("Follow the case and help with a letter: {link}", lang, link=hearing.link))
    entry.add("description", "\n\n".join(lines))
    entry.add("url", hearing.link)
    cancelled = event.status == EventStatus.CANCELLED
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return entry


def calendar_file(hearings: Sequence[Hearing], *, bot_username: str, lang: str,
                  now: dt.datetime) -> bytes:
    """The .ics bytes holding ``hearings`` (each time zone it uses described once)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for hearing in hearings:
        calendar.add_component(_vevent(hearing, bot_username, lang, now))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def filename(slug: str | None) -> str:
    """``hearing-kharkova.ics`` for one case's hearing, ``hearings.ics`` for several."""
    return f"hearing-{slug[:FILENAME_LIMIT]}.ics" if slug else "hearings.ics"
