"""Coordinator messages waiting for [Send] or [Cancel] (PendingBroadcast rows).

The preview lives in the database, so any bot process can confirm it. Leaving ``draft`` is a
conditional UPDATE (… WHERE status = 'draft'): of two presses, in one process or in two, exactly
one changes the row and goes on to send; the other is told it was already handled.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import PendingBroadcast, utcnow

DRAFT, SENT, CANCELLED = "draft", "sent", "cancelled"


async def create_draft(*, session: AsyncSession, actor_id: int, case_id: int, kind: str,
                       payload: dict, now: dt.datetime | None = None) -> PendingBroadcast:
    row = PendingBroadcast(actor_id=actor_id, case_id=case_id, kind=kind, payload=payload,
                           status=DRAFT, created_at=now or utcnow())
    session.add(row)
    await session.flush()
    return row


async def get_broadcast(*, session: AsyncSession, broadcast_id: int) -> PendingBroadcast | None:
    return await session.get(PendingBroadcast, broadcast_id)


async def leave_draft(*, session: AsyncSession, broadcast_id: int, actor_id: int, status: str,
                      not_before: dt.datetime) -> bool:
    """Move a draft of this actor, made after ``not_before``, to ``status``; True if this call
    did it. Must be the transaction's first statement on the row (no earlier SELECT), so that
    SQLite takes the write lock before reading and PostgreSQL re-checks the row after a
    concurrent UPDATE."""
    result = await session.exec(
        update(PendingBroadcast)
        .where(PendingBroadcast.id == broadcast_id, PendingBroadcast.status == DRAFT,
               PendingBroadcast.actor_id == actor_id,
               PendingBroadcast.created_at >= not_before)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def set_status(*, session: AsyncSession, broadcast_id: int, status: str,
                     alert_id: int | None = None) -> None:
    values: dict = {"status": status}
    if alert_id is not None:
        values["alert_id"] = alert_id
    await session.exec(
        update(PendingBroadcast).where(PendingBroadcast.id == broadcast_id).values(**values)
        .execution_options(synchronize_session=False)
    )


async def set_payload(*, session: AsyncSession, broadcast_id: int, payload: dict) -> bool:
    """A draft's facts changed before Send (a version of its text was added); False if it is
    no longer a draft (sent or cancelled meanwhile)."""
    result = await session.exec(
        update(PendingBroadcast)
        .where(PendingBroadcast.id == broadcast_id, PendingBroadcast.status == DRAFT)
        .values(payload=payload)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
