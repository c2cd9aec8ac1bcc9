"""When a delivery that may work later is tried again.

The worker asks its policy after every ``RETRY`` answer (5xx, time-outs, network trouble); the
policy alone decides between "again in n seconds" and "give up".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """When a delivery that may work later (``RETRY``) is tried again: exponential backoff from
    ``base`` s, capped at ``cap`` s, at most ``max_attempts`` attempts in all."""

    max_attempts: int = 5
    base: float = 2.0
    cap: float = 600.0

    def delay(self, attempts: int) -> float | None:
        """Seconds to wait after ``attempts`` attempts have failed; None: give up."""
        if attempts >= self.max_attempts:
            return None
        return min(self.base * 2 ** (attempts - 1), self.cap)
