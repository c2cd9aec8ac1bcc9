"""The audit log: who did what, when. Written in the same transaction as the action itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry, utcnow

DETAIL_LIMIT = 500
# The actor of entries whose author asked to be forgotten: the entries stay (the team must see
# what was sent and when), no longer linked to a person.
FORMER_ACTOR = 0


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


async def unlink_actor(*, session: AsyncSession, actor_id: int) -> int:
    """Keep this person's entries under :data:`FORMER_ACTOR`; how many there were."""
    result = await session.exec(
        update(AuditEntry).where(AuditEntry.actor_id == actor_id).values(actor_id=FORMER_ACTOR))
    return result.rowcount or 0
