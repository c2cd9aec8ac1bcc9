"""Hearings as a calendar reads them: one with its case, and those ahead in the cases I follow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Case, Event, EventStatus, Subscription

HEARING_EVENT_KINDS = ("hearing", "appeal_hearing")


async def hearing_with_case(*, session: AsyncSession,
                            event_id: int) -> tuple[Event, Case] | None:
    """A hearing (scheduled, held or cancelled) and its case; None for anything else."""
    query = (select(Event, Case).join(Case, Case.id == Event.case_id)
             .where(Event.id == event_id, col(Event.kind).in_(HEARING_EVENT_KINDS)))
    row = (await session.exec(query)).first()
    return (row[0], row[1]) if row is not None else None


async def upcoming_followed(*, session: AsyncSession, chat_id: int,
                            now: dt.datetime) -> Sequence[tuple[Event, Case]]:
    """Scheduled hearings still ahead in the cases ``chat_id`` follows, soonest first."""
    query = (
        select(Event, Case)
        .join(Case, Case.id == Event.case_id)
        .join(Subscription, Subscription.case_id == Case.id)
        .where(Subscription.supporter_id == chat_id, Event.status == EventStatus.SCHEDULED,
               col(Event.kind).in_(HEARING_EVENT_KINDS), col(Event.starts_at) > now)
        .order_by(Event.starts_at, Event.id)
    )
    return [(event, case) for event, case in (await session.exec(query)).all()]
