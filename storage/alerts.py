"""Queries for the alert outbox: alerts, their deliveries, and the claims delivery workers take.

Everything here is set-based SQL that runs the same on SQLite and PostgreSQL (except two
PostgreSQL-only parts for several processes: the per-chat rule in the claim, and results
written by one statement over arrays):

- an alert and one ``Delivery`` row per active subscriber are written by one
  ``INSERT … SELECT`` in the caller's transaction (no Python loop over subscribers);
- a dedupe key makes an alert idempotent through ``INSERT … ON CONFLICT DO NOTHING``;
- writing an alert flags the transaction (:func:`storage.db.note_outbox_write`), so the
  process's delivery worker is woken when it commits;
- workers claim pending rows with a lease (``status='sending'`` + ``claimed_until``) by one
  conditional ``WITH due AS (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) UPDATE … WHERE id IN
  due AND status='pending' RETURNING``. PostgreSQL skips rows another transaction is claiming;
  SQLite runs each write statement under its database write lock, so the re-checked status
  makes the claim exclusive there too. On PostgreSQL the claim also locks each chosen person's
  row, takes one row per chat and skips chats whose ``send_free_at`` is still ahead
  (:func:`claim_due`), so Telegram's 1 msg/s per chat holds across processes.

The worker-side functions take a Core ``AsyncConnection`` (``db.engine.begin()``): they run
hundreds of times a second during a broadcast and need no ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Integer,
    String,
    bindparam,
    case,
    exists,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.sqltypes import UTCDateTime

from storage import dialect
from storage.db import note_outbox_write
from storage.models import (
    Alert,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Subscription,
    Supporter,
    utcnow,
)

ALERT = Alert.__table__
DELIVERY = Delivery.__table__
SUPPORTER = Supporter.__table__
SUBSCRIPTION = Subscription.__table__

PENDING, SENDING, SENT, BLOCKED, FAILED = (
    DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.BLOCKED,
    DeliveryStatus.FAILED)
OPEN_STATUSES = (PENDING, SENDING)

# SQLite allows 32766 bound variables per statement; stay far below for IN (…) lists.
_CHUNK = 500



def _chunks(items: Sequence) -> Iterable[Sequence]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _active_subscribers(case_id: int):
    """FROM subscription JOIN supporter … WHERE the case matches and the person is reachable."""
    joined = SUBSCRIPTION.join(SUPPORTER, SUPPORTER.c.chat_id == SUBSCRIPTION.c.supporter_id)
    return joined, (SUBSCRIPTION.c.case_id == case_id) & SUPPORTER.c.blocked_at.is_(None)


# ------------------------------------------------------------------------------------- outbox
async def insert_alert_with_deliveries(
    *, session: AsyncSession, case_id: int, kind: str, text: str, event_id: int | None = None,
    dedupe_key: str | None = None, created_by: int | None = None,
    status_chat_id: int | None = None, status_message_id: int | None = None,
    payload: dict | None = None, priority: int = 0,
) -> Alert | None:
    """Write an alert and its deliveries in the caller's transaction; None if deduplicated."""
    now = utcnow()
    statement = (
        dialect.insert(session, ALERT)
        .values(case_id=case_id, event_id=event_id, kind=kind, text=text, dedupe_key=dedupe_key,
                created_by=created_by, created_at=now, recipients=0,
                status_chat_id=status_chat_id, status_message_id=status_message_id,
                payload=payload, priority=priority)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(ALERT.c.id)
    )
    alert_id = (await session.exec(statement)).scalar_one_or_none()
    if alert_id is None:
        return None  # an alert with this dedupe key exists: write nothing

    joined, where = _active_subscribers(case_id)
    audience = (
        select(
            literal(alert_id, Integer),
            SUBSCRIPTION.c.supporter_id,
            literal(DeliveryChannel.TELEGRAM.value, String(16)),
            literal(PENDING.value, String(16)),
            literal(0, Integer),
            literal(now, UTCDateTime()),
        )
        .select_from(joined)
        .where(where)
    )
    result = await session.exec(
        DELIVERY.insert().from_select(
            ["alert_id", "supporter_id", "channel", "status", "attempts", "next_attempt_at"],
            audience,
        )
    )
    note_outbox_write(session)
    recipients = result.rowcount
    if recipients is None or recipients < 0:  # a driver that does not report it
        recipients = await _count_deliveries(session, alert_id)
    await session.exec(update(ALERT).where(ALERT.c.id == alert_id)
                          .values(recipients=recipients))
    return await session.get(Alert, alert_id)


