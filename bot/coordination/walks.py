"""Commands walked through with buttons when they are given without arguments: pick a case, then
(for commands about a hearing) one of its hearings, then type the rest — or nothing more.

Only what the command can act on is offered: ``/outcome`` only hearings that have started,
``/postpone`` and ``/cancelhearing`` only scheduled ones, ``/reopencase`` only cases closed from
chat, and a limited coordinator only their cases. Where the walk is (its step and what was
picked) is stored in the database (``storage.walks``); the answer of the last step becomes the
command's text, checked by the same proposal function as a typed command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alert_texts import HEARING_KINDS
from bot.coordination.scope import Scope
from bot.i18n import N_
from storage import cases as case_queries
from storage.models import Case, Event, EventStatus

WALK_TTL = dt.timedelta(hours=1)
CASE, HEARING, TEXT = "case", "hearing", "text"


class Hearings(StrEnum):
    """Which of a case's hearings a command may act on."""

    SCHEDULED = "scheduled"  # still to come: /postpone, /cancelhearing
    STARTED = "started"  # scheduled and begun: /outcome


class Cases(StrEnum):
    OPEN = "open"
    CLOSED_FROM_CHAT = "closed"  # /reopencase
    ANY = "any"


@dataclass(frozen=True)
class WalkSpec:
    cases: Cases = Cases.OPEN
    hearings: Hearings | None = None  # None: the command names a case, not a hearing
    ask: str | None = None  # what to type last (HTML, ``{example}``/``{case}`` filled); None:
    # nothing more, the preview comes at once


WALKS: dict[str, WalkSpec] = {
    "hearing": WalkSpec(ask=N_("Type the date and time of the hearing in the court's local "
                               "time, then the place if you know it, e.g. "
                               "<code>{example} 10:00 Shymkent City Court</code>.")),
    "appeal": WalkSpec(ask=N_("Type the date and time of the appeal hearing in the court's "
                              "local time, then the place if you know it, e.g. "
                              "<code>{example} 10:00 Regional Court</code>.")),
    "postpone": WalkSpec(Cases.ANY, Hearings.SCHEDULED,
                         ask=N_("Type the new date and time, e.g. <code>{example} 10:00</code>.")),
    "cancelhearing": WalkSpec(Cases.ANY, Hearings.SCHEDULED),
    "outcome": WalkSpec(Cases.ANY, Hearings.STARTED,
                        ask=N_("Type what happened at the hearing, as subscribers should read "
                               "it.")),
    "news": WalkSpec(Cases.ANY, ask=N_("Type the news for the subscribers of <b>{case}</b>.")),
    "closecase": WalkSpec(ask=N_("Type why no further action is needed for <b>{case}</b>.")),
    "reopencase": WalkSpec(Cases.CLOSED_FROM_CHAT),
}


def _eligible(event: Event, hearings: Hearings, now: dt.datetime) -> bool:
    if event.status != EventStatus.SCHEDULED or event.kind not in HEARING_KINDS:
        return False
    starts = event.starts_at
    if starts is not None and starts.tzinfo is None:
        starts = starts.replace(tzinfo=dt.UTC)
    if hearings == Hearings.SCHEDULED:
        return starts is not None and starts > now
    return (starts <= now) if starts is not None else event.date <= now.date()


async def eligible_hearings(*, session: AsyncSession, spec: WalkSpec, now: dt.datetime,
                            scope: Scope, case_id: int | None = None) -> list[Event]:
    """The hearings the command may act on, soonest first (of one case, or of every case the
    coordinator may see)."""
    query = select(Event).where(Event.status == EventStatus.SCHEDULED,
                                col(Event.kind).in_(list(HEARING_KINDS)))
    if case_id is not None:
        query = query.where(Event.case_id == case_id)
    rows = (await session.exec(query.order_by(Event.date, Event.id))).all()
    return [event for event in rows
            if scope.allows(event.case_id) and _eligible(event, spec.hearings, now)]


async def walk_cases(*, session: AsyncSession, spec: WalkSpec, now: dt.datetime,
                     scope: Scope) -> list[Case]:
    """The cases the command may act on, by slug (what coordinators know them by)."""
    cases = sorted((case for case in await case_queries.all_cases(session=session)
                    if scope.allows(case.id)), key=lambda case: case.slug)
    if spec.hearings is not None:
        with_hearings = {event.case_id for event in await eligible_hearings(
            session=session, spec=spec, now=now, scope=scope)}
        return [case for case in cases if case.id in with_hearings]
    if spec.cases == Cases.OPEN:
        return [case for case in cases if case.is_open]
    if spec.cases == Cases.CLOSED_FROM_CHAT:
        return [case for case in cases if case.closed_at is not None]
    return cases


def command_text(spec: WalkSpec, case: Case, event_id: int | None, rest: str) -> str:
    """The arguments the walk gathered, written as the command would be typed."""
    head = str(event_id) if spec.hearings is not None else case.slug
    return f"{head} {rest}".strip()


def page_of(items: Sequence, page: int, size: int) -> tuple[list, int, int]:
    """(the items of ``page``, the page shown, how many pages)."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    return list(items[page * size:(page + 1) * size]), page, pages
