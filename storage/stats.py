"""Numbers for coordinators: subscribers and their growth, deliveries, letters, what is coming up.

Every query groups in the database (one row per case or per addressee), never row by row in
Python, so it stays cheap with many supporters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, func
from sqlalchemy import case as sql_case
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Alert, Case, Delivery, Event, Subscription, Supporter


@dataclass(frozen=True)
class SubscriberStats:
    case_id: int
    total: int  # every subscription
    reachable: int  # of those, supporters who have not blocked the bot
    last_7_days: int  # subscriptions made in the last 7 days
    last_30_days: int


@dataclass(frozen=True)
class DeliveryStats:
    case_id: int
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    pending: int = 0  # pending or being sent


def _count_if(condition) -> object:
    return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0).cast(Integer)


async def subscriber_stats(*, session: AsyncSession, now: dt.datetime,
                           case_id: int | None = None) -> dict[int, SubscriberStats]:
    """Per case (only cases with at least one subscriber appear)."""
    week, month = now - dt.timedelta(days=7), now - dt.timedelta(days=30)
    query = (
        select(
            Subscription.case_id,
            func.count(),
            _count_if(col(Supporter.blocked_at).is_(None)),
            _count_if(col(Subscription.created_at) >= week),
            _count_if(col(Subscription.created_at) >= month),
        )
        .join(Supporter, Supporter.chat_id == Subscription.supporter_id)
        .group_by(Subscription.case_id)
    )
    if case_id is not None:
        query = query.where(Subscription.case_id == case_id)
    rows = (await session.exec(query)).all()
    return {row[0]: SubscriberStats(*row) for row in rows}


async def delivery_stats(*, session: AsyncSession,
                         case_id: int | None = None) -> dict[int, DeliveryStats]:
    """Per case: how the deliveries of its alerts ended (so far)."""
    query = (
        select(
            Alert.case_id,
            _count_if(Delivery.status == "sent"),
            _count_if(Delivery.status == "blocked"),
            _count_if(Delivery.status == "failed"),
            _count_if(col(Delivery.status).in_(("pending", "sending"))),
        )
        .join(Alert, Alert.id == Delivery.alert_id)
        .group_by(Alert.case_id)
    )
    if case_id is not None:
        query = query.where(Alert.case_id == case_id)
    rows = (await session.exec(query)).all()
    return {row[0]: DeliveryStats(*row) for row in rows}


async def upcoming_hearings(*, session: AsyncSession, now: dt.datetime,
                            limit: int = 30) -> Sequence[tuple[Event, Case]]:
    """Scheduled hearings still to come, across cases, soonest first."""
    query = (
        select(Event, Case)
        .join(Case, Case.id == Event.case_id)
        # A closed case needs no more action: its hearings no longer count as upcoming.
        .where(Event.status == "scheduled", col(Event.starts_at) > now,
               col(Case.closed_at).is_(None))
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    return (await session.exec(query)).all()
