"""The project's own Telegram Bot API server (aiohttp).

The real bot ``Application`` is pointed at it with
``ApplicationBuilder().token(TOKEN).base_url(server.base_url).base_file_url(server.base_file_url)``
and talks to it over HTTP exactly as to Telegram (long polling ``getUpdates``). Tests and the
sandbox web chat act as people through :meth:`BotApiServer.user` (see :mod:`.people`) or the JSON
control API under ``/control/``.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import logging
import mimetypes
import re
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from ipaddress import ip_address
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web

from .formatting import EntityParseError, parse_html, parse_markdown_v2, trim_text
from .models import (
    ApiCall,
    CallbackAnswer,
    ChatEvent,
    FaultRule,
    SimDocument,
    SimMessage,
    Stats,
)
from .people import SimUser, _Bucket, _Signal

__all__ = ["ApiError", "BotApiServer"]

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_FILE = 50 * 1024 * 1024

# parameters PTB sends JSON-encoded inside form/multipart bodies
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "menu_button",
        "media",
        "results",
        "options",
        "explanation_entities",
        "permissions",
        "rights",
        "message_ids",
        "reaction",
        "text_entities",
        "question_entities",
    }
)
_INT_PARAMS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "reply_to_message_id",
        "message_thread_id",
        "duration",
        "width",
        "height",
        "max_connections",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_web_page_preview",
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "allow_paid_broadcast",
        "is_big",
        "show_caption_above_media",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SEND_METHODS = frozenset({"sendmessage", "senddocument"})


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> ApiError:
    return ApiError(400, "Bad Request: " + description)


_EMPTY = {"text": None, "caption": "", "entities": [], "caption_entities": [], "reply_markup": None}


def _refuse_unchanged(raw: dict, new: dict) -> None:
    """Telegram refuses an edit that changes nothing (the 'message is not modified' error)."""
    if all(raw.get(key, _EMPTY[key]) == value for key, value in new.items()):
        raise _bad(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )


def _json_response(payload: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


def _error_response(err: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": err.status, "description": err.description}
    if err.parameters:
        body["parameters"] = err.parameters
    return _json_response(body, err.status)


def _valid_button_url(url: str) -> bool:
    u = url.strip()
    if not u or any(c.isspace() for c in u):
        return False
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*)://", u)
    if m is None:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\d)", u):  # e.g. "javascript:..", "mailto:"
            return False
        u = "http://" + u  # Telegram accepts "example.com/path"
        scheme = "http"
    else:
        scheme = m.group(1).lower()
    if scheme == "tg":
        return True
    if scheme not in ("http", "https"):
        return False
    try:
        host = urlsplit(u).hostname
    except ValueError:
        return False
    if not host:
        return False
    try:
        ip_address(host)
        return True
    except ValueError:
        pass
    return "." in host.strip(".") and all(
        re.fullmatch(r"[A-Za-z0-9\-_]+|xn--[A-Za-z0-9\-]+", part) or not part.isascii()
        for part in host.split(".")
        if part
    )


class BotApiServer:
    """A Telegram Bot API server for tests and the offline sandbox.

    Usage::

        async with BotApiServer() as server:
            builder = ApplicationBuilder().token(server.token)
            app = builder.base_url(server.base_url).base_file_url(server.base_file_url).build()
            ...  # start polling
            alice = server.user("Alice")
            await alice.send("/start")
            msg = await alice.reply()
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "appeal_test_bot",
        bot_name: str = "Appeal Bot",
        *,
        flood_limit_per_chat: float | None = None,
        flood_limit_global: float | None = None,
        callback_query_ttl: float = 900.0,
        max_calls: int = 100_000,
        max_events: int = 20_000,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_name = bot_name
        try:
            self.bot_id = int(token.split(":", 1)[0])
        except ValueError:
            self.bot_id = 123456
        #: messages/s allowed per chat and overall; None = unlimited (answers 429 when exceeded)
        self.flood_limit_per_chat = flood_limit_per_chat
        self.flood_limit_global = flood_limit_global
        #: seconds after which answerCallbackQuery says "query is too old"
        self.callback_query_ttl = callback_query_ttl
        self.max_calls = max_calls
        self.max_events = max_events

        #: every Bot API request, in order (ApiCall); clear it freely
        self.calls: list[ApiCall] = []
        #: active fault rules (see fail())
        self.faults: list[FaultRule] = []
        self.stats = Stats()

        self._users: dict[int, SimUser] = {}
        self._user_ids = itertools.count(1001)
        self._updates: deque[dict] = deque()
        self._update_id = 0
        self._fetched_upto = 0  # highest update_id returned by getUpdates (or dropped)
        self._poll_gen = 0
        self._updates_signal = _Signal()
        self._activity = _Signal()
        self._event_signal = _Signal()
        self._inflight = 0
        self._last_activity = time.monotonic()

        self._files: dict[str, tuple[SimDocument, str]] = {}  # file_id -> (doc, file_path)
        self._files_by_path: dict[str, str] = {}
        self._file_seq = itertools.count(1)
        self._queries: dict[str, dict] = {}
        self._query_seq = itertools.count(1)
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}  # name/description/short_description
        self._default_menu_button: dict = {"type": "commands"}
        self._webhook_url = ""
        self._global_bucket: _Bucket | None = None

        self._events: list[ChatEvent] = []
        self._events_base = 1  # seq of self._events[0]
        self._event_seq = 0
        self._listeners: list[Callable[[ChatEvent], Any]] = []
        self._listener_tasks: set[asyncio.Task] = set()

        self._methods: dict[str, tuple[str, Callable, bool]] = {}
        for name in dir(self):
            if name.startswith("_api_"):
                fn = getattr(self, name)
                canonical = name[5:]
                self._methods[canonical.lower()] = (
                    canonical,
                    fn,
                    inspect.iscoroutinefunction(fn),
                )

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._stopping = False

    # ================================================================== lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> BotApiServer:
        if self._runner is not None:
            raise RuntimeError("server already started")
        app = web.Application(client_max_size=MAX_FILE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._add_control_routes(app)
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=2.0
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port, reuse_address=True)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        self._host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self._stopping = False
        return self

    async def stop(self) -> None:
        """Stop serving. A pending long poll is answered at once."""
        self._stopping = True
        self._updates_signal.fire()
        self._activity.fire()
        self._event_signal.fire()
        for u in self._users.values():
            u._changed.fire()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        for t in list(self._listener_tasks):
            t.cancel()

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

    # ================================================================== PTB helpers
    def application_builder(self) -> Any:
        """A ``telegram.ext.ApplicationBuilder`` already pointed at this server."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    # ================================================================== people
    def user(
        self,
        first_name: str,
        user_id: int | None = None,
        language_code: str | None = "en",
        *,
        last_name: str | None = None,
        username: str | None = None,
        started: bool = False,
    ) -> SimUser:
        """Create (or return the existing) simulated user; chat.id == user.id.

        ``started=True`` pretends the user already talked to the bot (otherwise a send to them
        answers "chat not found" until they send something)."""
        if user_id is not None and user_id in self._users:
            u = self._users[user_id]
            u.started = u.started or started
            return u
        if user_id is None:
            user_id = next(self._user_ids)
            while user_id in self._users:
                user_id = next(self._user_ids)
        u = SimUser(
            self,
            int(user_id),
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        u.started = started
        self._users[u.id] = u
        self._emit("user", u.id, data=u.to_dict())
        return u

    @property
    def users(self) -> list[SimUser]:
        return list(self._users.values())

    def get_user(self, user_id: int) -> SimUser:
        return self._users[int(user_id)]

    def block(self, user_id: int, *, notify: bool = False) -> None:
        """The user blocks the bot: every send to their chat answers 403 until unblock().
        ``notify=True`` also queues a ``my_chat_member`` update like Telegram does."""
        u = self._users[int(user_id)]
        u.blocked = True
        self._emit("block", u.id)
        if notify:
            self._push_update("my_chat_member", self._member_update(u, "kicked"))

    def unblock(self, user_id: int, *, notify: bool = False) -> None:
        u = self._users[int(user_id)]
        u.blocked = False
        self._emit("unblock", u.id)
        if notify:
            self._push_update("my_chat_member", self._member_update(u, "member"))

    def _member_update(self, u: SimUser, new_status: str) -> dict:
        old = "member" if new_status == "kicked" else "kicked"
        bot = self._bot_user()
        return {
            "chat": u.chat_dict(),
            "from": u.user_dict(),
            "date": int(time.time()),
            "old_chat_member": {"status": old, "user": bot}
            if old == "member"
            else {"status": "kicked", "user": bot, "until_date": 0},
            "new_chat_member": {"status": new_status, "user": bot}
            if new_status == "member"
            else {"status": "kicked", "user": bot, "until_date": 0},
        }

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
    ) -> FaultRule:
        """Inject a failure for ``method`` (or "*"), optionally only for ``chat_id``, for the
        next ``times`` matching calls (None = until clear_faults()).

        status 429 -> "Too Many Requests: retry after N" with parameters.retry_after;
        403 -> "Forbidden: bot was blocked by the user"; 400 -> "Bad Request: chat not found";
        500/502 -> "Internal Server Error"/"Bad Gateway". ``delay`` (s) answers slowly; without
        a status the call then succeeds."""
        if status is None and not delay:
            raise ValueError("fail() needs a status and/or a delay")
        rule = FaultRule(
            method=method,
            status=status,
            retry_after=retry_after,
            times=times,
            chat_id=chat_id,
            description=description,
            delay=delay,
        )
        self.faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        self.faults.clear()

    # ================================================================== inspection
    def calls_to(self, method: str) -> list[ApiCall]:
        ml = method.lower()
        return [c for c in self.calls if c.method.lower() == ml]

    def clear_calls(self) -> None:
        self.calls.clear()

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet returned by getUpdates."""
        return self._update_id - self._fetched_upto

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """Commands stored for exactly this scope + language (like getMyCommands)."""
        return list(self._commands.get((self._scope_key(scope), language_code or ""), []))

    def commands_for(self, user_id: int) -> list[dict]:
        """The command menu Telegram would show in the private chat with ``user_id``:
        chat scope > all_private_chats > default, each language-specific first."""
        u = self._users.get(int(user_id))
        lang = (u.language_code if u else None) or ""
        scopes = [
            {"type": "chat", "chat_id": int(user_id)},
            {"type": "all_private_chats"},
            {"type": "default"},
        ]
        for scope in scopes:
            key = self._scope_key(scope)
            for lc in [lang, ""] if lang else [""]:
                cmds = self._commands.get((key, lc))
                if cmds:
                    return list(cmds)
        return []

    async def idle(self, timeout: float = 10.0, quiet: float = 0.15) -> None:
        """Return when every queued update was fetched by getUpdates, no Bot API call is in
        flight and none arrived for ``quiet`` seconds."""
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
                    f"flight.\n{self._diagnostics()}"
                )
            await self._activity.wait(min(wait, deadline - now))

    def _diagnostics(self) -> str:
        recent = self.calls[-8:]
        lines = [f"  {c.method} -> {c.status} {c.description or ''}".rstrip() for c in recent]
        return (
            f"server: {self.pending_updates} unfetched update(s), {len(self._updates)} "
            f"unconfirmed; last calls:\n" + ("\n".join(lines) if lines else "  (none)")
        )

    # ================================================================== events
    def add_listener(self, callback: Callable[[ChatEvent], Any]) -> Callable[[], None]:
        """Call ``callback(event)`` for everything that happens in chats (sync or async).
        Returns a function that removes the listener."""
        self._listeners.append(callback)

        def remove() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return remove

    def remove_listener(self, callback: Callable[[ChatEvent], Any]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    @property
    def last_event_seq(self) -> int:
        return self._event_seq

    def events_since(self, after: int = 0, limit: int | None = None) -> list[ChatEvent]:
        start = max(0, after - self._events_base + 1)
        evs = self._events[start:]
        return evs[:limit] if limit else evs

    async def wait_events(self, after: int, timeout: float) -> list[ChatEvent]:
        """Events with seq > after; waits up to ``timeout`` for the first one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            evs = self.events_since(after)
            if evs or self._stopping:
                return evs
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._event_signal.wait(remaining)

    async def events(self, after: int | None = None) -> AsyncIterator[ChatEvent]:
        """``async for event in server.events():`` - events from now on (or after ``after``)."""
        cursor = self._event_seq if after is None else after
        while not self._stopping:
            evs = self.events_since(cursor)
            if not evs:
                await self._event_signal.wait(None)
                continue
            for ev in evs:
                cursor = ev.seq
                yield ev

    def _emit(
        self,
        type_: str,
        chat_id: int | None,
        message: SimMessage | None = None,
        data: dict | None = None,
    ) -> ChatEvent:
        self._event_seq += 1
        ev = ChatEvent(self._event_seq, type_, chat_id, time.time(), message, data or {})
        self._events.append(ev)
        if len(self._events) > self.max_events:
            drop = len(self._events) - self.max_events // 2
            del self._events[:drop]
            self._events_base += drop
        self._event_signal.fire()
        for cb in list(self._listeners):
            try:
                res = cb(ev)
                if inspect.isawaitable(res):
                    task = asyncio.ensure_future(res)
                    self._listener_tasks.add(task)
                    task.add_done_callback(self._listener_tasks.discard)
            except Exception:  # a broken listener must not break the Bot API
                log.exception("sandbox event listener failed")
        return ev

    # ================================================================== chat internals
    def _bot_user(self) -> dict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def _push_update(self, key: str, obj: dict) -> dict:
        self._update_id += 1
        upd = {"update_id": self._update_id, key: obj}
        self._updates.append(upd)
        self._touch()
        self._updates_signal.fire()
        return upd

    def _touch(self) -> None:
        self._last_activity = time.monotonic()
        self._activity.fire()

    def _add_message(
        self,
        u: SimUser,
        *,
        from_bot: bool,
        fields: dict,
        html: str | None = None,
        parse_mode: str | None = None,
        keyboard: list[list[str]] | None = None,
        document: SimDocument | None = None,
        link_preview_disabled: bool = False,
    ) -> dict:
        mid = u._next_message_id
        u._next_message_id += 1
        date = int(time.time())
        msg = {
            "message_id": mid,
            "from": self._bot_user() if from_bot else u.user_dict(),
            "chat": u.chat_dict(),
            "date": date,
        }
        msg.update(fields)
        u._raw[mid] = msg
        u._order.append(mid)
        sim = self._sim_from_raw(
            u,
            msg,
            from_bot=from_bot,
            html=html,
            parse_mode=parse_mode,
            keyboard=keyboard,
            document=document,
            link_preview_disabled=link_preview_disabled,
        )
        u._sim[mid] = sim
        if from_bot:
            u._bot_events.append(sim)
            u._changed.fire()
        self._emit("message", u.id, sim)
        return msg

    @staticmethod
    def _sim_from_raw(
        u: SimUser,
        msg: dict,
        *,
        from_bot: bool,
        html: str | None,
        parse_mode: str | None,
        keyboard: list[list[str]] | None,
        document: SimDocument | None,
        link_preview_disabled: bool = False,
        edited: int = 0,
    ) -> SimMessage:
        markup = msg.get("reply_markup")
        buttons: list[list[dict]] = []
        if markup and "inline_keyboard" in markup:
            buttons = [[dict(b) for b in row] for row in markup["inline_keyboard"]]
        reply_to = msg.get("reply_to_message")
        return SimMessage(
            message_id=msg["message_id"],
            chat_id=u.id,
            date=msg["date"],
            from_bot=from_bot,
            text=msg.get("text", msg.get("caption", "")),
            html=html,
            parse_mode=parse_mode,
            entities=tuple(msg.get("entities", msg.get("caption_entities", ()))),
            buttons=buttons,
            keyboard=keyboard,
            document=document,
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
            edited=edited,
            link_preview_disabled=link_preview_disabled,
        )

    def _press(self, u: SimUser, message_id: int, data: str) -> str:
        raw = u._raw[message_id]
        qid = str(4_000_000_000_000_000 + u.id * 1_000_000 + next(self._query_seq))
        self._queries[qid] = {
            "user": u.id,
            "message_id": message_id,
            "data": data,
            "time": time.monotonic(),
            "answered": False,
        }
        query = {
            "id": qid,
            "from": u.user_dict(),
            "message": dict(raw),
            "chat_instance": str(-(u.id * 7919 + self.bot_id) % 10**18),
            "data": data,
        }
        self._emit(
            "callback_query", u.id, u._sim.get(message_id), data={"query_id": qid, "data": data}
        )
        self._push_update("callback_query", query)
        return qid

    def _store_file(
        self, content: bytes, filename: str | None, mime_type: str | None
    ) -> SimDocument:
        n = next(self._file_seq)
        file_id = f"BQACAgIAAxkBAAI{n:06d}{uuid.uuid4().hex[:20]}"
        doc = SimDocument(
            file_id=file_id,
            file_unique_id=f"AgAD{uuid.uuid4().hex[:12]}",
            filename=filename,
            mime_type=mime_type,
            content=content,
        )
        ext = ""
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1][:10]
        path = f"documents/file_{n}{ext}"
        self._files[file_id] = (doc, path)
        self._files_by_path[path] = file_id
        return doc

    def file(self, file_id: str) -> SimDocument | None:
        entry = self._files.get(file_id)
        return entry[0] if entry else None

    @staticmethod
    def _document_dict(doc: SimDocument) -> dict:
        d: dict[str, Any] = {
            "file_id": doc.file_id,
            "file_unique_id": doc.file_unique_id,
            "file_size": doc.size,
        }
        if doc.filename:
            d["file_name"] = doc.filename
        if doc.mime_type:
            d["mime_type"] = doc.mime_type
        return d

    # ================================================================== HTTP: Bot API
    async def _read_params(self, request: web.Request) -> tuple[dict, dict]:
        params: dict[str, Any] = dict(request.query) if request.query_string else {}
        files: dict[str, tuple[str | None, bytes, str | None]] = {}
        if request.method == "POST" and request.body_exists:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad("can't parse JSON encoded request body") from None
                if not isinstance(body, dict):
                    raise _bad("JSON request body must be an object")
                params.update(body)
            elif ctype.startswith("multipart/"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = (value.filename, value.file.read(), value.content_type)
                    else:
                        params[key] = value
            else:  # application/x-www-form-urlencoded (and anything else form-like)
                raw = await request.read()
                if raw:
                    params.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        for key, value in params.items():
            if isinstance(value, str):
                params[key] = self._coerce(key, value)
        return params, files

    @staticmethod
    def _coerce(key: str, value: str) -> Any:
        if key in _JSON_PARAMS:
            try:
                return json.loads(value)
            except ValueError:
                what = "reply keyboard markup" if key == "reply_markup" else key
                raise _bad(f"can't parse {what} JSON object") from None
        if key in _INT_PARAMS:
            try:
                return int(value)
            except ValueError:
                return value
        if key in _BOOL_PARAMS:
            return value.lower() in ("true", "1")
        return value

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        ml = method.lower()
        entry = self._methods.get(ml)
        call = ApiCall(entry[0] if entry else method, {}, time.time())
        counted = ml != "getupdates"
        if counted:
            self._inflight += 1
            self._touch()
        self.stats.requests += 1
        calls = self.calls
        calls.append(call)
        if len(calls) > self.max_calls:
            del calls[: len(calls) - self.max_calls // 2]
        try:
            try:
                if token != self.token:
                    raise ApiError(401, "Unauthorized")
                params, files = await self._read_params(request)
                call.params = params
                if files:
                    params.update(
                        {
                            k: {"upload": fn, "size": len(data), "mime_type": mt}
                            for k, (fn, data, mt) in files.items()
                            if k not in params
                        }
                    )
                if entry is None:
                    raise ApiError(404, "Not Found")
                if self.faults:
                    await self._apply_faults(ml, params)
                _canonical, fn, is_async = entry
                if is_async:
                    result = await fn(params, files, request)
                else:
                    result = fn(params, files)
            except ApiError as err:
                call.status = err.status
                call.description = err.description
                self.stats.errors += 1
                if err.status == 429:
                    self.stats.rate_limited += 1
                return _error_response(err)
            call.status = 200
            call.result = result
            if ml in _SEND_METHODS:
                self.stats.messages_sent += 1
                self.stats.send_times.append(time.monotonic())
            return _json_response({"ok": True, "result": result})
        except asyncio.CancelledError:
            call.status = 499
            raise
        finally:
            if counted:
                self._inflight -= 1
                self._touch()

    async def _apply_faults(self, ml: str, params: dict) -> None:
        for rule in list(self.faults):
            if not rule.matches(ml, params):
                continue
            rule.hits += 1
            if rule.expired and rule in self.faults:
                self.faults.remove(rule)
            if rule.delay:
                await self._sleep(rule.delay)
            if rule.status is not None:
                status, desc, parameters = rule.error()
                raise ApiError(status, desc, parameters)

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the server stops."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._stopping:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await self._activity.wait(remaining)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        file_id = self._files_by_path.get(request.match_info["path"])
        if file_id is None:
            return _error_response(ApiError(404, "Not Found"))
        doc, _path = self._files[file_id]
        return web.Response(
            body=doc.content, content_type=doc.mime_type or "application/octet-stream"
        )

    # ------------------------------------------------------------------ helpers for methods
    def _chat(self, params: dict, *, check_blocked: bool = True) -> SimUser:
        cid = params.get("chat_id")
        if cid is None or cid == "":
            raise _bad("chat_id is empty")
        u = self._users.get(cid) if isinstance(cid, int) else None
        if u is None or not u.started:
            raise _bad("chat not found")
        if check_blocked and u.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return u

    def _flood(self, u: SimUser) -> None:
        if self.flood_limit_global:
            b = self._global_bucket
            if b is None or b.rate != self.flood_limit_global:
                b = self._global_bucket = _Bucket(self.flood_limit_global)
            ra = b.take()
            if ra:
                raise ApiError(429, f"Too Many Requests: retry after {ra}", {"retry_after": ra})
        if self.flood_limit_per_chat:
            b = u._bucket
            if b is None or b.rate != self.flood_limit_per_chat:
                b = u._bucket = _Bucket(self.flood_limit_per_chat)
            ra = b.take()
            if ra:
                raise ApiError(429, f"Too Many Requests: retry after {ra}", {"retry_after": ra})

    @staticmethod
    def _format(
        text: str, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[dict]]:
        mode = (parse_mode or "").lower() if isinstance(parse_mode, str) else ""
        try:
            if mode == "html":
                plain, ents = parse_html(text)
            elif mode == "markdownv2":
                plain, ents = parse_markdown_v2(text)
            elif mode in ("", "markdown"):
                plain = text
                if entities is None:
                    ents = []
                elif isinstance(entities, list) and all(
                    isinstance(e, dict) and {"type", "offset", "length"} <= e.keys()
                    for e in entities
                ):
                    ents = [dict(e) for e in entities]
                else:
                    raise _bad(f"can't parse {'caption_' if caption else ''}entities JSON object")
            else:
                raise _bad(f"unsupported parse_mode {parse_mode!r}")
        except EntityParseError as exc:
            raise _bad(f"can't parse entities: {exc}") from None
        return trim_text(plain, ents)

    def _check_markup(self, markup: Any) -> tuple[dict | None, list[list[str]] | None]:
        """Validate reply_markup; returns (inline markup to store on the message or None,
        reply keyboard texts or None)."""
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse inline keyboard markup JSON object")
            count = 0
            clean_rows = []
            for row in rows:
                clean = []
                for b in row:
                    count += 1
                    if not isinstance(b, dict) or not isinstance(b.get("text"), str):
                        raise _bad("can't parse inline keyboard button: Text must be a string")
                    actions = [k for k in _BUTTON_ACTIONS if k in b]
                    if not actions:
                        raise _bad(
                            "can't parse inline keyboard button: Text buttons are unallowed "
                            "in the inline keyboard"
                        )
                    if "callback_data" in b:
                        data = b["callback_data"]
                        if not isinstance(data, str) or not (
                            1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
                        ):
                            raise _bad("BUTTON_DATA_INVALID")
                    if "url" in b:
                        url = b["url"]
                        if not isinstance(url, str) or not _valid_button_url(url):
                            raise _bad(
                                f"inline keyboard button URL '{url}' is invalid: wrong HTTP URL"
                            )
                    clean.append(dict(b))
                clean_rows.append(clean)
            if count > 100:
                raise _bad("reply markup is too long")
            return {"inline_keyboard": clean_rows}, None
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list):
                raise _bad("can't parse reply keyboard markup JSON object")
            texts = [
                [b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows
            ]
            return None, texts
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return None, None
        raise _bad("can't parse reply keyboard markup JSON object")

    def _reply_to(self, u: SimUser, params: dict) -> dict | None:
        rp = params.get("reply_parameters")
        mid = None
        allow = bool(params.get("allow_sending_without_reply"))
        if isinstance(rp, dict):
            mid = rp.get("message_id")
            allow = allow or bool(rp.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id"):
            mid = params.get("reply_to_message_id")
        if mid is None:
            return None
        raw = u._raw.get(mid) if isinstance(mid, int) else None
        if raw is None:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return {k: v for k, v in raw.items() if k != "reply_to_message"}

    def _bot_message(self, u: SimUser, params: dict, *, verb: str = "edit") -> dict:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        mid = params.get("message_id")
        raw = u._raw.get(mid) if isinstance(mid, int) else None
        if raw is None:
            raise _bad(f"message to {verb} not found")
        if raw["from"].get("id") != self.bot_id:
            raise _bad(f"message can't be {'edited' if verb == 'edit' else 'deleted'}")
        return raw

    def _apply_edit(
        self,
        u: SimUser,
        raw: dict,
        changes: dict,
        *,
        html: str | None | type = ...,
        parse_mode: str | None | type = ...,
    ) -> dict:
        for k, v in changes.items():
            if v is None:
                raw.pop(k, None)
            else:
                raw[k] = v
        raw["edit_date"] = int(time.time())
        mid = raw["message_id"]
        old = u._sim[mid]
        sim = self._sim_from_raw(
            u,
            raw,
            from_bot=True,
            html=old.html if html is ... else html,
            parse_mode=old.parse_mode if parse_mode is ... else parse_mode,
            keyboard=old.keyboard,
            document=old.document,
            link_preview_disabled=old.link_preview_disabled,
            edited=old.edited + 1,
        )
        u._sim[mid] = sim
        u._bot_events.append(sim)
        u._changed.fire()
        self.stats.edits += 1
        self._emit("edit", u.id, sim)
        return raw

    # ================================================================== Bot API methods
    # Each _api_<Name>(params, files) returns the "result". Names are Telegram's spelling.

    def _api_getMe(self, p: dict, f: dict) -> dict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_logOut(self, p: dict, f: dict) -> bool:
        return True

    def _api_close(self, p: dict, f: dict) -> bool:
        return True

    async def _api_getUpdates(self, p: dict, f: dict, request: web.Request) -> list[dict]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = p.get("offset")
        limit = p.get("limit", 100)
        timeout = p.get("timeout", 0)
        try:
            limit = min(100, max(1, int(limit)))
            timeout = max(0.0, float(timeout))
        except (TypeError, ValueError):
            raise _bad("wrong parameter in getUpdates request") from None
        if isinstance(offset, int) and offset:
            q = self._updates
            if offset > 0:
                while q and q[0]["update_id"] < offset:
                    q.popleft()
                confirmed = min(offset - 1, self._update_id)
            else:  # -N: keep only the last N updates
                while len(q) > -offset:
                    q.popleft()
                confirmed = q[0]["update_id"] - 1 if q else self._update_id
            self._fetched_upto = max(self._fetched_upto, confirmed)
        self._poll_gen += 1
        gen = self._poll_gen
        self._updates_signal.fire()  # terminate an older pending long poll
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._stopping:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self._updates_signal.wait(remaining)
            if self._poll_gen != gen:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
        batch = list(itertools.islice(self._updates, limit))
        transport = request.transport
        if batch and transport is not None and not transport.is_closing():
            last = batch[-1]["update_id"]
            self._fetched_upto = max(self._fetched_upto, last)
            self._touch()
        return batch

    def _api_setWebhook(self, p: dict, f: dict) -> bool:
        self._webhook_url = str(p.get("url") or "")
        if p.get("drop_pending_updates"):
            self._drop_updates()
        return True

    def _api_deleteWebhook(self, p: dict, f: dict) -> bool:
        self._webhook_url = ""
        if p.get("drop_pending_updates"):
            self._drop_updates()
        return True

    def _drop_updates(self) -> None:
        self._updates.clear()
        self._fetched_upto = self._update_id
        self._touch()

    def _api_getWebhookInfo(self, p: dict, f: dict) -> dict:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    # ---------------------------------------------------------------- commands & profile
    def _scope_key(self, scope: Any) -> str:
        if scope is None:
            scope = {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise _bad("can't parse BotCommandScope JSON object")
        norm: dict[str, Any] = {"type": scope["type"]}
        for k in ("chat_id", "user_id"):
            if k in scope:
                v = scope[k]
                try:
                    norm[k] = int(v)
                except (TypeError, ValueError):
                    norm[k] = v
        if norm["type"] in ("chat", "chat_administrators", "chat_member") and "chat_id" not in norm:
            raise _bad("can't parse BotCommandScope JSON object")
        return json.dumps(norm, sort_keys=True)

    def _api_setMyCommands(self, p: dict, f: dict) -> bool:
        cmds = p.get("commands")
        if not isinstance(cmds, list):
            raise _bad("can't parse commands JSON object")
        if len(cmds) > 100:
            raise _bad("too many commands specified")
        clean = []
        for c in cmds:
            if not isinstance(c, dict):
                raise _bad("can't parse BotCommand JSON object")
            name = str(c.get("command", "")).strip()
            desc = str(c.get("description", "")).strip()
            if not _COMMAND_NAME_RE.match(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not desc or len(desc) > 256:
                raise _bad(
                    "command description is empty"
                    if not desc
                    else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
            clean.append({"command": name, "description": desc})
        key = (self._scope_key(p.get("scope")), str(p.get("language_code") or ""))
        if clean:
            self._commands[key] = clean
        else:
            self._commands.pop(key, None)
        self._emit("commands", None, data={"scope": json.loads(key[0]), "language_code": key[1]})
        return True

    def _api_getMyCommands(self, p: dict, f: dict) -> list[dict]:
        key = (self._scope_key(p.get("scope")), str(p.get("language_code") or ""))
        return [dict(c) for c in self._commands.get(key, [])]

    def _api_deleteMyCommands(self, p: dict, f: dict) -> bool:
        key = (self._scope_key(p.get("scope")), str(p.get("language_code") or ""))
        self._commands.pop(key, None)
        self._emit("commands", None, data={"scope": json.loads(key[0]), "language_code": key[1]})
        return True

    def _set_bot_text(self, kind: str, p: dict, limit: int) -> bool:
        value = str(p.get(kind) or "")
        if len(value) > limit:
            raise _bad(f"{kind.replace('_', ' ')} is too long")
        self._bot_texts[(kind, str(p.get("language_code") or ""))] = value
        return True

    def _get_bot_text(self, kind: str, p: dict) -> dict:
        lc = str(p.get("language_code") or "")
        value = self._bot_texts.get((kind, lc), self._bot_texts.get((kind, ""), ""))
        if kind == "name" and not value:
            value = self.bot_name
        return {kind: value}

    def _api_setMyName(self, p: dict, f: dict) -> bool:
        return self._set_bot_text("name", p, 64)

    def _api_getMyName(self, p: dict, f: dict) -> dict:
        return self._get_bot_text("name", p)

    def _api_setMyDescription(self, p: dict, f: dict) -> bool:
        return self._set_bot_text("description", p, 512)

    def _api_getMyDescription(self, p: dict, f: dict) -> dict:
        return self._get_bot_text("description", p)

    def _api_setMyShortDescription(self, p: dict, f: dict) -> bool:
        return self._set_bot_text("short_description", p, 120)

    def _api_getMyShortDescription(self, p: dict, f: dict) -> dict:
        return self._get_bot_text("short_description", p)

    def _api_setChatMenuButton(self, p: dict, f: dict) -> bool:
        mb = p.get("menu_button") or {"type": "default"}
        if not isinstance(mb, dict) or mb.get("type") not in ("default", "commands", "web_app"):
            raise _bad("can't parse menu button JSON object")
        if p.get("chat_id") not in (None, ""):
            self._chat(p, check_blocked=False).menu_button = mb
        else:
            self._default_menu_button = mb
        return True

    def _api_getChatMenuButton(self, p: dict, f: dict) -> dict:
        if p.get("chat_id") not in (None, ""):
            u = self._chat(p, check_blocked=False)
            if u.menu_button and u.menu_button.get("type") != "default":
                return dict(u.menu_button)
        mb = self._default_menu_button
        return dict(mb) if mb.get("type") != "default" else {"type": "commands"}

    def _api_getChat(self, p: dict, f: dict) -> dict:
        u = self._chat(p, check_blocked=False)
        return {
            **u.chat_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    # ---------------------------------------------------------------- messages
    def _message_text(self, p: dict) -> tuple[str, str, list[dict]]:
        """The text of a send or an edit, checked as Telegram does: (raw, plain, entities)."""
        text = p.get("text")
        if text is None or text == "":
            raise _bad("message text is empty")
        text = str(text)
        plain, ents = self._format(text, p.get("parse_mode"), p.get("entities"))
        if not plain:
            raise _bad("message text is empty")
        if len(plain) > MAX_TEXT:
            raise _bad("message is too long")
        return text, plain, ents

    def _api_sendMessage(self, p: dict, f: dict) -> dict:
        u = self._chat(p, check_blocked=False)
        text, plain, ents = self._message_text(p)
        markup, keyboard = self._check_markup(p.get("reply_markup"))
        reply_to = self._reply_to(u, p)
        if u.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self._flood(u)
        fields: dict[str, Any] = {"text": plain}
        if ents:
            fields["entities"] = ents
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        lpo = p.get("link_preview_options")
        no_preview = bool(p.get("disable_web_page_preview")) or (
            isinstance(lpo, dict) and bool(lpo.get("is_disabled"))
        )
        if isinstance(lpo, dict):
            fields["link_preview_options"] = lpo
        elif no_preview:
            fields["link_preview_options"] = {"is_disabled": True}
        if markup:
            fields["reply_markup"] = markup
        if p.get("protect_content"):
            fields["has_protected_content"] = True
        pm = p.get("parse_mode") or None
        return self._add_message(
            u,
            from_bot=True,
            fields=fields,
            html=text,
            parse_mode=pm,
            keyboard=keyboard,
            link_preview_disabled=no_preview,
        )

    def _api_sendDocument(self, p: dict, f: dict) -> dict:
        u = self._chat(p, check_blocked=False)
        doc = self._input_file(p, f, "document")
        caption = p.get("caption")
        fields: dict[str, Any] = {}
        html = None
        if caption not in (None, ""):
            html = str(caption)
            plain, ents = self._format(
                html, p.get("parse_mode"), p.get("caption_entities"), caption=True
            )
            if len(plain) > MAX_CAPTION:
                raise _bad("message caption is too long")
            if plain:
                fields["caption"] = plain
            if ents:
                fields["caption_entities"] = ents
        markup, keyboard = self._check_markup(p.get("reply_markup"))
        reply_to = self._reply_to(u, p)
        if u.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self._flood(u)
        if doc is None:  # uploaded now
            fname, data, mime = f[self._upload_field(p, f, "document")]
            if not data:
                raise _bad("file must be non-empty")
            if not mime or mime == "application/octet-stream":
                mime = (mimetypes.guess_type(fname or "")[0] if fname else None) or mime
            doc = self._store_file(data, fname, mime or "application/octet-stream")
        fields["document"] = self._document_dict(doc)
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        if markup:
            fields["reply_markup"] = markup
        if p.get("protect_content"):
            fields["has_protected_content"] = True
        return self._add_message(
            u,
            from_bot=True,
            fields=fields,
            html=html,
            parse_mode=p.get("parse_mode") or None,
            keyboard=keyboard,
            document=doc,
        )

    @staticmethod
    def _upload_field(p: dict, f: dict, name: str) -> str:
        value = p.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return value[len("attach://") :]
        return name

    def _input_file(self, p: dict, f: dict, name: str) -> SimDocument | None:
        """Returns an existing file for a file_id, or None when the file is uploaded in
        ``f`` (validated here)."""
        field = self._upload_field(p, f, name)
        if field in f:
            return None
        value = p.get(name)
        if isinstance(value, dict) and "upload" in value:  # placeholder of an upload
            return None
        if not value:
            raise _bad(f"there is no {name} in the request")
        value = str(value)
        if value.startswith(("http://", "https://")):
            raise _bad("failed to get HTTP URL content")
        entry = self._files.get(value)
        if entry is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        return entry[0]

    def _api_getFile(self, p: dict, f: dict) -> dict:
        entry = self._files.get(str(p.get("file_id") or ""))
        if entry is None:
            raise _bad("invalid file_id")
        doc, path = entry
        return {
            "file_id": doc.file_id,
            "file_unique_id": doc.file_unique_id,
            "file_size": doc.size,
            "file_path": path,
        }

    def _api_editMessageText(self, p: dict, f: dict) -> dict:
        u = self._chat(p)
        raw = self._bot_message(u, p)
        if "text" not in raw:
            raise _bad("there is no text in the message to edit")
        text, plain, ents = self._message_text(p)
        markup, _kb = self._check_markup(p.get("reply_markup"))
        _refuse_unchanged(raw, {"text": plain, "entities": ents, "reply_markup": markup})
        return self._apply_edit(
            u,
            raw,
            {"text": plain, "entities": ents or None, "reply_markup": markup},
            html=text,
            parse_mode=p.get("parse_mode") or None,
        )

    def _api_editMessageCaption(self, p: dict, f: dict) -> dict:
        u = self._chat(p)
        raw = self._bot_message(u, p)
        if "text" in raw:
            raise _bad("there is no caption in the message to edit")
        caption = str(p.get("caption") or "")
        plain, ents = self._format(
            caption, p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        if len(plain) > MAX_CAPTION:
            raise _bad("message caption is too long")
        markup, _kb = self._check_markup(p.get("reply_markup"))
        _refuse_unchanged(raw, {"caption": plain, "caption_entities": ents,
                                "reply_markup": markup})
        return self._apply_edit(
            u,
            raw,
            {"caption": plain or None, "caption_entities": ents or None, "reply_markup": markup},
            html=caption or None,
            parse_mode=p.get("parse_mode") or None,
        )

    def _api_editMessageReplyMarkup(self, p: dict, f: dict) -> dict:
        u = self._chat(p)
        raw = self._bot_message(u, p)
        markup, _kb = self._check_markup(p.get("reply_markup"))
        _refuse_unchanged(raw, {"reply_markup": markup})
        return self._apply_edit(u, raw, {"reply_markup": markup})

    def _delete(self, u: SimUser, mid: Any) -> bool:
        raw = u._raw.get(mid) if isinstance(mid, int) else None
        if raw is None:
            return False
        del u._raw[mid]
        sim = replace(u._sim[mid], deleted=True)
        u._sim[mid] = sim
        self._emit("delete", u.id, sim)
        return True

    def _api_deleteMessage(self, p: dict, f: dict) -> bool:
        u = self._chat(p, check_blocked=False)
        if not self._delete(u, p.get("message_id")):
            raise _bad("message to delete not found")
        return True

    def _api_deleteMessages(self, p: dict, f: dict) -> bool:
        u = self._chat(p, check_blocked=False)
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message_ids must be a non-empty list")
        for mid in ids:
            self._delete(u, mid)
        return True

    def _api_answerCallbackQuery(self, p: dict, f: dict) -> bool:
        qid = str(p.get("callback_query_id") or "")
        q = self._queries.get(qid)
        if q is None or q["answered"] or time.monotonic() - q["time"] > self.callback_query_ttl:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = p.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        q["answered"] = True
        u = self._users[q["user"]]
        ans = CallbackAnswer(
            query_id=qid,
            text=str(text) if text not in (None, "") else None,
            show_alert=bool(p.get("show_alert")),
            url=p.get("url") or None,
            cache_time=p.get("cache_time"),
            data=q["data"],
            message_id=q["message_id"],
            time=time.time(),
        )
        u.callback_answers.append(ans)
        self._emit(
            "callback_answer",
            u.id,
            data={
                "query_id": qid,
                "text": ans.text,
                "show_alert": ans.show_alert,
                "url": ans.url,
                "message_id": ans.message_id,
            },
        )
        return True

    def _api_sendChatAction(self, p: dict, f: dict) -> bool:
        u = self._chat(p)
        action = p.get("action")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._emit("chat_action", u.id, data={"action": action})
        return True

    # ================================================================== HTTP: control API
    def _add_control_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/control/info", self._c_info)
        r.add_get("/control/users", self._c_users)
        r.add_post("/control/users", self._c_create_user)
        r.add_get("/control/users/{id}", self._c_get_user)
        r.add_post("/control/users/{id}/send", self._c_send)
        r.add_post("/control/users/{id}/press", self._c_press)
        r.add_post("/control/users/{id}/document", self._c_document)
        r.add_post("/control/users/{id}/block", self._c_block)
        r.add_post("/control/users/{id}/unblock", self._c_unblock)
        r.add_get("/control/users/{id}/messages", self._c_messages)
        r.add_get("/control/files/{file_id}", self._c_file)
        r.add_get("/control/commands", self._c_commands)
        r.add_get("/control/events", self._c_events)

    @staticmethod
    def _c_error(status: int, message: str) -> web.Response:
        return _json_response({"ok": False, "error": message}, status)

    def _c_user(self, request: web.Request) -> SimUser:
        try:
            uid = int(request.match_info["id"])
        except ValueError:
            raise web.HTTPNotFound(
                text='{"ok":false,"error":"bad user id"}', content_type="application/json"
            ) from None
        u = self._users.get(uid)
        if u is None:
            raise web.HTTPNotFound(
                text='{"ok":false,"error":"no such user"}', content_type="application/json"
            )
        return u

    @staticmethod
    async def _c_body(request: web.Request) -> dict:
        if not request.body_exists:
            return {}
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise web.HTTPBadRequest(
                    text='{"ok":false,"error":"invalid JSON"}', content_type="application/json"
                ) from None
            return body if isinstance(body, dict) else {}
        return dict(await request.post())

    async def _c_info(self, request: web.Request) -> web.Response:
        return _json_response(
            {
                "ok": True,
                "bot": self._api_getMe({}, {}),
                "users": [u.to_dict() for u in self._users.values()],
                "last_event": self._event_seq,
                "pending_updates": self.pending_updates,
            }
        )

    async def _c_users(self, request: web.Request) -> web.Response:
        return _json_response({"ok": True, "users": [u.to_dict() for u in self._users.values()]})

    async def _c_create_user(self, request: web.Request) -> web.Response:
        body = await self._c_body(request)
        name = str(body.get("first_name") or "").strip()
        if not name:
            return self._c_error(400, "first_name is required")
        uid = body.get("user_id", body.get("id"))
        try:
            uid = int(uid) if uid not in (None, "") else None
        except (TypeError, ValueError):
            return self._c_error(400, "user_id must be an integer")
        u = self.user(
            name,
            uid,
            body.get("language_code") or "en",
            last_name=body.get("last_name") or None,
            username=body.get("username") or None,
        )
        return _json_response({"ok": True, "user": u.to_dict()})

    async def _c_get_user(self, request: web.Request) -> web.Response:
        return _json_response({"ok": True, "user": self._c_user(request).to_dict()})

    async def _c_send(self, request: web.Request) -> web.Response:
        u = self._c_user(request)
        body = await self._c_body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return self._c_error(400, "text is required")
        msg = await u.send(text)
        return _json_response({"ok": True, "message": u._sim[msg["message_id"]].to_dict()})

    async def _c_press(self, request: web.Request) -> web.Response:
        u = self._c_user(request)
        body = await self._c_body(request)
        mid = body.get("message_id")
        try:
            mid = int(mid) if mid not in (None, "") else None
            if "callback_data" in body:
                qid = await u.press_data(str(body["callback_data"]), message=mid)
            elif "label" in body:
                qid = await u.press(str(body["label"]), message=mid)
            else:
                return self._c_error(400, "callback_data or label is required")
        except (AssertionError, ValueError, TypeError) as exc:
            return self._c_error(400, str(exc))
        return _json_response({"ok": True, "callback_query_id": qid})

    async def _c_document(self, request: web.Request) -> web.Response:
        u = self._c_user(request)
        if not request.content_type.startswith("multipart/"):
            return self._c_error(400, "multipart/form-data with a 'document' file is required")
        form = await request.post()
        field = form.get("document") or form.get("file")
        if not isinstance(field, web.FileField):
            return self._c_error(400, "multipart field 'document' (a file) is required")
        content = field.file.read()
        if not content:
            return self._c_error(400, "the file is empty")
        caption = form.get("caption")
        mime = field.content_type
        if not mime or mime == "application/octet-stream":
            mime = None
        msg = await u.send_document(
            field.filename or "file",
            content,
            mime_type=mime,
            caption=str(caption) if caption else None,
        )
        return _json_response({"ok": True, "message": u._sim[msg["message_id"]].to_dict()})

    async def _c_block(self, request: web.Request) -> web.Response:
        u = self._c_user(request)
        self.block(u.id, notify=True)
        return _json_response({"ok": True, "user": u.to_dict()})

    async def _c_unblock(self, request: web.Request) -> web.Response:
        u = self._c_user(request)
        self.unblock(u.id, notify=True)
        return _json_response({"ok": True, "user": u.to_dict()})

    async def _c_messages(self, request: web.Request) -> web.Response:
        u = self._c_user(request)
        msgs = u.messages if request.query.get("bot_only") in ("1", "true") else u.history
        return _json_response(
            {
                "ok": True,
                "messages": [m.to_dict() for m in msgs],
                "callback_answers": [
                    {
                        "query_id": a.query_id,
                        "text": a.text,
                        "show_alert": a.show_alert,
                        "url": a.url,
                        "message_id": a.message_id,
                    }
                    for a in u.callback_answers
                ],
                "last_event": self._event_seq,
            }
        )

    async def _c_file(self, request: web.Request) -> web.Response:
        doc = self.file(request.match_info["file_id"])
        if doc is None:
            return self._c_error(404, "no such file")
        headers = {}
        if doc.filename:
            safe = doc.filename.replace('"', "")
            headers["Content-Disposition"] = f'attachment; filename="{safe}"'
        return web.Response(
            body=doc.content,
            content_type=doc.mime_type or "application/octet-stream",
            headers=headers,
        )

    async def _c_commands(self, request: web.Request) -> web.Response:
        uid = request.query.get("user_id")
        if uid:
            try:
                cmds = self.commands_for(int(uid))
            except ValueError:
                return self._c_error(400, "user_id must be an integer")
        else:
            cmds = self.commands(None, request.query.get("language_code", ""))
        return _json_response({"ok": True, "commands": cmds})

    async def _c_events(self, request: web.Request) -> web.Response:
        """Long poll: ``?after=<seq>&timeout=<s>[&chat_id=<id>][&limit=N]``. Answers
        ``{"events": [...], "last": <seq to pass as after next time>}``; ``"reset": true`` when
        ``after`` is ahead of the server (it was restarted): start again from ``last``."""
        try:
            after = int(request.query.get("after", "0"))
            timeout = min(60.0, float(request.query.get("timeout", "25")))
            limit = max(1, int(request.query.get("limit", "500")))
            chat_id = request.query.get("chat_id")
            chat_id = int(chat_id) if chat_id not in (None, "") else None
        except ValueError:
            return self._c_error(400, "after/timeout/limit/chat_id must be numbers")
        if after > self._event_seq:
            return _json_response(
                {"ok": True, "events": [], "last": self._event_seq, "reset": True}
            )
        evs = (await self.wait_events(after, timeout))[:limit]
        last = evs[-1].seq if evs else after
        if chat_id is not None:
            evs = [e for e in evs if e.chat_id in (chat_id, None)]
        return _json_response({"ok": True, "events": [e.to_dict() for e in evs], "last": last})


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
        print(
            f"Bot API: {server.base_url}  files: {server.base_file_url}  "
            f"control: {server.control_url}",
            flush=True,
        )
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