async def _count_deliveries(session: AsyncSession, alert_id: int) -> int:
    query = select(func.count()).select_from(DELIVERY).where(DELIVERY.c.alert_id == alert_id)
    return (await session.exec(query)).scalar_one()


async def get_alert_by_dedupe_key(*, session: AsyncSession, dedupe_key: str) -> Alert | None:
    query = select(Alert).where(Alert.dedupe_key == dedupe_key)
    return (await session.exec(query)).scalars().first()


async def count_audience(session: AsyncSession, case_id: int) -> int:
    """How many people an alert for this case would reach now (for a coordinator's preview)."""
    joined, where = _active_subscribers(case_id)
    query = select(func.count()).select_from(joined).where(where)
    return (await session.exec(query)).scalar_one()


async def alert_report(session: AsyncSession | AsyncConnection,
                       alert_id: int) -> dict[str, int]:
    """{pending, sent, blocked, failed, total} for one alert; rows being sent count as pending.
    Takes a session or (in the delivery worker) a Core connection."""
    query = (select(DELIVERY.c.status, func.count())
             .where(DELIVERY.c.alert_id == alert_id).group_by(DELIVERY.c.status))
    run = session.exec if isinstance(session, AsyncSession) else session.execute
    counts = dict((await run(query)).all())
    report = {
        "pending": counts.get(PENDING, 0) + counts.get(SENDING, 0),
        "sent": counts.get(SENT, 0),
        "blocked": counts.get(BLOCKED, 0),
        "failed": counts.get(FAILED, 0),
    }
    report["total"] = sum(report.values())
    return report


async def drop_pending_deliveries(*, session: AsyncSession, chat_id: int,
                                  case_id: int | None = None) -> int:
    """Someone unsubscribed (from ``case_id``, or from everything): the alerts still queued
    for them are not sent. Rows already being sent are left alone."""
    statement = DELIVERY.delete().where(DELIVERY.c.supporter_id == chat_id,
                                        DELIVERY.c.status == PENDING)
    if case_id is not None:
        statement = statement.where(DELIVERY.c.alert_id.in_(
            select(ALERT.c.id).where(ALERT.c.case_id == case_id)))
    result = await session.exec(statement)
    return max(result.rowcount or 0, 0)


# ------------------------------------------------------------------------------------ claims
@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    alert_id: int
    chat_id: int
    attempts: int
    language: str = "en"  # the recipient's interface language, to render the alert in
    edit_message_id: int | None = None  # a correction's row: edit this message, send nothing
    priority: int = 0  # the alert's (higher is sent first)
    turn: int = 0  # its place among the rows of its alert in one claim (round-robin)


