"""Quiet hours as pure time arithmetic: is a moment inside them, and when do they end."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def quiet_until(now: dt.datetime, zone: str, start: int, end: int) -> dt.datetime | None:
    """The UTC moment the quiet hours ``start``–``end`` (local hours, 0–23, in ``zone``)
    running at ``now`` end; None when ``now`` is outside them. ``start > end`` spans midnight
    (22–7); ``start == end`` is no quiet hours at all."""
    if start == end:
        return None
    local = now.astimezone(ZoneInfo(zone))
    hour = local.hour
    inside = start <= hour < end if start < end else (hour >= start or hour < end)
    if not inside:
        return None
    day = local.date() if hour < end else local.date() + dt.timedelta(days=1)
    ends = dt.datetime.combine(day, dt.time(end), tzinfo=ZoneInfo(zone))
    return ends.astimezone(dt.UTC)


def next_local_hour(now: dt.datetime, zone: str, hour: int) -> dt.datetime:
    """The first moment at or after ``now`` when it is ``hour``:00 in ``zone`` (UTC)."""
    local = now.astimezone(ZoneInfo(zone))
    at = dt.datetime.combine(local.date(), dt.time(hour), tzinfo=ZoneInfo(zone))
    if at < local:
        at = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(hour),
                                 tzinfo=ZoneInfo(zone))
    return at.astimezone(dt.UTC)
