"""The audit log: who did what, when. Written in the same transaction as the action itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry, utcnow

DETAIL_LIMIT = 500


async def record(*, session: AsyncSession, actor_id: int, action: str, detail: str = "",
                 now: dt.datetime | None = None) -> None:
    if len(detail) > DETAIL_LIMIT:
        detail = detail[: DETAIL_LIMIT - 1] + "…"
    session.add(AuditEntry(actor_id=actor_id, action=action[:32], detail=detail,
                           created_at=now or utcnow()))
    await session.flush()


async def recent(*, session: AsyncSession, limit: int = 20,
                 actor_id: int | None = None) -> Sequence[AuditEntry]:
    """The newest entries first (of one actor, if given)."""
    query = select(AuditEntry)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    query = query.order_by(col(AuditEntry.created_at).desc(),
                           col(AuditEntry.id).desc()).limit(limit)
    return (await session.exec(query)).all()
