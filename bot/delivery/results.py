"""What the worker asks of a transport, and what a transport answers.

The worker decides what happens next (record, retry, pause everyone, fail the alert) from a
:class:`SendResult` alone; how a channel's errors map onto these outcomes is the transport's
business (:mod:`bot.delivery.transport` for Telegram). Nothing here knows any channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from storage.models import DeliveryChannel


class SendOutcome(Enum):
    SENT = "sent"  # delivered; ``message_id`` names the message
    BLOCKED = "blocked"  # this person cannot be reached (blocked the bot, no such chat)
    RETRY_AFTER = "retry_after"  # flood control: nobody sends for ``retry_after`` seconds
    RETRY = "retry"  # may work later: 5xx, network trouble, a time-out
    MALFORMED = "malformed"  # the message itself is bad: every recipient would fail alike
    FAILED = "failed"  # this delivery failed for good


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: SendOutcome
    message_id: int | None = None
    retry_after: float | None = None
    error: str | None = None
    # The request went out but its answer was lost (a time-out, a dropped connection): the
    # channel may have delivered it.
    uncertain: bool = False

    @classmethod
    def sent(cls, message_id: int | None) -> SendResult:
        return cls(SendOutcome.SENT, message_id=message_id)

    @classmethod
    def blocked(cls, error: str) -> SendResult:
        return cls(SendOutcome.BLOCKED, error=error)

    @classmethod
    def rate_limited(cls, seconds: float) -> SendResult:
        return cls(SendOutcome.RETRY_AFTER, retry_after=seconds,
                   error=f"flood control: retry after {seconds:g} s")

    @classmethod
    def retry(cls, error: str, *, uncertain: bool = False) -> SendResult:
        return cls(SendOutcome.RETRY, error=error, uncertain=uncertain)

    @classmethod
    def malformed(cls, error: str) -> SendResult:
        return cls(SendOutcome.MALFORMED, error=error)

    @classmethod
    def failed(cls, error: str) -> SendResult:
        return cls(SendOutcome.FAILED, error=error)

    @property
    def ok(self) -> bool:
        return self.outcome is SendOutcome.SENT


class Transport(Protocol):
    """One channel's way of putting a message in front of a person.

    ``markup`` is whatever the wiring's ``markup_for`` built for the channel (for Telegram an
    inline keyboard); the worker passes it through untouched. Neither method raises for an
    answer of the channel: every answer is a :class:`SendResult`.
    """

    channel: DeliveryChannel

    async def send(self, chat_id: int, text: str, markup: Any = None) -> SendResult: ...

    async def edit(self, chat_id: int, message_id: int, text: str,
                   markup: Any = None) -> SendResult: ...

    async def close(self) -> None: ...
