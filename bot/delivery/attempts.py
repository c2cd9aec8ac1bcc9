"""Attempts counted before their requests go out, group-committed.

A sender asks :meth:`AttemptMarks.mark` for its row and waits; one task writes every waiting
row's ``attempts + 1`` in one transaction and lets them all go. So an attempt is durable before
its request leaves, and a process killed mid-request leaves an attempt without an answer: the
recipient may have got it (see ``Delivery.answers``).
"""

from __future__ import annotations

import asyncio

from storage import alerts as q
from storage.db import Database


class AttemptMarks:
    def __init__(self, db: Database, row_writes: asyncio.Lock) -> None:
        self.db = db
        self._row_writes = row_writes  # shared with the worker's other writers of held rows
        self._waiting: list[tuple[int, asyncio.Future]] = []
        self._ready = asyncio.Event()

    async def mark(self, delivery_id: int) -> None:
        """Return once this row's attempt is committed; raise if it could not be."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((delivery_id, future))
        self._ready.set()
        await asyncio.shield(future)

    async def run(self) -> None:
        """The writer task (cancel it to stop)."""
        while True:
            if not self._waiting:
                await self._ready.wait()
                self._ready.clear()
                continue
            batch, self._waiting = self._waiting, []
            error: Exception | None = None
            for attempt in range(3):
                try:
                    async with self._row_writes, self.db.engine.begin() as conn:
                        await q.mark_attempts(conn=conn, ids=[item[0] for item in batch])
                    error = None
                    break
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 — the senders give their rows up
                    error = exc
                    await asyncio.sleep(0.2 * 2 ** attempt)
            for _id, future in batch:
                if future.done():
                    continue
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)
