"""The bot's update queue, as Telegram keeps it.

Updates are numbered (``update_id``, one sequence per bot) and stay queued until the bot
confirms them: by calling getUpdates with a higher ``offset``, or, with a webhook, by answering
the webhook's POST with a 2xx. Only the types in ``allowed_updates`` are queued at all.

One long poll at a time: a newer getUpdates (or a setWebhook) ends a pending one with 409.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque

from .protocol import ApiError
from .signals import Signal

__all__ = ["DEFAULT_UPDATE_TYPES", "UPDATE_TYPES", "UpdateQueue"]

#: every update type of the Bot API
UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "message_reaction", "message_reaction_count",
        "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
        "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member",
        "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)
#: what a bot gets when it never chose (or chose an empty list): all but these three
DEFAULT_UPDATE_TYPES = UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

OTHER_POLL = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
              "instance is running")
SET_WEBHOOK = "Conflict: terminated by setWebhook request"


class _Poll:
    """A pending getUpdates; ``ended`` says why another request cut it short."""

    __slots__ = ("ended",)

    def __init__(self) -> None:
        self.ended: str | None = None


class UpdateQueue:
    def __init__(self) -> None:
        self.allowed = DEFAULT_UPDATE_TYPES
        #: fired when an update is queued or leaves the queue
        self.changed = Signal()
        self.closed = False
        self._queue: deque[dict] = deque()
        self._last_id = 0
        self._fetched_upto = 0  # highest update_id handed to the bot (or dropped)
        self._poll: _Poll | None = None

    # ------------------------------------------------------------------ filling
    def push(self, kind: str, obj: dict) -> dict | None:
        """Queue an update of type ``kind``; None if the bot did not ask for that type."""
        if kind not in self.allowed:
            return None
        self._last_id += 1
        update = {"update_id": self._last_id, kind: obj}
        self._queue.append(update)
        self.changed.fire()
        return update

    def choose_types(self, allowed_updates: object) -> None:
        """Apply an ``allowed_updates`` parameter: a list of type names replaces the choice
        (an empty one, or one naming no known type, means the default); anything else keeps
        the previous choice."""
        if not isinstance(allowed_updates, list):
            return
        names = {str(name).lower() for name in allowed_updates} & UPDATE_TYPES
        self.allowed = frozenset(names) if names else DEFAULT_UPDATE_TYPES

    # ------------------------------------------------------------------ reading
    @property
    def queued(self) -> list[dict]:
        """Updates not yet confirmed, oldest first."""
        return list(self._queue)

    @property
    def unfetched(self) -> int:
        """Updates the bot has not been handed yet."""
        count = 0
        for update in reversed(self._queue):
            if update["update_id"] <= self._fetched_upto:
                break
            count += 1
        return count

    def __len__(self) -> int:
        return len(self._queue)

    # ------------------------------------------------------------------ confirming
    def confirm(self, offset: int) -> None:
        """getUpdates' ``offset``: forget updates below it; a negative offset -N keeps only the
        last N updates."""
        queue = self._queue
        if offset > 0:
            while queue and queue[0]["update_id"] < offset:
                queue.popleft()
            confirmed = min(offset - 1, self._last_id)
        else:
            while len(queue) > -offset:
                queue.popleft()
            confirmed = queue[0]["update_id"] - 1 if queue else self._last_id
        self._fetched_upto = max(self._fetched_upto, confirmed)

    def delivered(self, update: dict) -> None:
        """A webhook took the update (answered 2xx): it leaves the queue."""
        try:
            self._queue.remove(update)
        except ValueError:  # dropped meanwhile
            return
        self.changed.fire()

    def drop_all(self) -> None:
        """``drop_pending_updates``: forget everything queued."""
        self._queue.clear()
        self._fetched_upto = self._last_id
        self.changed.fire()

    # ------------------------------------------------------------------ long polling
    async def long_poll(self, limit: int, timeout: float) -> list[dict]:
        """Wait up to ``timeout`` seconds for updates; the first ``limit`` queued ones."""
        if self._poll is not None:
            self._poll.ended = OTHER_POLL
        poll = self._poll = _Poll()
        self.changed.fire()  # wakes the older poll, which answers 409
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while not self._queue and not self.closed:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                await self.changed.wait(remaining)
                if poll.ended:
                    raise ApiError(409, poll.ended)
        finally:
            if self._poll is poll:
                self._poll = None
        return list(itertools.islice(self._queue, limit))

    def handed_out(self, batch: list[dict]) -> None:
        """The answer with ``batch`` reached the bot: those updates count as fetched."""
        if batch:
            self._fetched_upto = max(self._fetched_upto, batch[-1]["update_id"])

    def end_poll(self, reason: str = SET_WEBHOOK) -> None:
        """Answer a pending long poll with 409 ``reason`` (a webhook was set)."""
        if self._poll is not None:
            self._poll.ended = reason
            self._poll = None
            self.changed.fire()

    def close(self) -> None:
        """The server stops: a pending long poll answers at once."""
        self.closed = True
        self.changed.fire()
