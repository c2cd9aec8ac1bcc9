"""A circuit breaker for the channel: when it fails for everyone, stop and probe.

A 5xx or network failure of one send says little; ``threshold`` of them in a row, across
different chats, with no success between, say the channel itself is down (a Telegram outage,
our network). Then every sender waits (**open**) instead of spending each row's attempts on an
API that answers nobody; after ``base`` s one sender sends a single probe (**half-open**). A
probe that works closes the breaker and everyone resumes; one that fails opens it again for
twice as long (capped at ``cap`` s).

The worker re-sends a row whose send failed while the breaker was open (or tripped it) without
counting an attempt, so a long outage costs no row its retries; only failures seen while the
channel looked healthy count.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, threshold: int = 5, base: float = 1.0, cap: float = 30.0,
                 on_close: Callable[[], None] | None = None) -> None:
        if threshold < 1 or base <= 0 or cap < base:
            raise ValueError("threshold ≥ 1 and 0 < base ≤ cap")
        self.threshold = threshold
        self.base = base
        self.cap = cap
        self.on_close = on_close
        self.failures = 0  # in a row, while closed
        self.opened = 0  # times the breaker opened (for logs and benchmarks)
        self._open = False
        self._backoff = base
        self._probe_at = 0.0
        self._probing = False
        self._changed = asyncio.Event()
        self._open_since = 0.0

    @property
    def is_open(self) -> bool:
        return self._open

    async def admit(self) -> None:
        """Return when this sender may send: at once while closed; while open, when it is the
        one sender chosen to probe, or when the breaker closes."""
        loop = asyncio.get_running_loop()
        while self._open:
            now = loop.time()
            if not self._probing and now >= self._probe_at:
                self._probing = True
                return
            self._changed.clear()
            wait = None if self._probing else self._probe_at - now
            try:
                async with asyncio.timeout(wait):
                    await self._changed.wait()
            except TimeoutError:
                pass

    def success(self) -> None:
        """The channel answered (sent, or an answer about this one message or person)."""
        self.failures = 0
        if self._open:
            seconds = asyncio.get_running_loop().time() - self._open_since
            log.warning("delivery: the channel answers again after %.0f s; resuming", seconds)
            self._open, self._probing, self._backoff = False, False, self.base
            self._changed.set()
            if self.on_close is not None:
                self.on_close()

    def failure(self) -> bool:
        """A 5xx or network failure. True if the breaker is open now (the row is re-sent
        later without counting an attempt); False if it counts as an ordinary failure."""
        loop = asyncio.get_running_loop()
        if self._open:
            if self._probing:  # the probe failed: wait longer before the next one
                self._probing = False
                self._backoff = min(self._backoff * 2, self.cap)
                self._probe_at = loop.time() + self._backoff
                self._changed.set()
            return True
        self.failures += 1
        if self.failures < self.threshold:
            return False
        self._open, self._probing = True, False
        self._open_since = loop.time()
        self._backoff = self.base
        self._probe_at = loop.time() + self._backoff
        self.opened += 1
        log.warning("delivery: %d sends in a row failed (5xx or network); pausing all sends "
                    "and probing the channel", self.failures)
        self._changed.set()
        return True

    def neutral(self) -> None:
        """The probe came back without telling whether the channel works (e.g. a 429): let
        another sender probe."""
        if self._open and self._probing:
            self._probing = False
            self._changed.set()
