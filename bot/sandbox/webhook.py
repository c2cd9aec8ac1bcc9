"""Webhook delivery, as Telegram does it.

Each queued update is POSTed as JSON to the webhook URL, with the header
``X-Telegram-Bot-Api-Secret-Token`` when a secret token was set. An update leaves the queue
when the bot answers 2xx; otherwise it stays and is sent again with a growing delay (or after
the answer's ``Retry-After``). Updates of one chat go one at a time and in order; up to
``max_connections`` chats are served at once. A 2xx answer may carry a Bot API call
(``{"method": "sendMessage", ...}``), which Telegram executes without telling the result.

Like a local Bot API server (``--local``), the sandbox accepts http:// URLs on any port, so a
test can receive updates on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import aiohttp

from .signals import Signal
from .updates import UpdateQueue

__all__ = ["WebhookSender", "WebhookSettings"]

log = logging.getLogger(__name__)

#: methods Telegram does not execute when they come in a webhook's answer
_NOT_FROM_WEBHOOK = ("deletewebhook", "setwebhook", "close", "logout")


@dataclass(frozen=True)
class WebhookSettings:
    """What setWebhook set."""

    url: str  # as the bot gave it
    secret_token: str = ""
    max_connections: int = 40
    ip_address: str = ""
    has_custom_certificate: bool = False

    @property
    def target(self) -> str:
        """Where updates go: a URL without a scheme is an https:// one."""
        return self.url if "://" in self.url else "https://" + self.url


class WebhookSender:
    """Sends the queue's updates to one webhook until stopped."""

    def __init__(self, queue: UpdateQueue, settings: WebhookSettings, *,
                 execute: Callable[[str, dict[str, Any]], Awaitable[object]] | None = None,
                 touch: Callable[[], None] | None = None, retry_delay: float = 0.1,
                 max_retry_delay: float = 5.0, timeout: float = 10.0) -> None:
        self.queue = queue
        self.settings = settings
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.timeout = timeout
        #: the most recent delivery error (unix time, Telegram's wording), like getWebhookInfo
        self.last_error_date = 0
        self.last_error_message = ""
        self._execute = execute
        self._touch = touch  # a POST answered is activity: it wakes the server's idle()
        self._busy_chats: set[object] = set()
        self._in_flight: set[int] = set()  # update ids being sent
        self._retry_at: dict[int, float] = {}
        self._fails: dict[int, int] = {}
        self._done = Signal()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sandbox-webhook")

    async def stop(self) -> None:
        """Stop sending; what was not delivered stays queued."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # ------------------------------------------------------------------ the loop
    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            tasks: set[asyncio.Task] = set()
            try:
                while True:
                    update, wait = self._next_update()
                    if update is None:
                        await _either(self.queue.changed, self._done, wait)
                        continue
                    self._in_flight.add(update["update_id"])  # before the next pick
                    self._busy_chats.add(_chat_of(update))
                    task = asyncio.create_task(self._deliver(session, update))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    def _next_update(self) -> tuple[dict | None, float | None]:
        """The oldest update that may go now, or (None, seconds until one may)."""
        if len(self._in_flight) >= self.settings.max_connections:
            return None, None
        now = time.monotonic()
        wait: float | None = None
        blocked: set[object] = set(self._busy_chats)
        for update in self.queue.queued:
            chat = _chat_of(update)
            if chat in blocked:
                continue
            blocked.add(chat)  # later updates of this chat wait for this one
            retry_at = self._retry_at.get(update["update_id"], 0.0)
            if retry_at > now:
                wait = retry_at - now if wait is None else min(wait, retry_at - now)
                continue
            return update, None
        return None, wait

    async def _deliver(self, session: aiohttp.ClientSession, update: dict) -> None:
        update_id, chat = update["update_id"], _chat_of(update)
        try:
            error, retry_after, reply = await self._post(session, update)
            if error is None:
                self._retry_at.pop(update_id, None)
                self._fails.pop(update_id, None)
                self.queue.delivered(update)
                if reply is not None:
                    await self._run_reply(reply)
                return
            self.last_error_date = int(time.time())
            self.last_error_message = error
            fails = self._fails[update_id] = self._fails.get(update_id, 0) + 1
            delay = retry_after or min(self.max_retry_delay, self.retry_delay * 2 ** (fails - 1))
            self._retry_at[update_id] = time.monotonic() + delay
        finally:
            self._in_flight.discard(update_id)
            self._busy_chats.discard(chat)
            self._done.fire()
            if self._touch is not None:
                self._touch()

    async def _post(self, session: aiohttp.ClientSession,
                    update: dict) -> tuple[str | None, float, dict | None]:
        """(error or None, Retry-After seconds, a Bot API call in the answer or None)."""
        headers = {"Content-Type": "application/json"}
        if self.settings.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.settings.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        try:
            async with session.post(self.settings.target, data=body, headers=headers) as response:
                if 200 <= response.status <= 299:
                    return None, 0.0, await _call_in_answer(response)
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
                return error, _retry_after(response.headers.get("Retry-After")), None
        except aiohttp.ClientConnectorError as exc:
            return _connect_error(exc), 0.0, None
        except TimeoutError:
            return "Read timeout expired", 0.0, None
        except aiohttp.ClientError:
            return "Webhook connection closed", 0.0, None

    async def _run_reply(self, call: dict[str, Any]) -> None:
        method = str(call.pop("method", ""))
        lowered = method.lower()
        if self._execute is None or lowered in _NOT_FROM_WEBHOOK or lowered.startswith("get"):
            return
        try:
            await self._execute(method, call)
        except Exception:  # its result is never reported, as at Telegram
            log.debug("a call in a webhook answer failed", exc_info=True)


def _chat_of(update: dict) -> object:
    """Which chat an update belongs to (its updates are delivered in order)."""
    obj = next(value for key, value in update.items() if key != "update_id")
    if isinstance(obj, dict):
        chat = obj.get("chat") or (obj.get("message") or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return chat["id"]
        sender = obj.get("from") or obj.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return sender["id"]
    return ("update", update["update_id"])


def _connect_error(exc: aiohttp.ClientConnectorError) -> str:
    if isinstance(exc.os_error, ConnectionRefusedError):
        return "Connection refused"
    if isinstance(exc, getattr(aiohttp, "ClientConnectorDNSError", ())):  # aiohttp >= 3.10
        return "Failed to resolve host: Name or service not known"
    return exc.os_error.strerror or "Connection failed"


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, min(3600.0, float(value))) if value else 0.0
    except ValueError:
        return 0.0


async def _call_in_answer(response: aiohttp.ClientResponse) -> dict[str, Any] | None:
    """A Bot API call the bot put in its answer to the webhook, if any."""
    try:
        if response.content_type == "application/json":
            body = await response.json(content_type=None)
        elif response.content_type == "application/x-www-form-urlencoded":
            body = dict(parse_qsl(await response.text(), keep_blank_values=True))
        else:
            return None
    except (ValueError, aiohttp.ClientError):
        return None
    return body if isinstance(body, dict) and body.get("method") else None


async def _either(first: Signal, second: Signal, timeout: float | None) -> None:
    """Until either fires (or ``timeout``). Both are registered before this first yields, so a
    fire from a delivery that ends meanwhile is not lost (the sender would then sleep with an
    update it could send)."""
    if timeout is not None and timeout <= 0:
        return
    await asyncio.wait((first.future(), second.future()), timeout=timeout,
                       return_when=asyncio.FIRST_COMPLETED)
