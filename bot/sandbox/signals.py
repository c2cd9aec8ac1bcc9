"""A broadcast wake-up for asyncio waiters (long polls, ``reply()``, ``idle()``, event streams)."""

from __future__ import annotations

import asyncio

__all__ = ["Signal"]


class Signal:
    """Every waiter is released by the next ``fire()``; a fire with nobody waiting is a no-op."""

    __slots__ = ("_fut",)

    def __init__(self) -> None:
        self._fut: asyncio.Future | None = None

    def fire(self) -> None:
        fut = self._fut
        if fut is not None:
            self._fut = None
            if not fut.done():
                fut.set_result(None)

    def future(self) -> asyncio.Future:
        """Done at the next fire(). Taken synchronously, so a fire() right after counts (a
        ``wait()`` coroutine scheduled as a task would only start listening later)."""
        loop = asyncio.get_running_loop()
        fut = self._fut
        if fut is None or fut.done() or fut.get_loop() is not loop:
            fut = self._fut = loop.create_future()
        return fut

    async def wait(self, timeout: float | None) -> bool:
        """Wait for the next fire(); False on timeout."""
        if timeout is not None and timeout <= 0:
            return False
        done, _ = await asyncio.wait((self.future(),), timeout=timeout)
        return bool(done)
