"""`appeal-bot sandbox`: the whole bot, offline, with a web chat to talk to it.

Three things run in one event loop, all on loopback:

* the project's own Telegram Bot API server (:class:`bot.sandbox.BotApiServer`, a random port);
* the bot's real ``Application`` (``bot.app.build_application``) pointed at it by ``base_url``,
  long polling exactly as it does against Telegram;
* the web chat (:mod:`bot.sandbox.web`) at http://127.0.0.1:8080 (``SANDBOX_PORT``/``--port``),
  where you act as the sandbox's people.

The sandbox keeps its data in its own database (``SANDBOX_DATABASE_URL``) or, with ``--memory``,
in a temporary SQLite file deleted on exit. It refuses to start when that database is the
production ``DATABASE_URL``. Its first person, "Coordinator", is an owner (their id is added to
``ADMIN_IDS`` for the sandboxed bot only); "Alice" and "Bob" are supporters.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import shutil
import signal
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Self

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import Settings

from .server import BotApiServer
from .web import SandboxWeb

log = logging.getLogger(__name__)

#: The sandbox bot's token: it only ever reaches the local server (never Telegram).
SANDBOX_TOKEN = "5550001:sandbox-offline-token"
SANDBOX_BOT_USERNAME = "appeal_sandbox_bot"
SANDBOX_BOT_NAME = "Appeal Bot"

#: The sandbox's people: (user id, first name, is an owner). Fixed ids, so a persistent sandbox
#: database recognises them from one run to the next.
COORDINATOR_ID = 7_000_001
ALICE_ID = 7_000_002
BOB_ID = 7_000_003
PEOPLE: tuple[tuple[int, str, bool], ...] = (
    (COORDINATOR_ID, "Coordinator", True),
    (ALICE_ID, "Alice", False),
    (BOB_ID, "Bob", False),
)

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "", None}


class SandboxRefused(Exception):
    """The sandbox will not start (one clear line says why)."""


# --------------------------------------------------------------------------- the database

def _database_identity(url: str) -> tuple:
    """What makes two database URLs the same database (credentials and options ignored)."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise SandboxRefused(f"SANDBOX_DATABASE_URL is not a database URL: {error}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            return ("sqlite-memory", url)  # private to its connection: never shared
        if database.startswith("file:"):
            database = database[5:].split("?", 1)[0]
        return ("sqlite", str(Path(database).expanduser().resolve()))
    host = parsed.host
    host = "localhost" if host in _LOOPBACK else host.lower()
    return (backend, host, parsed.port or 5432, parsed.database)


def same_database(first: str, second: str) -> bool:
    """True if both URLs name one database (``./x.db`` and ``/abs/path/x.db`` are one)."""
    return _database_identity(first) == _database_identity(second)


def check_database(settings: Settings) -> str:
    """The sandbox's database URL, or SandboxRefused if it is not a usable, separate one."""
    url = settings.sandbox_database_url
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise SandboxRefused("SANDBOX_DATABASE_URL must use sqlite+aiosqlite:// or "
                             "postgresql+asyncpg://")
    if same_database(url, settings.database_url):
        raise SandboxRefused(
            "SANDBOX_DATABASE_URL is the production DATABASE_URL: the sandbox never touches "
            "real data, so it will not start. Point SANDBOX_DATABASE_URL at another database "
            "(default sqlite+aiosqlite:///./appeal-bot-sandbox.db) or use --memory.")
    return url


# --------------------------------------------------------------------------- the sandbox