async def claim_due(*, conn: AsyncConnection, now: dt.datetime, lease_until: dt.datetime,
                    limit: int, channel: DeliveryChannel = DeliveryChannel.TELEGRAM,
                    alert_id: int | None = None,
                    held_now: dt.datetime | None = None) -> list[ClaimedDelivery]:
    """Lease up to ``limit`` due pending rows of ``channel`` (of one alert, if given) to the
    caller (oldest first); see module doc. :mod:`storage.fair_claims` shares a claim between
    alerts. A row held by its recipient's quiet hours (``not_before``) waits until
    ``held_now`` (the bot's scheduling clock; default ``now``) reaches it.

    PostgreSQL (several processes): at most one row per chat, and only of chats whose
    ``send_free_at`` has passed; the same statement sets it to ``lease_until`` (nobody else
    claims the chat while the row is held) and :func:`record_outcomes` moves it to one
    interval after the answer, so Telegram's 1 msg/s per chat holds across processes. The
    chat's row is locked with the delivery's (``SKIP LOCKED``), so two claims running at once
    cannot both take it: the second skips it, or re-reads ``send_free_at`` once the first has
    committed."""
    held_now = held_now or now
    paced = conn.dialect.name == "postgresql"
    # A CTE, not "id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)": PostgreSQL may re-run
    # such a subquery while the UPDATE proceeds, and each re-run skips the rows this very
    # statement just updated and returns the next n — claiming far more than n rows.
    due = (
        select(DELIVERY.c.id, DELIVERY.c.supporter_id, DELIVERY.c.next_attempt_at)
        .where(DELIVERY.c.status == PENDING, DELIVERY.c.next_attempt_at <= now,
               DELIVERY.c.channel == channel,
               DELIVERY.c.not_before.is_(None) | (DELIVERY.c.not_before <= held_now))
        .where(*([] if alert_id is None else [DELIVERY.c.alert_id == alert_id]))
        .order_by(DELIVERY.c.next_attempt_at)
        .limit(limit)
    )
    if paced:
        due = (due.join(SUPPORTER, SUPPORTER.c.chat_id == DELIVERY.c.supporter_id)
               .where(SUPPORTER.c.send_free_at.is_(None) | (SUPPORTER.c.send_free_at <= now))
               # NO KEY: the supporter row stays free for foreign-key checks (enqueues)
               .with_for_update(skip_locked=True, key_share=True, of=[DELIVERY, SUPPORTER]))
    else:
        due = due.with_for_update(skip_locked=True)  # SQLite renders nothing
    due = due.cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    chosen = due
    if paced:  # one row per chat: its earliest due
        chosen = (select(due.c.id, due.c.supporter_id).ext(distinct_on(due.c.supporter_id))
                  .order_by(due.c.supporter_id, due.c.next_attempt_at, due.c.id).cte("chosen"))
    statement = (
        update(DELIVERY)
        .where(DELIVERY.c.id.in_(select(chosen.c.id)), DELIVERY.c.status == PENDING)
        .values(status=SENDING, claimed_until=lease_until)
        .returning(DELIVERY.c.id, DELIVERY.c.alert_id, DELIVERY.c.supporter_id,
                   DELIVERY.c.attempts, DELIVERY.c.edit_message_id)
    )
    if paced:
        statement = statement.add_cte(
            update(SUPPORTER).where(SUPPORTER.c.chat_id.in_(select(chosen.c.supporter_id)))
            .values(send_free_at=lease_until).cte("busy"))
    rows = (await conn.execute(statement)).all()
    languages: dict[int, str] = {}
    for chunk in _chunks(sorted({row[2] for row in rows})):
        languages.update((await conn.execute(
            select(SUPPORTER.c.chat_id, SUPPORTER.c.language)
            .where(SUPPORTER.c.chat_id.in_(chunk)))).all())
    claimed = [ClaimedDelivery(*row[:4], language=languages.get(row[2]) or "en",
                               edit_message_id=row[4]) for row in rows]
    claimed.sort(key=lambda row: row.id)
    return claimed


async def _space_chats(conn: AsyncConnection, ids: Sequence[int], free_at: dt.datetime,
                       *, extend: bool = False) -> None:
    """PostgreSQL: the chats of these leased rows may be claimed again from ``free_at`` (or,
    ``extend``, not before it)."""
    if conn.dialect.name != "postgresql":
        return
    free = literal(free_at, UTCDateTime())
    value = func.greatest(SUPPORTER.c.send_free_at, free) if extend else free
    for chunk in _chunks(list(ids)):
        chats = select(DELIVERY.c.supporter_id).where(DELIVERY.c.id.in_(chunk),
                                                      DELIVERY.c.status == SENDING)
        await conn.execute(update(SUPPORTER).where(SUPPORTER.c.chat_id.in_(chats))
                           .values(send_free_at=value))


async def renew_leases(*, conn: AsyncConnection, ids: Sequence[int],
                       lease_until: dt.datetime) -> None:
    await _space_chats(conn, ids, lease_until, extend=True)  # still ours: nobody else's
    for chunk in _chunks(list(ids)):
        await conn.execute(
            update(DELIVERY)
            .where(DELIVERY.c.id.in_(chunk), DELIVERY.c.status == SENDING)
            .values(claimed_until=lease_until)
        )


async def release(*, conn: AsyncConnection, ids: Sequence[int],
                  chat_free_at: dt.datetime | None = None) -> None:
    """Give leased rows back (not sent): pending again, due at once; their chats free from
    ``chat_free_at`` (a request cut short may have reached the chat), else at once."""
    await _space_chats(conn, ids, chat_free_at or utcnow())
    for chunk in _chunks(list(ids)):
        await conn.execute(
            update(DELIVERY)
            .where(DELIVERY.c.id.in_(chunk), DELIVERY.c.status == SENDING)
            .values(status=PENDING, claimed_until=None)
        )


