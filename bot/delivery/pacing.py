"""How fast the worker may send: a global pace, a pause for everyone, and per-chat spacing.

- **Global pace**: one send slot every ``1/rate`` s (a token bucket of depth one: no bursts).
- **Pause**: a 429 anywhere stops every sender for its ``retry_after``; a sender waiting for a
  slot when the pause begins waits it out and takes a new slot.
- **Per chat**: one send at a time in a chat, and at least ``per_chat_interval`` s from the end
  of the previous send there to the next request.

One ``Pacer`` per process; the worker and the status-message editor share it. Across processes
on PostgreSQL, :class:`~bot.delivery.budget.SharedPacer` takes the global slots from the
database, and the per-chat rule is kept by the claim itself (``storage.alerts.claim_due``: one
row per chat, none of a chat answered less than ``per_chat_interval`` ago); this spacing then
only orders the process's own sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Pacer:
    def __init__(self, rate: float, per_chat_interval: float = 1.0) -> None:
        if rate <= 0 or per_chat_interval < 0:
            raise ValueError("rate must be positive and per_chat_interval not negative")
        self.rate = rate
        self.per_chat_interval = per_chat_interval
        self._interval = 1.0 / rate
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._chat_ready: dict[int, float] = {}  # loop time from which a chat may get the next
        self._chat_locks: dict[int, tuple[asyncio.Lock, int]] = {}  # lock, senders using it

    # ------------------------------------------------------------------------ global pace
    async def acquire(self) -> None:
        """Wait for the next global send slot (and for any pause to end)."""
        loop = asyncio.get_running_loop()
        while True:
            while (left := self._paused_until - loop.time()) > 0:
                await asyncio.sleep(left)
            slot = await self._slot()
            if slot > loop.time():
                await asyncio.sleep(slot - loop.time())
            if loop.time() >= self._paused_until:
                return
            # a 429 arrived while we waited for our slot: wait out the pause, take a new slot

    async def _slot(self) -> float:
        """The loop time of this process's next send slot (taken)."""
        slot = max(asyncio.get_running_loop().time(), self._next_slot)
        self._next_slot = slot + self._interval
        return slot

    async def recheck(self) -> None:
        """For a sender that awaited something else after taking its slot: if a pause began
        meanwhile, wait it out and take a new slot."""
        if asyncio.get_running_loop().time() < self._paused_until:
            await self.acquire()

    def pause(self, seconds: float) -> None:
        """Nobody sends for ``seconds`` (Telegram's retry_after)."""
        until = asyncio.get_running_loop().time() + seconds
        self._paused_until = max(self._paused_until, until)
        self._next_slot = max(self._next_slot, self._paused_until)

    # ------------------------------------------------------------------------ per chat
    @asynccontextmanager
    async def chat(self, chat_id: int) -> AsyncIterator[None]:
        """Hold the chat: one sender per chat at a time (two alerts may queue one person)."""
        lock, users = self._chat_locks.get(chat_id) or (asyncio.Lock(), 0)
        self._chat_locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._chat_locks[chat_id]
            if users <= 1:
                del self._chat_locks[chat_id]
            else:
                self._chat_locks[chat_id] = (lock, users - 1)

    async def turn(self, chat_id: int) -> None:
        """Wait until the chat may get its next message, then for a global slot."""
        loop = asyncio.get_running_loop()
        ready = self._chat_ready.get(chat_id, 0.0)
        if ready > loop.time():
            await asyncio.sleep(ready - loop.time())
        await self.acquire()

    def done(self, chat_id: int) -> None:
        """A request to the chat has come back (whatever its answer): space the next one."""
        now = asyncio.get_running_loop().time()
        self._chat_ready[chat_id] = now + self.per_chat_interval
        if len(self._chat_ready) > 4096:  # forget chats whose spacing has passed
            for key in [k for k, v in self._chat_ready.items() if v <= now]:
                del self._chat_ready[key]
