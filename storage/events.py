"""Timeline events as coordinators change them: hearings, outcomes, news, a case's closing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Case, Event, EventStatus


async def get_event(*, session: AsyncSession, event_id: int) -> Event | None:
    return await session.get(Event, event_id)


async def add_event(*, session: AsyncSession, event: Event) -> Event:
    """Insert ``event``; its id is set on return."""
    session.add(event)
    await session.flush()
    return event


async def save_event(*, session: AsyncSession, event: Event, now: dt.datetime) -> None:
    """Write the changes made to ``event`` (its ``updated_at`` becomes ``now``)."""
    event.updated_at = now
    session.add(event)
    await session.flush()


async def scheduled_events(*, session: AsyncSession, case_id: int) -> Sequence[Event]:
    query = select(Event).where(Event.case_id == case_id, Event.status == EventStatus.SCHEDULED)
    return (await session.exec(query)).all()


async def close_case(*, session: AsyncSession, case: Case, note: str, now: dt.datetime) -> None:
    """A coordinator closed the case: no more action needed (never touched by the files)."""
    case.closed_at, case.closed_note, case.updated_at = now, note, now
    session.add(case)
    await session.flush()
