"""When a delivery that may work later is tried again.

The worker asks its policy after every ``RETRY`` answer (5xx, time-outs, network trouble) that
came while the channel looked healthy (failures while :mod:`~bot.delivery.breaker` is open cost
no attempt); the policy alone decides between "again in n seconds" and "give up".

Giving up is by **time**, not by a count of tries: an alert is worth retrying for ``budget``
seconds after it was written (hours: a Telegram outage may last that long), with exponential
backoff between tries. ``max_attempts`` optionally caps the tries too.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BUDGET = 6 * 3600.0  # seconds an alert is retried for after it was written


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff from ``base`` s, capped at ``cap`` s, for up to ``budget`` s after
    the alert was written (and at most ``max_attempts`` attempts, if set)."""

    max_attempts: int | None = None
    base: float = 2.0
    cap: float = 600.0
    budget: float = DEFAULT_BUDGET

    def delay(self, attempts: int, age: float = 0.0) -> float | None:
        """Seconds to wait after ``attempts`` attempts have failed, ``age`` s after the alert
        was written; None: give up."""
        if self.max_attempts is not None and attempts >= self.max_attempts:
            return None
        delay = min(self.base * 2 ** (attempts - 1), self.cap)
        if age + delay > self.budget:
            return None
        return delay
