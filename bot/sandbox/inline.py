"""Inline queries: what people typed after ``@bot``, what the bot answered, what they chose.

A query can be answered once, within ``ttl`` seconds. The answer is kept twice: as the bot sent
it (:class:`~.models.InlineAnswer`, for tests) and as the message each result posts when a
person chooses it (:class:`Prepared`, checked when the bot answered, as Telegram does).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import time
from dataclasses import dataclass, field

from .chat import PLAIN, ChatLog, Extras
from .models import InlineAnswer
from .protocol import bad
from .signals import Signal

__all__ = ["InlineQueries", "InlineQuery", "Prepared"]

TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass(frozen=True)
class Prepared:
    """The message a chosen result posts: its Message fields and what the person sees."""

    fields: dict
    extras: Extras = PLAIN


@dataclass
class InlineQuery:
    id: str
    user_id: int
    query: str
    offset: str
    chat_type: str
    opened: float  # time.monotonic()
    answer: InlineAnswer | None = None
    messages: dict[str, Prepared] = field(default_factory=dict)  # result id -> message

    def update(self, sender: dict) -> dict:
        """The ``inline_query`` update the bot receives."""
        return {"id": self.id, "from": sender, "query": self.query, "offset": self.offset,
                "chat_type": self.chat_type}


class InlineQueries:
    def __init__(self, ttl: float = 10.0) -> None:
        #: seconds within which the bot must answer (afterwards: "query is too old")
        self.ttl = ttl
        self._queries: dict[str, InlineQuery] = {}
        self._seq = itertools.count(1)
        self._answered = Signal()
        # messages people posted through inline mode that carry a keyboard: the bot edits them
        # (and gets their button presses) by inline_message_id
        self._messages: dict[str, tuple[ChatLog, int]] = {}
        self._message_ids: dict[tuple[int, int], str] = {}  # (id(chat), message_id) -> id

    def open(self, user_id: int, query: str, offset: str, chat_type: str) -> InlineQuery:
        query_id = str(5_000_000_000_000_000 + user_id * 1_000_000 + next(self._seq))
        q = self._queries[query_id] = InlineQuery(query_id, user_id, query, offset, chat_type,
                                                  time.monotonic())
        return q

    def get(self, query_id: str) -> InlineQuery | None:
        return self._queries.get(query_id)

    def answerable(self, query_id: str) -> InlineQuery:
        """The query the bot answers now, or Telegram's error for an old/answered/unknown one."""
        q = self._queries.get(query_id)
        if q is None or q.answer is not None or time.monotonic() - q.opened > self.ttl:
            raise bad(TOO_OLD)
        return q

    def record(self, q: InlineQuery, answer: InlineAnswer, messages: dict[str, Prepared]) -> None:
        q.answer = answer
        q.messages = messages
        self._answered.fire()

    async def wait_answer(self, query_id: str, timeout: float) -> InlineAnswer | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            q = self._queries.get(query_id)
            if q is None:
                raise KeyError(f"no inline query {query_id}")
            if q.answer is not None:
                return q.answer
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await self._answered.wait(remaining)

    # ------------------------------------------------------------------ inline messages
    def name_message(self, chat: ChatLog, message_id: int) -> str:
        """Give a posted inline message its inline_message_id."""
        n = next(self._seq)
        inline_message_id = base64.urlsafe_b64encode(
            f"{chat.chat_id}:{message_id}:{n}".encode()).decode().rstrip("=")
        self._messages[inline_message_id] = (chat, message_id)
        self._message_ids[(id(chat), message_id)] = inline_message_id
        return inline_message_id

    def message(self, inline_message_id: str) -> tuple[ChatLog, int] | None:
        return self._messages.get(inline_message_id)

    def message_id_of(self, chat: ChatLog, message_id: int) -> str | None:
        """The inline_message_id of a message in ``chat``, if it is an inline message."""
        return self._message_ids.get((id(chat), message_id))
