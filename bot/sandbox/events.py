"""What happens in the sandbox's chats, as a numbered stream (listeners, long polls, iterators).

The web chat long-polls it (``wait_events``), tests iterate it (``events()``) or register
listeners; every entry is a :class:`~.models.ChatEvent` with a growing ``seq``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from .models import ChatEvent, SimMessage
from .signals import Signal

__all__ = ["EventLog"]

log = logging.getLogger(__name__)


class EventLog:
    """The most recent ``max_events`` chat events, numbered from 1."""

    def __init__(self, max_events: int = 20_000) -> None:
        self.max_events = max_events
        self.closed = False
        self._events: list[ChatEvent] = []
        self._base = 1  # seq of self._events[0]
        self._last = 0
        self._arrived = Signal()
        self._listeners: list[Callable[[ChatEvent], Any]] = []
        self._listener_tasks: set[asyncio.Task] = set()

    # ------------------------------------------------------------------ writing
    def emit(self, type_: str, chat_id: int | None, message: SimMessage | None = None,
             data: dict | None = None) -> ChatEvent:
        self._last += 1
        event = ChatEvent(self._last, type_, chat_id, time.time(), message, data or {})
        self._events.append(event)
        if len(self._events) > self.max_events:
            drop = len(self._events) - self.max_events // 2
            del self._events[:drop]
            self._base += drop
        self._arrived.fire()
        for callback in list(self._listeners):
            try:
                result = callback(event)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._listener_tasks.add(task)
                    task.add_done_callback(self._listener_tasks.discard)
            except Exception:  # a broken listener must not break the Bot API
                log.exception("sandbox event listener failed")
        return event

    def close(self) -> None:
        """Release every waiter and cancel listeners still running (the server stops)."""
        self.closed = True
        self._arrived.fire()
        for task in list(self._listener_tasks):
            task.cancel()

    # ------------------------------------------------------------------ listeners
    def add_listener(self, callback: Callable[[ChatEvent], Any]) -> Callable[[], None]:
        """Call ``callback(event)`` for every event (sync or async). Returns a remover."""
        self._listeners.append(callback)
        return lambda: self.remove_listener(callback)

    def remove_listener(self, callback: Callable[[ChatEvent], Any]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    # ------------------------------------------------------------------ reading
    @property
    def last_seq(self) -> int:
        return self._last

    def since(self, after: int = 0, limit: int | None = None) -> list[ChatEvent]:
        events = self._events[max(0, after - self._base + 1):]
        return events[:limit] if limit else events

    async def wait(self, after: int, timeout: float) -> list[ChatEvent]:
        """Events with seq > after; waits up to ``timeout`` for the first one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            events = self.since(after)
            if events or self.closed:
                return events
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._arrived.wait(remaining)

    async def stream(self, after: int | None = None) -> AsyncIterator[ChatEvent]:
        """Events from now on (or after ``after``) until the log is closed."""
        cursor = self._last if after is None else after
        while not self.closed:
            events = self.since(cursor)
            if not events:
                await self._arrived.wait(None)
                continue
            for event in events:
                cursor = event.seq
                yield event
