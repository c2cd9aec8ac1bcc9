"""What a coordinator does with an alert after it went out: correct its delivered copies, re-send
the part that failed, and the figures its report shows (failures that may be re-sent, people who
may have got it twice).

A **correction** is an alert of its own (kind ``correction``) whose ``Delivery`` rows name the
message to edit (``edit_message_id``): one row per delivered copy, written by one ``INSERT …
SELECT`` from the original's sent rows. The delivery worker drains them like any other rows
(leases, pacing, group commits), so each copy is edited once; a row recorded as done is never
claimed again after a crash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, String, and_, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.sqltypes import UTCDateTime

from storage import dialect
from storage.alerts import ALERT, DELIVERY, SUPPORTER
from storage.db import note_outbox_write
from storage.models import Alert, DeliveryChannel, DeliveryStatus, utcnow

CORRECTION = "correction"  # Alert.kind of a correction

SENT, FAILED, PENDING = DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.PENDING


def _may_be_twice():
    """A row whose recipient may have got the message twice: an attempt whose answer was lost
    (it may have been delivered) besides the one that was, or two lost ones. Edits are left
    out: editing a copy twice leaves one copy."""
    lost = DELIVERY.c.attempts - DELIVERY.c.answers
    return and_(DELIVERY.c.edit_message_id.is_(None),
                or_(and_(DELIVERY.c.status == SENT, lost >= 1), lost >= 2))


def _retryable_failed():
    return and_(DELIVERY.c.status == FAILED, DELIVERY.c.retryable.is_(True))


def _copies(alert_id: int):
    """The delivered copies of an alert that can still be edited: sent, with a message id, to
    someone who has not blocked the bot."""
    joined = DELIVERY.join(SUPPORTER, SUPPORTER.c.chat_id == DELIVERY.c.supporter_id)
    where = and_(DELIVERY.c.alert_id == alert_id, DELIVERY.c.status == SENT,
                 DELIVERY.c.message_id.is_not(None), SUPPORTER.c.blocked_at.is_(None))
    return joined, where


@dataclass(frozen=True)
class Details:
    """Beyond {pending, sent, blocked, failed}: failed rows that may be re-sent, and rows whose
    recipient may have got the message twice."""

    retryable: int = 0
    twice: int = 0


async def alert_details(conn: AsyncSession | AsyncConnection, alert_id: int) -> Details:
    query = select(
        func.coalesce(func.sum(case((_retryable_failed(), 1), else_=0)), 0),
        func.coalesce(func.sum(case((_may_be_twice(), 1), else_=0)), 0),
    ).where(DELIVERY.c.alert_id == alert_id)
    run = conn.exec if isinstance(conn, AsyncSession) else conn.execute
    retryable, twice = (await run(query)).one()
    return Details(int(retryable), int(twice))


async def count_copies(session: AsyncSession, alert_id: int) -> int:
    """How many copies a correction of this alert would edit, now."""
    joined, where = _copies(alert_id)
    return (await session.exec(select(func.count()).select_from(joined).where(where))
            ).scalar_one()


async def queue_correction(*, session: AsyncSession, original: Alert, text: str, payload: dict,
                           dedupe_key: str, created_by: int, status_chat_id: int | None,
                           status_message_id: int | None) -> Alert | None:
    """Write a correction of ``original`` and one edit row per delivered copy, in the caller's
    transaction; None if ``dedupe_key`` was used already."""
    now = utcnow()
    statement = (
        dialect.insert(session, ALERT)
        .values(case_id=original.case_id, event_id=original.event_id, kind=CORRECTION,
                text=text, dedupe_key=dedupe_key, created_by=created_by, created_at=now,
                recipients=0, status_chat_id=status_chat_id,
                status_message_id=status_message_id, payload=payload)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(ALERT.c.id)
    )
    alert_id = (await session.exec(statement)).scalar_one_or_none()
    if alert_id is None:
        return None
    joined, where = _copies(original.id)
    copies = select(
        literal(alert_id, Integer), DELIVERY.c.supporter_id,
        literal(DeliveryChannel.TELEGRAM.value, String(16)), literal(PENDING.value, String(16)),
        literal(0, Integer), literal(now, UTCDateTime()), DELIVERY.c.message_id,
    ).select_from(joined).where(where)
    await session.exec(DELIVERY.insert().from_select(
        ["alert_id", "supporter_id", "channel", "status", "attempts", "next_attempt_at",
         "edit_message_id"], copies))
    note_outbox_write(session)
    recipients = (await session.exec(select(func.count()).select_from(DELIVERY)
                                     .where(DELIVERY.c.alert_id == alert_id))).scalar_one()
    await session.exec(update(ALERT).where(ALERT.c.id == alert_id)
                       .values(recipients=recipients))
    return await session.get(Alert, alert_id)


async def requeue_failed(*, session: AsyncSession, alert_id: int,
                         status_chat_id: int | None, status_message_id: int | None) -> int:
    """Queue the alert's failed rows that may work now (not blocked, not malformed) again,
    due at once; the alert reports its end again, in the given status message. Returns how
    many rows were queued (0 when a concurrent press took them)."""
    result = await session.exec(  # due now by the workers' clock (operational time)
        update(DELIVERY).where(DELIVERY.c.alert_id == alert_id, _retryable_failed())
        .values(status=PENDING, retryable=False, next_attempt_at=utcnow(), claimed_until=None)
        .execution_options(synchronize_session=False))
    queued = max(result.rowcount or 0, 0)
    if queued:
        await session.exec(
            update(ALERT).where(ALERT.c.id == alert_id)
            .values(finished_at=None, status_chat_id=status_chat_id,
                    status_message_id=status_message_id)
            .execution_options(synchronize_session=False))
        note_outbox_write(session)
    return queued


@dataclass(frozen=True)
class FailedAlert:
    alert_id: int
    case_id: int
    kind: str
    created_at: dt.datetime
    failed: int
    retryable: int
    twice: int


async def alerts_needing_attention(*, session: AsyncSession, case_id: int | None = None,
                                   limit: int = 10) -> list[FailedAlert]:
    """The latest alerts with failed deliveries or possible duplicates, newest first."""
    failed = func.sum(case((DELIVERY.c.status == FAILED, 1), else_=0))
    retryable = func.sum(case((_retryable_failed(), 1), else_=0))
    twice = func.sum(case((_may_be_twice(), 1), else_=0))
    query = (select(ALERT.c.id, ALERT.c.case_id, ALERT.c.kind, ALERT.c.created_at, failed,
                    retryable, twice)
             .select_from(ALERT.join(DELIVERY, DELIVERY.c.alert_id == ALERT.c.id))
             .group_by(ALERT.c.id, ALERT.c.case_id, ALERT.c.kind, ALERT.c.created_at)
             .having(or_(failed > 0, twice > 0))
             .order_by(ALERT.c.id.desc()).limit(limit))
    if case_id is not None:
        query = query.where(ALERT.c.case_id == case_id)
    return [FailedAlert(*row) for row in (await session.exec(query)).all()]


async def twice_count(*, session: AsyncSession, case_id: int | None = None) -> int:
    """Deliveries whose recipient may have got the alert twice (of one case, or all)."""
    query = select(func.count()).select_from(DELIVERY).where(_may_be_twice())
    if case_id is not None:
        query = query.where(DELIVERY.c.alert_id.in_(
            select(ALERT.c.id).where(ALERT.c.case_id == case_id)))
    return (await session.exec(query)).scalar_one()
