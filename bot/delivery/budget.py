"""A pacer whose global pace is the deployment's, not the process's.

:class:`SharedPacer` keeps :class:`~bot.delivery.pacing.Pacer`'s per-chat spacing (across
processes the claim keeps it: ``storage.alerts.claim_due``) and local pause, but takes its
global send slots from the database (:mod:`storage.send_budget`): a few
slots at a time (``block``, about a fifth of a second's worth), spaced ``1/rate`` apart. A slot
not used within ``stale`` seconds of its time is dropped rather than sent late, so a slow
process never bunches its sends up against another's. If the database cannot be reached the
pacer falls back to the local pace (one process's worth, as before) and says so once.

Why slots rather than ``rate / live workers`` from heartbeats: a reservation is exact at every
moment (a worker that starts, stops or dies changes nothing for the others), idle workers take
nothing, and it costs one small UPDATE per block — about ``rate / block`` a second for the whole
deployment.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from bot.delivery.pacing import Pacer
from storage import send_budget as q
from storage.db import Database

log = logging.getLogger(__name__)


class SharedPacer(Pacer):
    def __init__(self, db: Database, name: str, rate: float, per_chat_interval: float = 1.0,
                 *, block: int | None = None, stale: float = 0.25) -> None:
        super().__init__(rate, per_chat_interval)
        self.db = db
        self.name = name
        self.block = block or max(1, round(rate / 5))
        self.stale = stale
        self.reservations = 0  # UPDATEs made (for benchmarks)
        self._slots: deque[float] = deque()  # loop times of slots reserved for this process
        self._refill = asyncio.Lock()
        self._ready = False
        self._degraded = False
        self.retry_db_after = 5.0  # s of local pace after the database failed
        self._retry_db_at = 0.0
        self._tasks: set[asyncio.Task] = set()

    async def _slot(self) -> float:
        """A slot of the deployment's budget; without the database, the local pace."""
        slot = await self._take_slot()
        return await super()._slot() if slot is None else slot

    async def _take_slot(self) -> float | None:
        loop = asyncio.get_running_loop()
        while True:
            while self._slots:
                slot = self._slots.popleft()
                if slot >= loop.time() - self.stale:
                    return slot
            if loop.time() < self._retry_db_at:
                return None  # the database failed a moment ago: local pace meanwhile
            async with self._refill:
                if self._slots:
                    continue
                try:
                    wait = await self._reserve()
                except Exception as error:  # noqa: BLE001 — fall back to the local pace
                    if not self._degraded:
                        log.warning("send budget: database unavailable (%s); pacing this "
                                    "process alone", type(error).__name__)
                        self._degraded = True
                    self._retry_db_at = loop.time() + self.retry_db_after
                    return None
                if self._degraded:
                    log.warning("send budget: shared again")
                    self._degraded = False
                start = loop.time() + wait
                self._slots.extend(start + n / self.rate for n in range(self.block))

    async def _reserve(self) -> float:
        async with self.db.engine.begin() as conn:
            if not self._ready:
                await q.ensure_budget(conn=conn, name=self.name)
                self._ready = True
            wait = await q.reserve_slots(conn=conn, name=self.name, count=self.block,
                                         rate=self.rate)
        self.reservations += 1
        return wait

    def pause(self, seconds: float) -> None:
        """Nobody sends for ``seconds`` — in this process at once, in the others from their
        next reservation."""
        super().pause(seconds)
        self._slots.clear()
        task = asyncio.get_running_loop().create_task(self._pause_everyone(seconds))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _pause_everyone(self, seconds: float) -> None:
        try:
            async with self.db.engine.begin() as conn:
                await q.pause_budget(conn=conn, name=self.name, seconds=seconds)
        except Exception as error:  # noqa: BLE001
            log.warning("send budget: could not share a pause (%s)", type(error).__name__)
