"""Which alerts go first when several wait for the same send budget.

An alert's priority is fixed when it is written (``Alert.priority``); the delivery worker claims
and sends higher priorities first, and alerts of one priority round-robin, so a 100,000-person
news bulletin neither delays a reminder of tomorrow morning's hearing nor starves another
bulletin.
"""

from __future__ import annotations

import datetime as dt

BULK = 0  # news, outcomes, reminders of hearings further away
URGENT = 10  # a hearing less than a day away; a correction of something already sent

URGENT_WITHIN = dt.timedelta(hours=24)
# Kinds that correct an earlier alert (the correction kinds start with this).
CORRECTION_PREFIX = "correction"


def alert_priority(kind: str, *, hearing_starts_at: dt.datetime | None = None,
                   now: dt.datetime | None = None) -> int:
    """URGENT for a correction, or for an alert about a hearing less than 24 h from ``now``;
    BULK otherwise."""
    if kind.startswith(CORRECTION_PREFIX):
        return URGENT
    if hearing_starts_at is not None and now is not None \
            and hearing_starts_at - now < URGENT_WITHIN:
        return URGENT
    return BULK
