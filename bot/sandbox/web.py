"""The sandbox's web chat: a page where you are one of the sandbox's people, talking to the bot.

It adds pages and a small JSON API on top of :class:`~bot.sandbox.server.BotApiServer`, using only
the server's Python API (``server.user()``, ``SimUser.send``/``press_data``/``send_document``,
``server.commands_for()``, ``server.wait_events()``, ``server.file()``). There is one Bot API
implementation, the server's; this module only shows it to a person.

Routes (all on loopback):

* ``GET /`` — the chat page; ``/static/…`` its script and style (no CDN, no build step).
* ``GET /api/info`` — the bot, the people, the sandbox's database, the newest event's number.
* ``GET|POST /api/people`` — list the people / add one (``{"first_name": …}``).
* ``GET /api/people/{id}/messages`` — the chat with one person, in its current state.
* ``POST /api/people/{id}/send`` (``{"text"}``), ``/press`` (``{"message_id", "callback_data"}``),
  ``/document`` (multipart field ``document``) — act as that person.
* ``GET /api/people/{id}/commands`` — the command menu Telegram would show that person.
* ``GET /api/events?after=N&timeout=S`` — long poll for what happens in every chat.
* ``GET /files/{file_id}/{name}`` — download a document (the bot's .eml and .pdf letters) or a
  photo (``?inline=1`` to show it).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote, urlsplit

from aiohttp import web

from .control import send_uploaded_document
from .models import ChatEvent, SimMessage
from .people import SimUser
from .server import BotApiServer

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD = 20 * 1024 * 1024  # Telegram's limit for files a bot downloads
MAX_NAME = 64
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(payload, ensure_ascii=False), status=status,
                        content_type="application/json",
                        headers={"Cache-Control": "no-store"})


def _error(status: int, message: str) -> web.Response:
    return _json({"ok": False, "error": message}, status)


class SandboxWeb:
    """The web chat for one :class:`BotApiServer`."""

    def __init__(self, server: BotApiServer, *, owner_ids: Iterable[int] = (),
                 database_label: str = "") -> None:
        self.server = server
        self.owner_ids = frozenset(owner_ids)
        self.database_label = database_label
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._closing = asyncio.Event()
        #: False while the bot is still starting (the page says so; messages wait in the queue)
        self.bot_ready = True

    # ------------------------------------------------------------------ lifecycle
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024,
                              middlewares=[self._guard])
        r = app.router
        r.add_get("/", self._page)
        r.add_get("/index.html", self._page)
        r.add_get("/static/{name}", self._static)
        r.add_get("/favicon.ico", self._favicon)
        r.add_get("/api/info", self._info)
        r.add_get("/api/people", self._people)
        r.add_post("/api/people", self._add_person)
        r.add_get("/api/people/{id}/messages", self._messages)
        r.add_post("/api/people/{id}/send", self._send)
        r.add_post("/api/people/{id}/press", self._press)
        r.add_post("/api/people/{id}/document", self._document)
        r.add_get("/api/people/{id}/commands", self._commands)
        r.add_get("/api/events", self._events)
        r.add_get("/files/{file_id}/{name}", self._file)
        r.add_get("/files/{file_id}", self._file)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 8080) -> Self:
        if self._runner is not None:
            raise RuntimeError("web chat already started")
        runner = web.AppRunner(self.make_app(), access_log=None, handler_cancellation=True,
                               shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port, reuse_address=True).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = runner.addresses[0][1]
        self._host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self._closing.clear()
        return self

    async def stop(self) -> None:
        self._closing.set()  # answers pending long polls at once
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("web chat not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    # ------------------------------------------------------------------ safety
    @web.middleware
    async def _guard(self, request: web.Request, handler):
        """Only pages on this machine may use the chat: a foreign Host (DNS rebinding) or a
        foreign Origin on a POST (another site in the same browser) is refused."""
        try:
            host = urlsplit("//" + (request.host or "")).hostname or ""
        except ValueError:
            host = ""
        if host not in _LOOPBACK_HOSTS | {self._host}:
            return _error(403, "the sandbox web chat only answers on loopback")
        origin = request.headers.get("Origin")
        if (request.method not in ("GET", "HEAD") and origin and origin != "null"
                and urlsplit(origin).netloc != request.host):
            return _error(403, "cross-site request refused")
        return await handler(request)

    # ------------------------------------------------------------------ JSON shapes
    def person_json(self, user: SimUser) -> dict[str, Any]:
        return {**user.to_dict(), "full_name": user.full_name, "owner": user.id in self.owner_ids}

    @staticmethod
    def file_url(file_id: str, filename: str | None) -> str:
        return f"/files/{quote(file_id, safe='')}/{quote(filename or 'file', safe='')}"

    def message_json(self, message: SimMessage) -> dict[str, Any]:
        data = message.to_dict()
        if message.document is not None:
            data["document"]["url"] = self.file_url(message.document.file_id,
                                                    message.document.filename)
        if message.photo is not None:  # shown in the page, so served inline
            data["photo"]["url"] = self.file_url(message.photo.file_id, "photo") + "?inline=1"
        return data

    def event_json(self, event: ChatEvent) -> dict[str, Any]:
        data = event.to_dict()
        if event.message is not None:
            data["message"] = self.message_json(event.message)
        if event.type == "user" and event.chat_id is not None:
            data["person"] = self.person_json(self.server.get_user(event.chat_id))
        return data

    def _user(self, request: web.Request) -> SimUser:
        try:
            return self.server.get_user(int(request.match_info["id"]))
        except (KeyError, ValueError):
            raise web.HTTPNotFound(text='{"ok":false,"error":"no such person"}',
                                   content_type="application/json") from None

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        if not request.body_exists:
            return {}
        try:
            body = await request.json() if request.content_type == "application/json" else dict(
                await request.post())
        except ValueError:
            raise web.HTTPBadRequest(text='{"ok":false,"error":"invalid JSON"}',
                                     content_type="application/json") from None
        return body if isinstance(body, dict) else {}

    # ------------------------------------------------------------------ pages
    async def _page(self, request: web.Request) -> web.Response:
        return web.FileResponse(STATIC / "index.html", headers={
            "Content-Security-Policy": CSP, "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = STATIC / name
        if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": "no-store",
                                               "X-Content-Type-Options": "nosniff"})

    async def _favicon(self, request: web.Request) -> web.Response:
        svg = ("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
               "<circle cx='8' cy='8' r='8' fill='#2a9d8f'/></svg>")
        return web.Response(text=svg, content_type="image/svg+xml")

    # ------------------------------------------------------------------ API: the sandbox
    async def _info(self, request: web.Request) -> web.Response:
        server = self.server
        return _json({
            "ok": True,
            "sandbox": True,
            "bot": {"id": server.bot_id, "name": server.bot_name,
                    "username": server.bot_username},
            "database": self.database_label,
            "bot_ready": self.bot_ready,
            "people": [self.person_json(u) for u in server.users],
            "last_event": server.last_event_seq,
        })

    async def _people(self, request: web.Request) -> web.Response:
        return _json({"ok": True, "people": [self.person_json(u) for u in self.server.users]})

    async def _add_person(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        name = " ".join(str(body.get("first_name") or body.get("name") or "").split())
        if not name:
            return _error(400, "a name is required")
        if len(name) > MAX_NAME:
            return _error(400, f"a name has at most {MAX_NAME} characters")
        language = str(body.get("language_code") or "en")[:8]
        user = self.server.user(name, language_code=language)
        return _json({"ok": True, "person": self.person_json(user)})

    # ------------------------------------------------------------------ API: one chat
    async def _messages(self, request: web.Request) -> web.Response:
        user = self._user(request)
        return _json({
            "ok": True,
            "person": self.person_json(user),
            "messages": [self.message_json(m) for m in user.history if not m.deleted],
            "last_event": self.server.last_event_seq,
        })

    async def _send(self, request: web.Request) -> web.Response:
        user = self._user(request)
        body = await self._body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "text is required")
        if len(text) > 4096:
            return _error(400, "a message has at most 4096 characters")
        sent = await user.send(text)
        return _json({"ok": True, "message": self.message_json(user.message(sent["message_id"]))})

    async def _press(self, request: web.Request) -> web.Response:
        user = self._user(request)
        body = await self._body(request)
        data = body.get("callback_data")
        try:
            message_id = int(body.get("message_id"))
        except (TypeError, ValueError):
            return _error(400, "message_id is required")
        if not isinstance(data, str) or not data:
            return _error(400, "callback_data is required")
        try:
            message = user.message(message_id)
        except KeyError:
            return _error(404, "no such message")
        if message.deleted or not any(b.get("callback_data") == data
                                      for b in message.flat_buttons):
            return _error(409, "that button is no longer on the message")
        query_id = await user.press_data(data, message=message_id)
        return _json({"ok": True, "callback_query_id": query_id})

    async def _document(self, request: web.Request) -> web.Response:
        user = self._user(request)
        sent = await send_uploaded_document(user, request)
        if isinstance(sent, web.Response):
            return sent
        return _json({"ok": True, "message": self.message_json(user.message(sent["message_id"]))})

    async def _commands(self, request: web.Request) -> web.Response:
        user = self._user(request)
        return _json({"ok": True, "commands": self.server.commands_for(user.id)})

    # ------------------------------------------------------------------ API: events, files
    async def _events(self, request: web.Request) -> web.Response:
        """Long poll: ``{"events": [...], "last": N}``; pass ``last`` as ``after`` next time.
        ``"reset": true`` when ``after`` is ahead of the server (the sandbox was restarted)."""
        try:
            after = int(request.query.get("after", "0"))
            timeout = max(0.0, min(60.0, float(request.query.get("timeout", "25"))))
        except ValueError:
            return _error(400, "after and timeout must be numbers")
        server = self.server
        if after > server.last_event_seq:
            return _json({"ok": True, "events": [], "last": server.last_event_seq,
                          "reset": True})
        waiter = asyncio.ensure_future(server.wait_events(after, timeout))
        closing = asyncio.ensure_future(self._closing.wait())
        try:
            await asyncio.wait((waiter, closing), return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
            if not waiter.done():
                waiter.cancel()
        events = waiter.result()[:500] if waiter.done() and not waiter.cancelled() else []
        last = events[-1].seq if events else after
        return _json({"ok": True, "events": [self.event_json(e) for e in events],
                      "last": last})

    async def _file(self, request: web.Request) -> web.Response:
        document = self.server.file(request.match_info["file_id"])
        if document is None:
            return _error(404, "no such file")
        filename = (document.filename or "file").replace("\r", "").replace("\n", "")
        ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace(
            "?", "_")
        disposition = "inline" if request.query.get("inline") == "1" else "attachment"
        return web.Response(body=document.content,
                            content_type=document.mime_type or "application/octet-stream",
                            headers={
                                "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\""
                                                       f"; filename*=UTF-8''{quote(filename)}",
                                "X-Content-Type-Options": "nosniff",
                                "Cache-Control": "no-store",
                            })
