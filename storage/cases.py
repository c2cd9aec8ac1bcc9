"""Queries about cases and their timelines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import bindparam, func
from sqlalchemy import case as sql_case
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Case, Event, utcnow


def _open_first():
    # Open cases first: a case is open when its file says so and no coordinator closed it.
    return sql_case((((Case.status == "open") & col(Case.closed_at).is_(None)), 0), else_=1)


async def count_cases(*, session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Case))).one()


async def list_cases(*, session: AsyncSession, offset: int = 0, limit: int = 8) -> Sequence[Case]:
    query = select(Case).order_by(_open_first(), Case.title).offset(offset).limit(limit)
    return (await session.exec(query)).all()


async def list_open_cases(*, session: AsyncSession) -> Sequence[Case]:
    query = select(Case).where(Case.status == "open", col(Case.closed_at).is_(None))
    return (await session.exec(query.order_by(Case.title))).all()


async def get_case(*, session: AsyncSession, case_id: int) -> Case | None:
    return await session.get(Case, case_id)


async def get_case_by_slug(*, session: AsyncSession, slug: str) -> Case | None:
    return (await session.exec(select(Case).where(Case.slug == slug))).first()


_BY_SLUG_CI = select(Case).where(func.lower(Case.slug) == bindparam("slug"))  # built once


async def get_case_by_slug_ci(*, session: AsyncSession, slug: str) -> Case | None:
    """The case whose slug is ``slug`` in any letter case (``Kharkova`` is kharkova); an exact
    match wins should two slugs differ only in case."""
    rows = (await session.exec(_BY_SLUG_CI, params={"slug": slug.lower()})).all()
    return next((row for row in rows if row.slug == slug), rows[0] if rows else None)


async def all_cases(*, session: AsyncSession) -> Sequence[Case]:
    return (await session.exec(select(Case).order_by(_open_first(), Case.title))).all()


async def all_slugs(*, session: AsyncSession) -> list[str]:
    return list((await session.exec(select(Case.slug).order_by(Case.slug))).all())


async def slugs_by_id(*, session: AsyncSession) -> dict[int, str]:
    return dict((await session.exec(select(Case.id, Case.slug))).all())


async def timeline(*, session: AsyncSession, case_id: int) -> Sequence[Event]:
    query = (
        select(Event)
        .where(Event.case_id == case_id)
        .order_by(Event.date, col(Event.time).is_(None), Event.time, Event.id)
    )
    return (await session.exec(query)).all()


async def next_hearing(*, session: AsyncSession, case_id: int,
                       now: dt.datetime | None = None) -> Event | None:
    query = (
        select(Event)
        .where(Event.case_id == case_id, Event.status == "scheduled",
               col(Event.starts_at) > (now or utcnow()))
        .order_by(Event.starts_at)
        .limit(1)
    )
    return (await session.exec(query)).first()
