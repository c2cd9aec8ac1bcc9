"""Who may coordinate: owners come from ADMIN_IDS (settings); coordinators live in this table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect
from storage.models import Coordinator


async def is_coordinator(*, session: AsyncSession, user_id: int) -> bool:
    return await session.get(Coordinator, user_id) is not None


async def can_coordinate(*, session: AsyncSession, user_id: int, owners: Iterable[int]) -> bool:
    """Owners (ADMIN_IDS) and the coordinators they added."""
    return user_id in set(owners) or await is_coordinator(session=session, user_id=user_id)


async def list_coordinators(*, session: AsyncSession) -> Sequence[Coordinator]:
    return (await session.exec(select(Coordinator).order_by(Coordinator.added_at))).all()


async def add_coordinator(*, session: AsyncSession, user_id: int, added_by: int) -> bool:
    """True if this made a new coordinator (ON CONFLICT DO NOTHING: races make one row)."""
    statement = (
        dialect.insert(session, Coordinator)
        .values(user_id=user_id, added_by=added_by)
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    return (await session.exec(statement)).rowcount > 0


async def remove_coordinator(*, session: AsyncSession, user_id: int) -> bool:
    result = await session.exec(delete(Coordinator).where(Coordinator.user_id == user_id))
    return result.rowcount > 0
