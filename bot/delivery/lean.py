"""A lean Telegram transport for broadcasts: the same Bot API calls and the same answers as
:class:`~bot.delivery.transport.TelegramTransport`, without building PTB objects.

A broadcast needs one thing back from ``sendMessage``: the ``message_id`` (or the error).
Through PTB every send builds a request object tree, serialises it, and parses the answer into a
full ``Message`` (with ``User``, ``Chat``, entities, keyboard...) that is thrown away at once;
profiling the worker with the limit lifted put most of its CPU there. This transport posts the
JSON body itself over one pooled aiohttp session (keyboard serialised once per alert, not per
send) and reads only ``ok``, ``result.message_id``, ``error_code``, ``description`` and
``parameters.retry_after``. Errors map exactly as in :mod:`bot.delivery.transport`.

``paid_broadcast=True`` adds ``allow_paid_broadcast`` to every send (Telegram's paid
broadcasts: up to 1000 messages/s, charged in Stars).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp

from bot.delivery.results import SendResult
from bot.delivery.transport import MALFORMED, NOT_MODIFIED, UNREACHABLE
from storage.models import DeliveryChannel

log = logging.getLogger(__name__)


def result_of_answer(status: int, body: dict[str, Any]) -> SendResult:
    """What a Bot API answer (HTTP status and JSON body) means for the delivery."""
    if body.get("ok"):
        result = body.get("result")
        return SendResult.sent(result.get("message_id") if isinstance(result, dict) else None)
    code = int(body.get("error_code") or status)
    description = str(body.get("description") or f"HTTP {status}")
    text = description.lower()
    if code == 429:
        retry_after = (body.get("parameters") or {}).get("retry_after") or 1
        return SendResult.rate_limited(float(retry_after))
    if code == 403:
        return SendResult.blocked(description)
    if code == 400:
        if any(part in text for part in UNREACHABLE):
            return SendResult.blocked(description)
        if any(part in text for part in MALFORMED):
            return SendResult.malformed(description)
        return SendResult.failed(description)
    if code >= 500:
        return SendResult.retry(f"NetworkError: {description}")
    return SendResult.failed(description)


class LeanTelegramTransport:
    """Sends HTML messages with an optional inline keyboard over the Bot API, directly."""

    channel = DeliveryChannel.TELEGRAM

    def __init__(self, token: str, base_url: str, *, connections: int = 10,
                 paid_broadcast: bool = False, timeout: float = 30.0) -> None:
        self._url = f"{base_url.rstrip('/')}{token}/"
        self.paid_broadcast = paid_broadcast
        self._connections = connections
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._markups: dict[int, tuple[Any, Any]] = {}  # id(markup) → (markup, its dict)

    @classmethod
    async def connect(cls, token: str, base_url: str, *, connections: int,
                      paid_broadcast: bool = False) -> LeanTelegramTransport:
        transport = cls(token, base_url, connections=connections, paid_broadcast=paid_broadcast)
        transport._open()
        return transport

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=self._timeout, json_serialize=json.dumps)
        return self._session

    def _markup(self, markup: Any) -> Any:
        """The keyboard as JSON data; built once per keyboard object (one per alert and
        language), not per send."""
        if markup is None:
            return None
        cached = self._markups.get(id(markup))
        if cached is not None and cached[0] is markup:
            return cached[1]
        data = markup.to_dict() if hasattr(markup, "to_dict") else markup
        if len(self._markups) > 1024:
            self._markups.clear()
        self._markups[id(markup)] = (markup, data)
        return data

    async def _call(self, method: str, params: dict[str, Any]) -> SendResult:
        try:
            async with self._open().post(self._url + method, json=params) as answer:
                try:
                    body = await answer.json(content_type=None)
                except ValueError:
                    body = {}
                if not isinstance(body, dict):
                    body = {}
                return result_of_answer(answer.status, body)
        except asyncio.CancelledError:
            raise
        except TimeoutError:  # the request may have been carried out: its answer is lost
            return SendResult.retry("TimedOut: no answer from the Bot API", uncertain=True)
        except aiohttp.ClientConnectorError as error:  # no connection: it never reached Telegram
            return SendResult.retry(f"NetworkError: {type(error).__name__}")
        except aiohttp.ClientError as error:  # dropped mid-request: Telegram may have it
            return SendResult.retry(f"NetworkError: {type(error).__name__}", uncertain=True)

    async def send(self, chat_id: int, text: str, markup: Any = None) -> SendResult:
        params: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
        if markup is not None:
            params["reply_markup"] = self._markup(markup)
        if self.paid_broadcast:
            params["allow_paid_broadcast"] = True
        return await self._call("sendMessage", params)

    async def edit(self, chat_id: int, message_id: int, text: str,
                   markup: Any = None) -> SendResult:
        params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text,
                                  "parse_mode": "HTML"}
        if markup is not None:
            params["reply_markup"] = self._markup(markup)
        result = await self._call("editMessageText", params)
        if not result.ok and NOT_MODIFIED in (result.error or "").lower():
            return SendResult.sent(message_id)  # it already says exactly this
        return result

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
