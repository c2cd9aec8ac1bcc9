"""The project's own Telegram Bot API server (aiohttp).

The real bot ``Application`` is pointed at it with
``ApplicationBuilder().token(TOKEN).base_url(server.base_url).base_file_url(server.base_file_url)``
and talks to it over HTTP exactly as to Telegram (long polling ``getUpdates``, or a webhook).
Tests and the sandbox web chat act as people through :meth:`BotApiServer.user` (see
:mod:`.people`) or the JSON control API under ``/control/`` (:mod:`.control`).

What Telegram knows lives in :class:`~.core.SimTelegram`, which this class extends with HTTP,
injected faults and waiting helpers; the Bot API methods themselves are in :mod:`.methods`.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any, Self

from aiohttp import web

from .control import ControlApi
from .core import SimTelegram
from .methods import METHODS, SEND_METHODS
from .models import ApiCall, FaultRule
from .protocol import (
    Answer,
    ApiError,
    BotRequest,
    coerce_params,
    error_response,
    json_response,
    read_request,
)

__all__ = ["ApiError", "BotApiServer"]

MAX_FILE = 50 * 1024 * 1024


class AnswerDropped(Exception):
    """A fault rule's ``drop_answer``: the call was carried out, its answer is not sent."""


class BotApiServer(SimTelegram):
    """A Telegram Bot API server for tests and the offline sandbox.

    Usage::

        async with BotApiServer() as server:
            app = server.application_builder().build()
            ...  # start polling
            alice = server.user("Alice")
            await alice.send("/start")
            msg = await alice.reply()

    Options: ``flood_limits=True`` answers 429 beyond Telegram's send limits (or set
    ``flood_limit_global`` / ``flood_limit_per_chat``); ``inline_mode`` / ``inline_feedback``
    are the bot's BotFather settings; ``callback_query_ttl`` / ``inline_query_ttl`` how long a
    query may be answered.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: active fault rules (see fail())
        self.faults: list[FaultRule] = []
        self._inflight = 0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"

    # ================================================================== lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> BotApiServer:
        if self._runner is not None:
            raise RuntimeError("server already started")
        app = web.Application(client_max_size=MAX_FILE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        ControlApi(self).add_routes(app)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True,
                               shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port, reuse_address=True)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        self._host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self.updates.closed = self.event_log.closed = False
        if self.webhook is not None:  # started again: so is webhook delivery
            self.webhook.start()
        return self

    async def stop(self) -> None:
        """Stop serving. A pending long poll is answered at once; webhook delivery stops."""
        self.updates.close()
        self.event_log.close()
        self.touch()
        if self.webhook is not None:
            await self.webhook.stop()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("server not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def control_url(self) -> str:
        return f"{self.url}/control"

    def application_builder(self) -> Any:
        """A ``telegram.ext.ApplicationBuilder`` already pointed at this server."""
        from telegram.ext import ApplicationBuilder

        return (ApplicationBuilder().token(self.token).base_url(self.base_url)
                .base_file_url(self.base_file_url))

    # ================================================================== faults
    def fail(
        self,
        method: str = "*",
        status: int | None = None,
        *,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: int | str | None = None,
        description: str | None = None,
        delay: float = 0.0,
        drop_answer: bool = False,
        seconds: float | None = None,
        answer_delay: float = 0.0,
    ) -> FaultRule:
        """Inject a failure for ``method`` (or "*"), optionally only for ``chat_id``, for the
        next ``times`` matching calls (None = until clear_faults()).

        status 429 -> "Too Many Requests: retry after N" with parameters.retry_after;
        403 -> "Forbidden: bot was blocked by the user"; 400 -> "Bad Request: chat not found";
        500/502 -> "Internal Server Error"/"Bad Gateway". ``delay`` (s) answers slowly; without
        a status the call then succeeds. ``drop_answer`` carries the call out (the message is
        sent) and then closes the connection without answering, as when Telegram accepted a
        request whose answer was lost on the way. ``seconds``: the rule applies for that long
        from now (an outage), however many calls match; ``times`` is then ignored unless given
        too. ``answer_delay`` (s): the call is carried out (the message is delivered), and only
        then answered slowly — a lost answer when the client gives up waiting first."""
        if status is None and not delay and not drop_answer and not answer_delay:
            raise ValueError("fail() needs a status, a delay, drop_answer or an answer_delay")
        if status is not None and drop_answer:
            raise ValueError("a dropped answer has no status")
        if seconds is not None and times == 1:
            times = None  # an outage lasts its time, not one call
        rule = FaultRule(method=method, status=status, retry_after=retry_after, times=times,
                         chat_id=chat_id, description=description, delay=delay,
                         drop_answer=drop_answer,
                         until=None if seconds is None else time.monotonic() + seconds,
                         answer_delay=answer_delay)
        self.faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        self.faults.clear()

    async def _apply_faults(self, method: str, params: dict) -> bool:
        """Apply the matching rules; True if the answer to this call is to be dropped."""
        drop = False
        for rule in list(self.faults):
            if rule.answer_delay or not rule.matches(method.lower(), params):
                continue
            drop = drop or rule.drop_answer
            rule.hits += 1
            if rule.expired and rule in self.faults:
                self.faults.remove(rule)
            if rule.delay:
                await self._sleep(rule.delay)
            if rule.status is not None:
                raise ApiError(*rule.error())
        return drop

    async def _answer_late(self, method: str, params: dict) -> None:
        """The call was carried out; an ``answer_delay`` rule holds its answer back."""
        for rule in list(self.faults):
            if rule.answer_delay and rule.matches(method.lower(), params):
                rule.hits += 1
                await self._sleep(rule.answer_delay)
                return

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the server stops."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self.updates.closed:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await self._activity.wait(remaining)

    # ================================================================== inspection & waiting
    def calls_to(self, method: str) -> list[ApiCall]:
        ml = method.lower()
        return [c for c in self.calls if c.method.lower() == ml]

    def clear_calls(self) -> None:
        self.calls.clear()

    async def idle(self, timeout: float = 10.0, quiet: float = 0.15) -> None:
        """Return when every queued update was fetched by getUpdates (or delivered to the
        webhook), no Bot API call is in flight and none arrived for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = loop.time()
            busy = self.pending_updates > 0 or self._inflight > 0
            if not busy:
                since = time.monotonic() - self._last_activity
                if since >= quiet:
                    return
                wait = quiet - since
            else:
                wait = deadline - now
            if now >= deadline:
                raise TimeoutError(
                    f"server not idle after {timeout}s: {self.pending_updates} update(s) not "
                    f"fetched by getUpdates (is the bot polling?), {self._inflight} call(s) in "
                    f"flight.\n{self.diagnostics()}"
                )
            await self._activity.wait(min(wait, deadline - now))

    # ================================================================== HTTP: Bot API
    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._refuse(request.match_info["method"], ApiError(401, "Unauthorized"))
        try:
            rq = await read_request(request)
        except ApiError as err:
            return self._refuse(request.match_info["method"], err)
        try:
            return await self._call(request.match_info["method"], rq)
        except AnswerDropped:
            if request.transport is not None:
                request.transport.abort()  # the client sees the connection end, no answer
            return web.Response(status=204)

    def _refuse(self, method: str, err: ApiError) -> web.Response:
        entry = METHODS.get(method)
        call = self._record(entry[0] if entry else method, {})
        self._failed(call, err)
        return error_response(err)

    async def execute(self, method: str, params: dict[str, Any]) -> object:
        """Run a call from a webhook's answer as if it had come over HTTP."""
        try:
            return await self._call(method, BotRequest(coerce_params(params)))
        except AnswerDropped:  # a webhook's answer has nobody waiting for the result
            return json_response({"ok": True, "result": True})

    async def _call(self, method: str, rq: BotRequest) -> web.Response:
        entry = METHODS.get(method)
        name = entry[0] if entry else method
        params = rq.params
        if rq.files:  # uploads show in the call record as a placeholder
            params.update({k: {"upload": f.filename, "size": len(f.content),
                               "mime_type": f.mime_type}
                           for k, f in rq.files.items() if k not in params})
        call = self._record(name, params)
        counted = name != "getUpdates"  # a long poll is not the bot being busy
        if counted:
            self._inflight += 1
            self.touch()
        drop = False
        try:
            try:
                if entry is None:
                    raise ApiError(404, "Not Found")
                if self.faults:
                    drop = await self._apply_faults(name, params)
                result = entry[1](self, rq)
                if inspect.isawaitable(result):
                    result = await result
                if self.faults:
                    await self._answer_late(name, params)
            except ApiError as err:
                self._failed(call, err)
                return error_response(err)
            body: dict[str, Any] = {"ok": True, "result": result}
            if isinstance(result, Answer):
                body = {"ok": True, "result": result.result, "description": result.description}
            call.status = 200
            call.result = body["result"]
            if name in SEND_METHODS:
                self.stats.messages_sent += 1
                self.stats.send_times.append(time.monotonic())
            if drop:
                call.description = "answer dropped"
                raise AnswerDropped(name)
            return json_response(body)
        except asyncio.CancelledError:
            call.status = 499
            raise
        finally:
            if counted:
                self._inflight -= 1
                self.touch()

    def _record(self, method: str, params: dict) -> ApiCall:
        call = ApiCall(method, params, time.time())
        self.stats.requests += 1
        self.calls.append(call)
        if len(self.calls) > self.max_calls:
            del self.calls[: len(self.calls) - self.max_calls // 2]
        return call

    def _failed(self, call: ApiCall, err: ApiError) -> None:
        call.status = err.status
        call.description = err.description
        self.stats.errors += 1
        if err.status == 429:
            self.stats.rate_limited += 1

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return error_response(ApiError(401, "Unauthorized"))
        doc = self.files.by_path(request.match_info["path"])
        if doc is None:
            return error_response(ApiError(404, "Not Found"))
        return web.Response(body=doc.content,
                            content_type=doc.mime_type or "application/octet-stream")


def main() -> None:  # pragma: no cover - manual use
    """Run the server standalone: ``python -m bot.sandbox.server [--port N]``."""
    import argparse

    parser = argparse.ArgumentParser(description="Sandbox Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    args = parser.parse_args()

    async def run() -> None:
        server = BotApiServer(args.token)
        await server.start(args.host, args.port)
        print(f"Bot API: {server.base_url}  files: {server.base_file_url}  "
              f"control: {server.control_url}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await server.stop()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":  # pragma: no cover
    main()
