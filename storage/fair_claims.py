"""Claims that respect alert priority and share the budget between alerts.

``claim_fair`` leases up to ``limit`` due deliveries: first from the unfinished alerts of the
highest priority, an equal share from each (so two big alerts of one priority go round-robin
instead of the older starving the newer), then from the next priority with what is left, and
finally from any alert (rows re-opened on an alert already marked finished, say). Each row
carries its alert's priority and its turn within its alert, so the worker sends
``(-priority, turn)`` first.

Unfinished alerts are few (those being sent now), so this is one small query plus one claim per
alert, each on the index ``(alert_id, status, next_attempt_at)``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.alerts import ALERT, ClaimedDelivery, claim_due
from storage.models import DeliveryChannel

MAX_ALERTS = 50  # open alerts considered per claim; the rest wait for a later claim


async def claim_fair(*, conn: AsyncConnection, now: dt.datetime, lease_until: dt.datetime,
                     limit: int, channel: DeliveryChannel = DeliveryChannel.TELEGRAM,
                     held_now: dt.datetime | None = None) -> list[ClaimedDelivery]:
    """``held_now``: the bot's scheduling clock, for rows held by quiet hours (claim_due)."""
    open_alerts = (await conn.execute(
        select(ALERT.c.id, ALERT.c.priority).where(ALERT.c.finished_at.is_(None))
        .order_by(ALERT.c.priority.desc(), ALERT.c.id).limit(MAX_ALERTS))).all()
    claimed: list[ClaimedDelivery] = []
    for priority, group in itertools.groupby(open_alerts, key=lambda row: row[1]):
        alert_ids = [row[0] for row in group]
        remaining = limit - len(claimed)
        if remaining <= 0:
            break
        share = max(1, -(-remaining // len(alert_ids)))  # ceil
        for alert_id in alert_ids:
            take = min(share, limit - len(claimed))
            if take <= 0:
                break
            rows = await claim_due(conn=conn, now=now, lease_until=lease_until, limit=take,
                                   channel=channel, alert_id=alert_id, held_now=held_now)
            claimed.extend(replace(row, priority=priority or 0, turn=turn)
                           for turn, row in enumerate(rows))
    if len(claimed) < limit:
        known = {alert_id: priority for alert_id, priority in open_alerts}
        rows = await claim_due(conn=conn, now=now, lease_until=lease_until,
                               limit=limit - len(claimed), channel=channel, held_now=held_now)
        claimed.extend(replace(row, priority=known.get(row.alert_id) or 0, turn=turn)
                       for turn, row in enumerate(rows))
    return claimed
