"""Reminder rows: planning them, cancelling them, finding the due ones, settling each once.

Every change of status is a conditional UPDATE (… WHERE status = 'planned'), so two processes
settling the same reminder never both win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect
from storage.models import Reminder, ReminderStatus

_TABLE = Reminder.__table__



async def plan(*, session: AsyncSession, event_id: int, offset_minutes: int,
               due_at: dt.datetime) -> None:
    """One planned reminder (idempotent); a cancelled one for the same time is planned again,
    e.g. after a hearing moves back to a date it was once moved from."""
    statement = (
        dialect.insert(session, _TABLE)
        .values(event_id=event_id, offset_minutes=offset_minutes, due_at=due_at,
                status=ReminderStatus.PLANNED)
        .on_conflict_do_update(
            index_elements=["event_id", "offset_minutes", "due_at"],
            set_={"status": ReminderStatus.PLANNED},
            where=_TABLE.c.status == ReminderStatus.CANCELLED,
        )
    )
    await session.exec(statement)


async def get_reminder(*, session: AsyncSession, reminder_id: int) -> Reminder | None:
    return await session.get(Reminder, reminder_id)


async def planned_for_event(*, session: AsyncSession, event_id: int) -> Sequence[Reminder]:
    """The event's planned reminders, nearest last (fresh from the database)."""
    query = (select(Reminder)
             .where(Reminder.event_id == event_id, Reminder.status == ReminderStatus.PLANNED)
             .order_by(Reminder.due_at)
             .execution_options(populate_existing=True))
    return (await session.exec(query)).all()


async def cancel(*, session: AsyncSession, reminder_ids: Sequence[int]) -> None:
    if reminder_ids:
        await session.exec(update(_TABLE)
                           .where(_TABLE.c.id.in_(reminder_ids),
                                  _TABLE.c.status == ReminderStatus.PLANNED)
                           .values(status=ReminderStatus.CANCELLED))


async def due(*, session: AsyncSession, now: dt.datetime) -> Sequence[int]:
    """Ids of the planned reminders whose time has come, earliest first."""
    query = (select(Reminder.id)
             .where(Reminder.status == ReminderStatus.PLANNED, Reminder.due_at <= now)
             .order_by(Reminder.due_at))
    return (await session.exec(query)).all()


async def overdue_siblings(*, session: AsyncSession, reminder: Reminder,
                           now: dt.datetime) -> Sequence[Reminder]:
    """Other planned reminders of the same event that are also due at ``now``."""
    query = select(Reminder).where(Reminder.event_id == reminder.event_id,
                                   Reminder.status == ReminderStatus.PLANNED,
                                   Reminder.due_at <= now, Reminder.id != reminder.id)
    return (await session.exec(query)).all()


async def settle(*, session: AsyncSession, reminder_id: int, status: ReminderStatus,
                 alert_id: int | None = None) -> bool:
    """Move a planned reminder to ``status``; True if this call did it."""
    values: dict = {"status": status}
    if alert_id is not None:
        values["alert_id"] = alert_id
    result = await session.exec(
        update(_TABLE)
        .where(_TABLE.c.id == reminder_id, _TABLE.c.status == ReminderStatus.PLANNED)
        .values(**values)
    )
    return result.rowcount > 0


async def planned_due_times(*, session: AsyncSession) -> Sequence[dt.datetime]:
    """Every distinct due time of a planned reminder, earliest first (the jobs to schedule)."""
    query = (select(Reminder.due_at).where(Reminder.status == ReminderStatus.PLANNED)
             .distinct().order_by(Reminder.due_at))
    return (await session.exec(query)).all()
