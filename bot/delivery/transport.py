"""Telegram as a delivery channel: sends and edits through the Bot API, every answer mapped to
a :class:`~bot.delivery.results.SendResult`.

This is the one place that knows Telegram's errors:

- ``429 RetryAfter`` → ``RETRY_AFTER(seconds)`` (the worker pauses every sender);
- ``403`` and the 400s that mean "this person cannot be reached" → ``BLOCKED``;
- 400s about the message itself (bad HTML, too long, a broken keyboard) → ``MALFORMED``;
- any other 400 or Telegram error → ``FAILED``;
- 5xx, time-outs, network trouble, a failing HTTP client → ``RETRY``; a time-out or a
  connection lost after the request was written is ``uncertain`` (Telegram may have accepted
  it), a refused connection or a 5xx answer is not.
"""

from __future__ import annotations

import datetime as dt
import logging

import aiohttp
import httpx
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.delivery.results import SendResult
from bot.telegram_requests import telegram_request
from storage.models import DeliveryChannel

log = logging.getLogger(__name__)

# 400 answers that mean "this person cannot be reached": treated like 403.
UNREACHABLE = ("chat not found", "user not found", "peer_id_invalid", "user is deactivated",
               "bot was blocked", "bot can't initiate conversation", "chat_write_forbidden")
# 400 answers about the message itself: every recipient would get the same one.
MALFORMED = ("can't parse entities", "message is too long", "message text is empty",
             "text must be non-empty", "button_data_invalid", "can't parse inline keyboard",
             "unsupported start tag", "reply markup is too long")
NOT_MODIFIED = "message is not modified"


def retry_after_seconds(error: RetryAfter) -> float:
    value = getattr(error, "_retry_after", None)  # a timedelta in PTB 22; avoids a deprecation
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def result_of_error(error: Exception) -> SendResult:
    """What an exception raised by a Bot API call means for the delivery."""
    if isinstance(error, RetryAfter):
        return SendResult.rate_limited(retry_after_seconds(error))
    if isinstance(error, Forbidden):
        return SendResult.blocked(str(error))
    if isinstance(error, BadRequest):  # before NetworkError: PTB derives it from that
        message = str(error).lower()
        if any(text in message for text in UNREACHABLE):
            return SendResult.blocked(str(error))
        if any(text in message for text in MALFORMED):
            return SendResult.malformed(str(error))
        return SendResult.failed(str(error))
    if isinstance(error, NetworkError):  # 5xx, time-outs, connection trouble
        return SendResult.retry(f"{type(error).__name__}: {error}",
                                uncertain=answer_may_be_lost(error))
    if isinstance(error, TelegramError):
        return SendResult.failed(f"{type(error).__name__}: {error}")
    # Not an answer from Telegram (e.g. the HTTP client itself failed): try again later.
    log.warning("telegram transport: unexpected %s", type(error).__name__)
    return SendResult.retry(f"{type(error).__name__}: {error}")


# Failures before the request reached Telegram: it cannot have been delivered (aiohttp's, as
# the bot sends them, bot/aiohttp_request.py; httpx's, for a plain PTB request).
NEVER_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError,
              httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
TRANSPORT_ERRORS = (aiohttp.ClientError, httpx.HTTPError)


def answer_may_be_lost(error: NetworkError) -> bool:
    """Whether Telegram may have accepted the request although no answer came: a time-out, or
    a connection dropped mid-request (PTB chains the HTTP client's error). A 5xx is an answer (PTB
    raises it without a cause); a refused connection never reached Telegram."""
    cause = error.__cause__
    if isinstance(cause, NEVER_SENT):
        return False
    return isinstance(error, TimedOut) or isinstance(cause, TRANSPORT_ERRORS)


class TelegramTransport:
    """Sends HTML messages with an optional inline keyboard through one ``Bot``."""

    channel = DeliveryChannel.TELEGRAM

    def __init__(self, bot: Bot, *, owns_bot: bool = False) -> None:
        self.bot = bot
        self._owns_bot = owns_bot

    @classmethod
    async def connect(cls, token: str, base_url: str, *, connections: int) -> TelegramTransport:
        """A transport with a ``Bot`` (and connection pool) of its own, so broadcasts never
        queue behind the bot's answers to people, and in-flight sends can finish after the
        Application has shut its own ``Bot`` down. :meth:`close` shuts it down."""
        bot = Bot(token, base_url=base_url,
                  request=telegram_request(connections))
        await bot.initialize()
        return cls(bot, owns_bot=True)

    async def send(self, chat_id: int, text: str,
                   markup: InlineKeyboardMarkup | None = None) -> SendResult:
        try:
            message = await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML,
                                                  reply_markup=markup)
        except Exception as error:  # noqa: BLE001 — every failure becomes a SendResult
            return result_of_error(error)
        return SendResult.sent(message.message_id)

    async def edit(self, chat_id: int, message_id: int, text: str,
                   markup: InlineKeyboardMarkup | None = None) -> SendResult:
        try:
            await self.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                             parse_mode=ParseMode.HTML, reply_markup=markup)
        except BadRequest as error:
            if NOT_MODIFIED in str(error).lower():  # it already says exactly this
                return SendResult.sent(message_id)
            return result_of_error(error)
        except Exception as error:  # noqa: BLE001
            return result_of_error(error)
        return SendResult.sent(message_id)

    async def close(self) -> None:
        if self._owns_bot:
            await self.bot.shutdown()
