"""[I'll attend] / [I'll follow online]: one answer per person per hearing, counted for
coordinators. The rows cascade with the supporter (/forget) and with the hearing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import case, delete, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Attendance, Event, EventStatus

ATTEND, ONLINE = "a", "o"
MODES = (ATTEND, ONLINE)


async def toggle(*, session: AsyncSession, event_id: int, chat_id: int, mode: str) -> str | None:
    """Give ``mode`` as this person's answer, or take it back if it was already theirs; the
    answer now (None: no answer)."""
    if mode not in MODES:
        raise ValueError(mode)
    row = await session.get(Attendance, (event_id, chat_id))
    if row is not None and row.mode == mode:
        await session.exec(delete(Attendance).where(Attendance.event_id == event_id,
                                                    Attendance.supporter_id == chat_id))
        return None
    if row is None:
        session.add(Attendance(event_id=event_id, supporter_id=chat_id, mode=mode))
    else:
        row.mode = mode
        session.add(row)
    await session.flush()
    return mode


async def answer_of(*, session: AsyncSession, event_id: int, chat_id: int) -> str | None:
    row = await session.get(Attendance, (event_id, chat_id))
    return row.mode if row else None


async def upcoming_counts(*, session: AsyncSession, now: dt.datetime,
                          case_id: int | None = None) -> Sequence[tuple[Event, int, int]]:
    """(hearing, will attend, will follow online) for scheduled hearings ahead that have
    answers, soonest first."""
    attend = func.sum(case((Attendance.mode == ATTEND, 1), else_=0))
    online = func.sum(case((Attendance.mode == ONLINE, 1), else_=0))
    query = (select(Event, attend, online)
             .join(Attendance, Attendance.event_id == Event.id)
             .where(Event.status == EventStatus.SCHEDULED, Event.starts_at > now)
             .group_by(Event.id).order_by(Event.starts_at))
    if case_id is not None:
        query = query.where(Event.case_id == case_id)
    return [(event, int(a or 0), int(o or 0)) for event, a, o in (await session.exec(query)).all()]
