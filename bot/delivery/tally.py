"""Failures told as one log line per kind and interval, with a count — not a line (or a
traceback) per row. During an outage every row fails alike; the operator needs to know what
failed, how often and since when, not 2,000 copies of it."""

from __future__ import annotations

import logging
import time
from collections import Counter

log = logging.getLogger("bot.delivery")


class ErrorTally:
    def __init__(self, interval: float = 60.0, clock=time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._counts: Counter[str] = Counter()
        self._since = clock()

    def note(self, outcome: str, error: str | None) -> None:
        """Count one failure (``outcome`` e.g. "retry", "failed"); flush if the interval has
        passed. The error text is Telegram's description (no person's data)."""
        self._counts[f"{outcome}: {(error or 'no description')[:120]}"] += 1
        if self._clock() - self._since >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Log what was counted since the last flush, one line per kind."""
        seconds = self._clock() - self._since
        for kind, count in sorted(self._counts.items()):
            log.warning("delivery: %d× %s (in the last %.0f s)", count, kind, seconds)
        self._counts.clear()
        self._since = self._clock()