class Sandbox:
    """The Bot API server, the real bot and the web chat, started and stopped together.

    ``async with Sandbox(settings, port=0, in_memory=True) as sandbox: ...`` — then
    ``sandbox.url`` is the web chat, ``sandbox.server`` the Bot API server, ``sandbox.app`` the
    running bot.
    """

    def __init__(self, settings: Settings, *, port: int | None = None, in_memory: bool = False,
                 host: str = "127.0.0.1", poll_timeout: int = 10) -> None:
        self.base_settings = settings
        self.port = settings.sandbox_port if port is None else port
        self.in_memory = in_memory
        self.host = host
        self.poll_timeout = poll_timeout
        self.database_url = "" if in_memory else check_database(settings)
        self.settings: Settings | None = None  # what the sandboxed bot runs with
        self.server: BotApiServer | None = None
        self.web: SandboxWeb | None = None
        self.app = None
        self.db = None
        self._tempdir: str | None = None
        self._stack: AsyncExitStack | None = None

    @property
    def url(self) -> str:
        if self.web is None:
            raise RuntimeError("sandbox not started")
        return self.web.url

    @property
    def database_label(self) -> str:
        if self.in_memory:
            return "in memory (deleted on exit)"
        return make_url(self.database_url).render_as_string(hide_password=True)

    async def start(self) -> Self:
        """Serve the web chat first (it answers within a second), then start the bot: what
        people send meanwhile waits in the Bot API server's queue, as it would at Telegram."""
        stack = AsyncExitStack()
        try:
            if self.in_memory:
                self._tempdir = tempfile.mkdtemp(prefix="appeal-bot-sandbox-")
                stack.callback(shutil.rmtree, self._tempdir, True)
                self.database_url = f"sqlite+aiosqlite:///{Path(self._tempdir) / 'sandbox.db'}"
            if same_database(self.database_url, self.base_settings.database_url):
                raise SandboxRefused("the sandbox database is the production DATABASE_URL")

            server = BotApiServer(SANDBOX_TOKEN, SANDBOX_BOT_USERNAME, SANDBOX_BOT_NAME)
            await server.start(self.host, 0)
            stack.push_async_callback(server.stop)
            self.server = server
            owners = set()
            for user_id, name, owner in PEOPLE:
                # An owner set the bot up, so their chat with it exists already.
                server.user(name, user_id, started=owner)
                if owner:
                    owners.add(user_id)
            admin_ids = frozenset(self.base_settings.admin_ids) | owners

            self.web = SandboxWeb(server, owner_ids=admin_ids, database_label=self.database_label)
            self.web.bot_ready = False
            await self.web.start(self.host, self.port)
            stack.push_async_callback(self.web.stop)

            # The bot itself. Heavy imports here: `appeal-bot --help` and the page stay fast.
            from bot.app import build_application
            from bot.runner import running
            from storage.db import Database, upgrade_schema_async

            await upgrade_schema_async(self.database_url)
            self.settings = self.base_settings.model_copy(update={
                "telegram_bot_token": SecretStr(server.token),
                "telegram_api_base_url": server.base_url,
                "database_url": self.database_url,
                "admin_ids": admin_ids,
            })
            self.db = Database(self.database_url)
            stack.push_async_callback(self.db.dispose)
            self.app = build_application(self.settings, self.db)
            await stack.enter_async_context(running(self.app, poll_timeout=self.poll_timeout))
            self.web.bot_ready = True
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack
        return self

    async def stop(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            if self.web is not None:
                await self.web.stop()  # first: nobody acts while the bot stops
            await stack.aclose()  # then the bot, its database, the Bot API server

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


# --------------------------------------------------------------------------- the command

def run_sandbox(settings: Settings, *, port: int | None = None, in_memory: bool = False) -> int:
    """Run until Ctrl-C (SIGINT) or SIGTERM; 0 on a clean stop, 2 if refused, 1 if it failed."""
    started = time.monotonic()
    try:
        sandbox = Sandbox(settings, port=port, in_memory=in_memory)
    except SandboxRefused as error:
        print(f"appeal-bot sandbox: {error}", file=sys.stderr)
        return 2
    from bot.logging_setup import configure_logging

    configure_logging(settings.log_level, [SANDBOX_TOKEN] + (
        [settings.telegram_bot_token.get_secret_value()] if settings.telegram_bot_token else []))
    try:
        return asyncio.run(_serve(sandbox, started))
    except SandboxRefused as error:
        print(f"appeal-bot sandbox: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        hint = (f" Port {sandbox.port} is taken: stop what uses it or pick another with --port."
                if error.errno == errno.EADDRINUSE else "")
        print(f"appeal-bot sandbox: could not start: {error}.{hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # a second Ctrl-C during start-up or shutdown
        return 0


async def _serve(sandbox: Sandbox, started: float) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not on POSIX
            pass
    async with sandbox:
        took = time.monotonic() - started
        print(
            "\n"
            "  SANDBOX: Appeal Bot running offline. Nothing reaches Telegram; these are not\n"
            "     real people, and no production data is touched.\n"
            f"  Web chat:  {sandbox.url}\n"
            f"  People:    {', '.join(name for _, name, _ in PEOPLE)} "
            "(Coordinator is an owner; add more in the page)\n"
            f"  Database:  {sandbox.database_label}\n"
            f"  Started in {took:.1f} s. Press Ctrl-C to stop.\n",
            flush=True,
        )
        await stop.wait()
        print("Stopping the sandbox...", flush=True)
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C ends it at once
            loop.remove_signal_handler(signum)
    print("Sandbox stopped.", flush=True)
    return 0
