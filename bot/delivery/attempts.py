"""Attempts counted before their requests go out, group-committed.

A sender asks :meth:`AttemptMarks.mark` for its row and waits; every row waiting at that moment
gets its ``attempts + 1`` in one transaction — the recorder's, when it is about to commit
results anyway (:meth:`AttemptMarks.riding`), else one of this module's own — and then they all
go. So an attempt is durable before its request leaves, and a process killed mid-request leaves
an attempt without an answer: the recipient may have got it (see ``Delivery.answers``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.delivery.results import SendOutcome, SendResult
from storage import alerts as q
from storage.db import Database
from storage.models import DeliveryStatus

log = logging.getLogger(__name__)


def answer_flags(status: DeliveryStatus, result: SendResult | None) -> tuple[bool, bool]:
    """(answered, retryable) of a recorded result: whether a request went out and its answer
    came back, and whether a failure may pass (it ran out of ``RETRY`` attempts)."""
    answered = result is not None and not result.uncertain
    retryable = (status == DeliveryStatus.FAILED and result is not None
                 and result.outcome is SendOutcome.RETRY)
    return answered, retryable


class _Batch:
    def __init__(self, waiting: list[tuple[int, asyncio.Future]]) -> None:
        self.waiting = waiting

    async def write(self, conn) -> None:
        if self.waiting:
            await q.mark_attempts(conn=conn, ids=[item[0] for item in self.waiting])

    def settle(self, error: BaseException | None) -> None:
        for _id, future in self.waiting:
            if future.done():
                continue
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error if isinstance(error, Exception)
                                     else RuntimeError("attempt not recorded"))


class AttemptMarks:
    def __init__(self, db: Database, row_writes: asyncio.Lock) -> None:
        self.db = db
        self._row_writes = row_writes  # shared with the worker's other writers of held rows
        self._waiting: list[tuple[int, asyncio.Future]] = []
        self._ready = asyncio.Event()

    async def mark(self, delivery_id: int) -> None:
        """Return once this row's attempt is committed; raise if it could not be (the sender
        then gives its row up, to be claimed again when its lease runs out)."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((delivery_id, future))
        self._ready.set()
        await asyncio.shield(future)

    def _take(self) -> _Batch:
        batch, self._waiting = self._waiting, []
        return _Batch(batch)

    @asynccontextmanager
    async def riding(self) -> AsyncIterator[_Batch]:
        """Inside another writer's transaction (entered under ``row_writes``, before it):
        ``await batch.write(conn)`` there; the waiting senders go once it has committed."""
        batch = self._take()
        try:
            yield batch
        except BaseException as error:
            batch.settle(error)
            raise
        batch.settle(None)

    async def run(self) -> None:
        """The writer of marks nobody else takes along (cancel it to stop)."""
        while True:
            if not self._waiting:
                await self._ready.wait()
                self._ready.clear()
                continue
            try:
                async with (self._row_writes, self.riding() as batch,
                            self.db.engine.begin() as conn):
                    await batch.write(conn)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 — settled with it: the senders give up
                log.warning("delivery: could not record attempts (%s); their rows go again later",
                            type(error).__name__)
                await asyncio.sleep(0.2)
