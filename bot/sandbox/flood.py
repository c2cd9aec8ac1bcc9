"""Telegram's flood limits for one bot token, optional per server.

Telegram lets a bot send about 30 messages a second overall and about one a second to the same
chat; beyond that a send answers 429 "Too Many Requests: retry after N" with
``parameters.retry_after``. A send with ``allow_paid_broadcast`` may go up to 1,000 messages a
second overall (the bot pays in Stars). Each limit is a token bucket; None switches it off.
"""

from __future__ import annotations

import time

from .protocol import ApiError

__all__ = ["TELEGRAM_LIMITS", "Bucket", "FloodControl"]

#: (overall, per chat, paid broadcast) messages per second, as Telegram documents them
TELEGRAM_LIMITS = (30.0, 1.0, 1000.0)


class Bucket:
    """A token bucket: ``rate`` sends a second, bursts of up to ``max(1, rate)``."""

    __slots__ = ("rate", "stamp", "tokens")

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = max(1.0, rate)
        self.stamp = time.monotonic()

    def take(self) -> int:
        """Take one token; return 0 on success, otherwise the retry_after (s) to answer."""
        now = time.monotonic()
        cap = max(1.0, self.rate)
        self.tokens = min(cap, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0
        missing = 1.0 - self.tokens
        return max(1, int(-(-missing // self.rate)))


class FloodControl:
    """The send budget of the server's one token. Limits are messages per second (None: off)
    and may be changed at any time; a changed limit starts a fresh bucket."""

    def __init__(self, overall: float | None = None, per_chat: float | None = None,
                 paid: float | None = None) -> None:
        self.overall = overall
        self.per_chat = per_chat
        #: the overall limit of a send with allow_paid_broadcast (only while overall is on)
        self.paid = paid if paid is not None else TELEGRAM_LIMITS[2]
        self._overall: Bucket | None = None
        self._paid: Bucket | None = None
        self._chats: dict[int, Bucket] = {}

    def take(self, chat_id: int, *, paid_broadcast: bool = False) -> None:
        """Count one message to ``chat_id``, or raise the 429 Telegram would answer."""
        if self.overall:
            if paid_broadcast and self.paid:
                self._paid = _fresh(self._paid, self.paid)
                _take(self._paid)
            else:
                self._overall = _fresh(self._overall, self.overall)
                _take(self._overall)
        if self.per_chat:
            bucket = self._chats[chat_id] = _fresh(self._chats.get(chat_id), self.per_chat)
            _take(bucket)


def _fresh(bucket: Bucket | None, rate: float) -> Bucket:
    return bucket if bucket is not None and bucket.rate == rate else Bucket(rate)


def _take(bucket: Bucket) -> None:
    retry_after = bucket.take()
    if retry_after:
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}",
                       {"retry_after": retry_after})