async def release_expired_leases(*, conn: AsyncConnection, now: dt.datetime) -> int:
    """Rows whose worker died (lease passed and not renewed) become pending again."""
    result = await conn.execute(
        update(DELIVERY)
        .where(DELIVERY.c.status == SENDING, DELIVERY.c.claimed_until < now)
        .values(status=PENDING, claimed_until=None)
    )
    return max(result.rowcount or 0, 0)


async def next_due_at(*, conn: AsyncConnection,
                      channel: DeliveryChannel = DeliveryChannel.TELEGRAM) -> dt.datetime | None:
    """When the earliest pending row becomes due (a retry waiting for its backoff). Rows held
    by quiet hours are left out: the regular poll finds them once they are released."""
    query = select(func.min(DELIVERY.c.next_attempt_at)).where(DELIVERY.c.status == PENDING,
                                                                DELIVERY.c.channel == channel,
                                                                DELIVERY.c.not_before.is_(None))
    return (await conn.execute(query)).scalar_one()


# ----------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed delivery; written by ``record_outcomes``."""

    id: int
    chat_id: int
    status: DeliveryStatus  # sent | blocked | failed | pending (retry later)
    attempts: int
    error: str | None = None
    next_attempt_at: dt.datetime | None = None
    message_id: int | None = None  # of the sent message, as the channel numbers it
    answered: bool = True  # False: the answer was lost (time-out); it may have been delivered
    retryable: bool = False  # failed for a reason that may pass (network, 5xx, time-out)
    alert_id: int | None = None  # the caller's bookkeeping (not written)


async def mark_attempts(*, conn: AsyncConnection, ids: Sequence[int]) -> None:
    """Count an attempt on each of these leased rows, before their requests go out: a process
    that dies mid-request leaves an attempt without an answer behind (see ``Delivery.answers``)."""
    for chunk in _chunks(sorted(ids)):
        await conn.execute(
            update(DELIVERY)
            .where(DELIVERY.c.id.in_(chunk), DELIVERY.c.status == SENDING)
            .values(attempts=DELIVERY.c.attempts + 1)
        )


# PostgreSQL: a whole group commit's attempts, sent rows and chat spacing in one statement with
# arrays (one round trip, and one prepared statement whatever the batch size).
_RECORD_PG = text(f"""
WITH marked AS (
    UPDATE delivery SET attempts = attempts + 1
    WHERE id = ANY(:marks) AND status = '{SENDING.value}' RETURNING 1),
sent AS (
    UPDATE delivery AS d SET status = '{SENT.value}', sent_at = :now, answers = d.answers + 1,
        message_id = v.message_id, claimed_until = NULL, error = NULL
    FROM unnest(:ids, :message_ids) AS v(id, message_id) WHERE d.id = v.id RETURNING 1),
spaced AS (
    UPDATE supporter SET send_free_at = :free WHERE chat_id = ANY(:chats) RETURNING 1)
SELECT (SELECT count(*) FROM marked), (SELECT count(*) FROM sent), (SELECT count(*) FROM spaced)
""").bindparams(bindparam("marks", type_=ARRAY(Integer)), bindparam("ids", type_=ARRAY(Integer)),
                bindparam("message_ids", type_=ARRAY(BigInteger)),
                bindparam("chats", type_=ARRAY(BigInteger)),
                bindparam("now", type_=UTCDateTime()), bindparam("free", type_=UTCDateTime()))


