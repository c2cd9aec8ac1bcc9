"""Alerts: one message to every subscriber of a case, written to the outbox.

``enqueue_alert`` writes the ``Alert`` and one ``Delivery`` row per active subscriber in the
caller's transaction (one ``INSERT … SELECT``), so an alert is either fully queued or not at all.
Nothing is sent here: :mod:`bot.delivery` drains the outbox. When the transaction commits, the
delivery worker of this process wakes by itself (rolled back: nothing was queued, nobody
wakes); workers of other processes find the rows at their next poll::

    async with services.db.session() as session:
        alert = await enqueue_alert(session=session, case_id=case.id, kind="hearing",
                                    text=html, created_by=user_id,
                                    status_chat_id=chat_id, status_message_id=message_id)

A ``dedupe_key`` makes the alert idempotent (e.g. ``"reminder:<event>:<offset>:<starts_at>"``):
when an alert with that key exists, ``enqueue_alert`` writes nothing and returns None, even when
two processes race (unique index + ``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alert_priority import alert_priority
from storage import alerts as queries
from storage import digest, preferences
from storage.models import Alert, utcnow

NEWS_KIND = "news"  # kept back for the readers of the daily digest (storage.digest)

__all__ = ["alert_report", "count_audience", "drop_pending_deliveries", "enqueue_alert"]

count_audience = queries.count_audience  # (session, case_id) -> int
alert_report = queries.alert_report  # (session, alert_id) -> {pending, sent, blocked, failed, total}
# (*, session, chat_id, case_id=None) -> int: call it when someone unsubscribes
drop_pending_deliveries = queries.drop_pending_deliveries


async def enqueue_alert(
    *,
    session: AsyncSession,
    case_id: int,
    kind: str,
    text: str,
    event_id: int | None = None,
    dedupe_key: str | None = None,
    created_by: int | None = None,
    status_chat_id: int | None = None,
    status_message_id: int | None = None,
    payload: dict | None = None,
    now: dt.datetime | None = None,
    reminder_offset: int | None = None,
    urgent: bool = False,
    hold_until_before: dt.datetime | None = None,
    priority: int | None = None,
) -> Alert | None:
    """Queue ``text`` (Telegram HTML) for every active subscriber of the case.

    ``priority``: higher is sent first (:mod:`bot.alert_priority`); by default from ``kind``.

    ``payload``: what the delivery worker renders each recipient's copy from, in their language
    (see :mod:`bot.alert_render`); ``text`` is the default language's.

    Each recipient's settings apply here (:mod:`storage.preferences`): a reminder
    (``reminder_offset``, minutes before its hearing) skips people who turned it off; people in
    their quiet hours at ``now`` (the bot's clock) get their copy when those end, unless the alert
    is ``urgent`` (a reminder for a hearing less than 2 hours away) or they would end after
    ``hold_until_before`` (the reminder's hearing); news waits for the daily
    digest of people who chose one.

    Returns the new ``Alert`` (``recipients`` = rows queued), or None when ``dedupe_key`` was
    already used. Supporters who blocked the bot are left out.
    """
    if dedupe_key is not None and len(dedupe_key) > 128:
        raise ValueError("dedupe_key is longer than 128 characters")
    alert = await queries.insert_alert_with_deliveries(
        session=session, case_id=case_id, kind=kind, text=text, event_id=event_id,
        dedupe_key=dedupe_key, created_by=created_by, status_chat_id=status_chat_id,
        status_message_id=status_message_id, payload=payload,
        priority=alert_priority(kind) if priority is None else priority,
    )
    if alert is None or not alert.recipients:
        return alert
    if reminder_offset is not None and await preferences.drop_opted_out(
            session=session, alert_id=alert.id, offset_minutes=reminder_offset):
        await preferences.recount_recipients(session=session, alert=alert)
    if kind == NEWS_KIND and await digest.defer_to_digest(session=session, alert_id=alert.id,
                                                          now=now or utcnow()):
        await preferences.recount_recipients(session=session, alert=alert)
    if not urgent:
        await preferences.hold_for_quiet_hours(session=session, alert_id=alert.id,
                                               now=now or utcnow(), latest=hold_until_before)
    return alert
