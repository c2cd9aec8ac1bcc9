"""What a case card needs from the database, in two statements.

A card shows the next hearing, the latest held events, whether this person follows the case,
how many authorities' replies were shared, and (for coordinators) the slug. Read one query at
a time that was five statements and two sessions per card; a burst of people opening a shared
link spends most of its time on exactly this, so the events come in one statement and the
three counts in another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuthorityReply, Coordinator, Event, EventStatus, Subscription, utcnow

LATEST = 3  # held events a card lists


@dataclass(frozen=True)
class CardFacts:
    subscribed: bool
    next_hearing: Event | None
    latest: Sequence[Event]  # newest first
    replies: int
    coordinator: bool  # the viewer is in the coordinators' table (owners are not stored)


# Built once: constructing these expressions per card cost more than running them. The orders
# are those of storage.cases.latest_events and next_hearing, one statement for both.
_LATEST_HELD = (select(Event.id)
                .where(Event.case_id == bindparam("case_id"), Event.status == EventStatus.HELD)
                .order_by(col(Event.date).desc(), col(Event.id).desc())
                .limit(LATEST))
_NEXT_SCHEDULED = (select(Event.id)
                   .where(Event.case_id == bindparam("case_id"),
                          Event.status == EventStatus.SCHEDULED,
                          col(Event.starts_at) > bindparam("now"))
                   .order_by(Event.starts_at)
                   .limit(1))
_EVENTS = select(Event).where(or_(col(Event.id).in_(_LATEST_HELD),
                                  col(Event.id).in_(_NEXT_SCHEDULED)))
_COUNTS = select(
    exists().where(Subscription.supporter_id == bindparam("chat_id"),
                   Subscription.case_id == bindparam("case_id")),
    select(func.count()).select_from(AuthorityReply)
    .where(AuthorityReply.case_id == bindparam("case_id")).scalar_subquery(),
    exists().where(Coordinator.user_id == bindparam("user_id")),
)


async def card_facts(*, session: AsyncSession, case_id: int, chat_id: int,
                     user_id: int | None, now: dt.datetime | None = None) -> CardFacts:
    rows = (await session.exec(_EVENTS, params={"case_id": case_id,
                                                "now": now or utcnow()})).all()
    held = sorted((row for row in rows if row.status == EventStatus.HELD),
                  key=lambda row: (row.date, row.id), reverse=True)
    ahead = next((row for row in rows if row.status == EventStatus.SCHEDULED), None)
    subscribed, replies, coordinator = (await session.exec(_COUNTS, params={
        "chat_id": chat_id, "case_id": case_id,
        "user_id": user_id if user_id is not None else 0})).one()
    return CardFacts(subscribed=bool(subscribed), next_hearing=ahead, latest=held,
                     replies=int(replies), coordinator=user_id is not None and bool(coordinator))
