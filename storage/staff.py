"""What limits a coordinator and how they are named: the cases a limited coordinator may work on
(no rows: every case) and the label a coordinator chose for /audit and /coordinators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect
from storage.models import CoordinatorCase, StaffLabel


async def case_limits(*, session: AsyncSession, user_id: int) -> frozenset[int]:
    """The ids of the cases this coordinator is limited to; empty: not limited."""
    query = select(CoordinatorCase.case_id).where(CoordinatorCase.user_id == user_id)
    return frozenset((await session.exec(query)).all())


async def all_case_limits(*, session: AsyncSession) -> dict[int, frozenset[int]]:
    limits: dict[int, set[int]] = {}
    for user_id, case_id in (await session.exec(select(CoordinatorCase.user_id,
                                                        CoordinatorCase.case_id))).all():
        limits.setdefault(user_id, set()).add(case_id)
    return {user_id: frozenset(ids) for user_id, ids in limits.items()}


async def set_case_limits(*, session: AsyncSession, user_id: int,
                          case_ids: Iterable[int]) -> None:
    """Replace this coordinator's limits (an empty list: every case)."""
    await session.exec(delete(CoordinatorCase).where(CoordinatorCase.user_id == user_id))
    for case_id in sorted(set(case_ids)):
        session.add(CoordinatorCase(user_id=user_id, case_id=case_id))
    await session.flush()


async def labels(*, session: AsyncSession, user_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    query = select(StaffLabel.user_id, StaffLabel.label).where(StaffLabel.user_id.in_(ids))
    return dict((await session.exec(query)).all())


async def set_label(*, session: AsyncSession, user_id: int, label: str,
                    now: dt.datetime) -> None:
    await dialect.upsert(session, StaffLabel, {"user_id": user_id},
                         {"label": label, "updated_at": now})
