"""Worker heartbeats: one row per live worker process, renewed every few seconds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import WorkerHeartbeat

# A heartbeat older than this belongs to a process that is gone: its row is removed.
FORGET_AFTER = dt.timedelta(hours=1)


async def beat(*, session: AsyncSession, worker_id: str, role: str, now: dt.datetime) -> None:
    row = await session.get(WorkerHeartbeat, worker_id)
    if row is None:
        session.add(WorkerHeartbeat(worker_id=worker_id, role=role, started_at=now, seen_at=now))
    else:
        row.seen_at = now
    await session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.seen_at < now - FORGET_AFTER))


async def forget(*, session: AsyncSession, worker_id: str) -> None:
    await session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == worker_id))


async def newest(*, session: AsyncSession) -> dt.datetime | None:
    """When the most recently seen worker last said it was alive (None: no worker)."""
    return (await session.execute(select(func.max(WorkerHeartbeat.seen_at)))).scalar_one_or_none()

