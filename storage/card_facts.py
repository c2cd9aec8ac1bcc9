"""What a case card needs from the database, in one statement.

A card shows the next hearing, the latest held events, whether this person follows the case,
how many authorities' replies were shared, and (for coordinators) the slug. Read one query at
a time that was five statements and two sessions per card; a burst of people opening a shared
link spends most of its time on exactly this, so it is one statement (two for a case with no
event to show).
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
# are: the newest held events, and storage.cases.next_hearing; one statement for both.
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
_COUNT_COLUMNS = (
    exists().where(Subscription.supporter_id == bindparam("chat_id"),
                   Subscription.case_id == bindparam("case_id")),
    select(func.count()).select_from(AuthorityReply)
    .where(AuthorityReply.case_id == bindparam("case_id")).scalar_subquery(),
    exists().where(Coordinator.user_id == bindparam("user_id")),
)
# The events, each row carrying the three counts (computed once: they depend on no row), so a
# card is one statement; a case with no such event reads the counts alone.
_EVENTS = select(Event, *_COUNT_COLUMNS).where(or_(col(Event.id).in_(_LATEST_HELD),
                                                   col(Event.id).in_(_NEXT_SCHEDULED)))
_COUNTS = select(*_COUNT_COLUMNS)


async def card_facts(*, session: AsyncSession, case_id: int, chat_id: int,
                     user_id: int | None, now: dt.datetime | None = None) -> CardFacts:
    params = {"case_id": case_id, "now": now or utcnow(), "chat_id": chat_id,
              "user_id": user_id if user_id is not None else 0}
    rows = (await session.exec(_EVENTS, params=params)).all()
    events = [row[0] for row in rows]
    held = sorted((event for event in events if event.status == EventStatus.HELD),
                  key=lambda event: (event.date, event.id), reverse=True)
    ahead = next((event for event in events if event.status == EventStatus.SCHEDULED), None)
    subscribed, replies, coordinator = (
        tuple(rows[0][1:]) if rows else (await session.exec(_COUNTS, params=params)).one())
    return CardFacts(subscribed=bool(subscribed), next_hearing=ahead, latest=held,
                     replies=int(replies), coordinator=user_id is not None and bool(coordinator))
