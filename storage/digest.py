"""The daily news digest: news kept for the people who chose it, and the one alert a day that
carries it to each of them through the outbox (a ``Delivery`` row like any other alert).

At fan-out, a news alert's rows for digest readers become ``DigestItem`` rows due at their next
``DIGEST_HOUR`` (one ``INSERT … SELECT`` per time zone among them) and their delivery rows go.
When a person's items are due, :func:`make_digest` writes one alert for them with one delivery
row, in one transaction with deleting the items; a dedupe key makes it once only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Integer, delete, func, literal, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.sqltypes import UTCDateTime

from storage import dialect
from storage.db import note_outbox_write
from storage.models import Alert, Delivery, DeliveryStatus, DigestItem, Preference, utcnow
from storage.quiet_hours import next_local_hour

DIGEST_HOUR = 19  # local time of the daily digest
DIGEST_KIND = "digest"
DELIVERY = Delivery.__table__
PREFERENCE = Preference.__table__
ITEM = DigestItem.__table__


async def defer_to_digest(*, session: AsyncSession, alert_id: int, now: dt.datetime,
                          default_timezone: str = "UTC") -> int:
    """News: its rows for digest readers wait for their digest; how many were deferred."""
    readers = (select(PREFERENCE.c.supporter_id)
               .where(PREFERENCE.c.news_digest.is_(True)))
    zones = (await session.exec(
        select(PREFERENCE.c.timezone).distinct()
        .join(DELIVERY, DELIVERY.c.supporter_id == PREFERENCE.c.supporter_id)
        .where(DELIVERY.c.alert_id == alert_id, PREFERENCE.c.news_digest.is_(True)))).scalars().all()
    for zone in zones:
        due = next_local_hour(now, zone or default_timezone, DIGEST_HOUR)
        same_zone = (PREFERENCE.c.timezone.is_(None) if zone is None
                     else PREFERENCE.c.timezone == zone)
        rows = (select(DELIVERY.c.supporter_id, literal(alert_id, Integer),
                       literal(due, UTCDateTime()))
                .join(PREFERENCE, PREFERENCE.c.supporter_id == DELIVERY.c.supporter_id)
                .where(DELIVERY.c.alert_id == alert_id, PREFERENCE.c.news_digest.is_(True),
                       same_zone))
        await session.exec(ITEM.insert().from_select(["supporter_id", "alert_id", "due_at"],
                                                     rows))
    if not zones:
        return 0
    result = await session.exec(DELIVERY.delete().where(
        DELIVERY.c.alert_id == alert_id, DELIVERY.c.status == DeliveryStatus.PENDING,
        DELIVERY.c.supporter_id.in_(readers)))
    return max(result.rowcount or 0, 0)


async def due_readers(*, session: AsyncSession, now: dt.datetime) -> Sequence[int]:
    query = select(ITEM.c.supporter_id).where(ITEM.c.due_at <= now).distinct()
    return (await session.exec(query)).scalars().all()


async def make_digest(*, session: AsyncSession, chat_id: int, now: dt.datetime,
                      payload_of) -> Alert | None:
    """One digest alert for this person with their due items (``payload_of(alerts)`` builds
    its payload and default text from the news alerts), and its one delivery row."""
    items = (await session.exec(
        select(ITEM.c.alert_id, ITEM.c.due_at)
        .where(ITEM.c.supporter_id == chat_id, ITEM.c.due_at <= now)
        .order_by(ITEM.c.alert_id))).all()
    if not items:
        return None
    alert_ids = [row[0] for row in items]
    news = (await session.exec(select(Alert).where(Alert.id.in_(alert_ids))
                               .order_by(Alert.id))).scalars().all()
    await session.exec(delete(DigestItem).where(DigestItem.supporter_id == chat_id,
                                                DigestItem.alert_id.in_(alert_ids)))
    if not news:
        return None
    payload, text = payload_of(news)
    due = min(row[1] for row in items)
    statement = (dialect.insert(session, Alert.__table__)
                 .values(case_id=news[0].case_id, kind=DIGEST_KIND, text=text, payload=payload,
                         dedupe_key=f"digest:{chat_id}:{due.isoformat()}", created_at=now,
                         recipients=1)
                 .on_conflict_do_nothing(index_elements=["dedupe_key"])
                 .returning(Alert.__table__.c.id))
    digest_id = (await session.exec(statement)).scalar_one_or_none()
    if digest_id is None:
        return None
    await session.exec(DELIVERY.insert().values(
        alert_id=digest_id, supporter_id=chat_id, channel="telegram",
        status=DeliveryStatus.PENDING, attempts=0,
        next_attempt_at=utcnow()))  # the worker's clock, like every outbox row
    note_outbox_write(session)
    return await session.get(Alert, digest_id)


async def count_items(*, session: AsyncSession, chat_id: int) -> int:
    query = select(func.count()).select_from(ITEM).where(ITEM.c.supporter_id == chat_id)
    return (await session.exec(query)).scalar_one()
