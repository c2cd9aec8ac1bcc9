"""Updates handled concurrently, each chat's in the order they came.

PTB handles one update at a time by default, so 200 people opening a shared link at once wait
for each other. With this processor (``ApplicationBuilder().concurrent_updates(processor)``)
different chats are handled side by side, while the updates of one chat still run one after
another: a person's second button press never overtakes their first, and the letter wizard
sees its steps in order.

Order holds because PTB starts one task per update in the order updates arrive, the semaphore
of :class:`~telegram.ext.BaseUpdateProcessor` lets waiters in first come first served, and an
``asyncio.Lock`` wakes its waiters in the same order. Updates without a chat or user (e.g. a
poll's state) take no lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: Updates handled at once in one process; more wait for a free slot, in arrival order. Kept
#: below the database pool (storage.db: 20 + 10 on PostgreSQL, 5 + 10 on SQLite, shared with
#: the delivery worker in `run`), so a burst of people queues here, in order, instead of timing
#: out waiting for a connection and being told the database is unavailable. Handling is
#: CPU-bound (about 2 ms for a /start, bench/burst_bench.py), so more slots would not
#: answer anyone sooner (24 measured no better).
DEFAULT_CONCURRENCY = 12


def update_key(update: object) -> int | None:
    """The chat (else the person) whose updates must stay in order; None if neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within one chat."""

    __slots__ = ("_locks",)

    def __init__(self, max_concurrent_updates: int = DEFAULT_CONCURRENCY) -> None:
        super().__init__(max_concurrent_updates)
        # chat → (lock, updates holding or waiting for it); dropped when nobody uses it, so
        # the table stays as small as the number of chats being handled right now.
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = update_key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @property
    def chats_in_progress(self) -> int:
        """How many chats have an update being handled or waiting (for tests and metrics)."""
        return len(self._locks)

    async def initialize(self) -> None:
        pass  # nothing to allocate: locks are made as chats come

    async def shutdown(self) -> None:
        pass  # the Application waits for running updates itself
