"""Which cases a coordinator may see and change: owners and unlimited coordinators every case,
a coordinator an owner limited (``/addcoordinator <id> <case…>``) only those."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import staff


@dataclass(frozen=True)
class Scope:
    case_ids: frozenset[int] | None = None  # None: every case

    @property
    def limited(self) -> bool:
        return self.case_ids is not None

    def allows(self, case_id: int | None) -> bool:
        return self.case_ids is None or case_id in self.case_ids


EVERY_CASE = Scope()


async def scope_of(*, session: AsyncSession, user_id: int | None,
                   owners: Iterable[int]) -> Scope:
    if user_id is None or user_id in set(owners):
        return EVERY_CASE
    limits = await staff.case_limits(session=session, user_id=user_id)
    return Scope(limits) if limits else EVERY_CASE