async def record_outcomes(*, conn: AsyncConnection, outcomes: Sequence[Outcome],
                          now: dt.datetime, chat_free_at: dt.datetime | None = None,
                          attempts: Sequence[int] = ()) -> None:
    """Write many results in the caller's transaction, and count an attempt on the leased rows
    ``attempts`` (about to be sent: :func:`mark_attempts`). PostgreSQL: the attempts, the sent
    rows (the common case) and the chats' spacing (may be claimed again from ``chat_free_at``,
    default ``now``; see :func:`claim_due`) in one statement; SQLite: one UPDATE per chunk.
    Failed and retried rows: executemany."""
    outcomes = sorted(outcomes, key=lambda o: o.id)  # lock rows in one order
    sent = [o for o in outcomes if o.status == SENT]
    attempts = sorted(attempts)
    if conn.dialect.name == "postgresql" and not set(attempts) & {o.id for o in outcomes}:
        if attempts or outcomes:
            await conn.execute(_RECORD_PG, {
                "marks": attempts, "ids": [o.id for o in sent],
                "message_ids": [o.message_id for o in sent],
                "chats": sorted({o.chat_id for o in outcomes}), "now": now,
                "free": chat_free_at or now})
        sent = []
    else:  # a row both marked and answered here would be updated twice by one statement
        if attempts:
            await mark_attempts(conn=conn, ids=attempts)
        if conn.dialect.name == "postgresql":
            for chunk in _chunks(sorted({o.chat_id for o in outcomes})):
                await conn.execute(update(SUPPORTER).where(SUPPORTER.c.chat_id.in_(chunk))
                                   .values(send_free_at=chat_free_at or now))
    for chunk in _chunks(sent):
        message_ids = case({o.id: literal(o.message_id, BigInteger) for o in chunk},
                           value=DELIVERY.c.id, else_=None)
        await conn.execute(
            update(DELIVERY).where(DELIVERY.c.id.in_([o.id for o in chunk]))
            .values(status=SENT, sent_at=now, answers=DELIVERY.c.answers + 1,
                    message_id=message_ids, claimed_until=None, error=None)
        )
    final = [o for o in outcomes if o.status in (BLOCKED, FAILED)]
    if final:
        await conn.execute(
            update(DELIVERY).where(DELIVERY.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status"), attempts=bindparam("b_attempts"),
                    error=bindparam("b_error"), claimed_until=None,
                    answers=DELIVERY.c.answers + bindparam("b_answered", type_=Integer),
                    retryable=bindparam("b_retryable")),
            [{"b_id": o.id, "b_status": o.status, "b_attempts": o.attempts,
              "b_error": (o.error or "")[:300], "b_answered": int(o.answered),
              "b_retryable": o.retryable} for o in final],
        )
    retry = [o for o in outcomes if o.status == PENDING]
    if retry:
        await conn.execute(
            update(DELIVERY).where(DELIVERY.c.id == bindparam("b_id"))
            .values(status=PENDING, attempts=bindparam("b_attempts"),
                    error=bindparam("b_error"), claimed_until=None,
                    answers=DELIVERY.c.answers + bindparam("b_answered", type_=Integer),
                    next_attempt_at=bindparam("b_next", type_=UTCDateTime())),
            [{"b_id": o.id, "b_attempts": o.attempts, "b_error": (o.error or "")[:300],
              "b_next": o.next_attempt_at or now, "b_answered": int(o.answered)}
             for o in retry],
        )
    blocked_chats = sorted({o.chat_id for o in outcomes if o.status == BLOCKED})
    if blocked_chats:
        await mark_chats_blocked(conn=conn, chat_ids=blocked_chats, now=now)


async def mark_chats_blocked(*, conn: AsyncConnection, chat_ids: Sequence[int],
                             now: dt.datetime) -> None:
    """The person blocked the bot: remember it, and stop their other waiting deliveries."""
    for chunk in _chunks(list(chat_ids)):
        await conn.execute(
            update(SUPPORTER)
            .where(SUPPORTER.c.chat_id.in_(chunk), SUPPORTER.c.blocked_at.is_(None))
            .values(blocked_at=now)
        )
        await conn.execute(
            update(DELIVERY)
            .where(DELIVERY.c.supporter_id.in_(chunk), DELIVERY.c.status == PENDING)
            .values(status=BLOCKED, error="blocked the bot (seen on another alert)")
        )


async def fail_open_deliveries(*, conn: AsyncConnection, alert_id: int, error: str) -> int:
    """The alert itself is unsendable (e.g. malformed HTML): fail every row not yet sent."""
    result = await conn.execute(
        update(DELIVERY)
        .where(DELIVERY.c.alert_id == alert_id, DELIVERY.c.status == PENDING)
        .values(status=FAILED, error=error[:300])
    )
    return max(result.rowcount or 0, 0)


async def finish_alerts(*, conn: AsyncConnection, now: dt.datetime,
                        alert_ids: Sequence[int] | None = None) -> list[int]:
    """Set finished_at on unfinished alerts with no open deliveries; return the ones this call
    finished (so exactly one worker reports the end of each alert)."""
    still_open = exists().where(DELIVERY.c.alert_id == ALERT.c.id,
                                DELIVERY.c.status.in_(OPEN_STATUSES))
    statement = update(ALERT).where(ALERT.c.finished_at.is_(None), ~still_open)
    if alert_ids is not None:
        if not alert_ids:
            return []
        statement = statement.where(ALERT.c.id.in_(list(alert_ids)))
    statement = statement.values(finished_at=now).returning(ALERT.c.id)
    return [row[0] for row in (await conn.execute(statement)).all()]
