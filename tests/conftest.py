"""The fake Telegram and the real bot, wired together for end-to-end tests.

``tg`` starts the project's own Bot API server on loopback and the bot's real ``Application``
pointed at it by ``base_url``; tests then act as people (``tg.user("Alice").send("/start")``)
and read what the bot sent. Every end-to-end test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import queue
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy import text

import bot.app
from bot.app import build_application
from bot.config import Settings
from bot.runner import running
from bot.sandbox import BotApiServer
from content.loader import Library, load_library
from storage.db import Database, make_engine, upgrade_schema
from storage.library_sync import sync_library

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL",
                                    "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
DATABASES = [name.strip() for name in
             os.environ.get("TEST_DATABASES", "sqlite,postgres").split(",") if name.strip()]
OWNER_ID = 999_001


def ensure_postgres_running() -> None:
    """Start the machine's PostgreSQL cluster if it is down (CI machines may have it stopped)."""
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0:
        return
    if shutil.which("pg_ctlcluster") and os.path.isdir("/etc/postgresql"):
        version = max(os.listdir("/etc/postgresql"))
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                       check=False)
        for _ in range(50):
            if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0:
                return
            time.sleep(0.2)
    pytest.fail("PostgreSQL on 127.0.0.1:5432 is not running and could not be started")


async def _admin(statement: str) -> None:
    engine = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


async def fresh_postgres_database() -> tuple[str, str]:
    """A new, empty database for one test; returns its URL and name."""
    name = "appeal_test_" + uuid.uuid4().hex[:12]
    await _admin(f'CREATE DATABASE "{name}"')
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, name


async def drop_postgres_database(name: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _in_thread(work) -> None:
    """Run blocking set-up (which may start its own event loop) away from any running loop."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - re-raised below, in the caller
            failure.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


async def _load_into(url: str, library: Library) -> None:
    database = Database(url)
    try:
        async with database.session() as session:
            report = await sync_library(session=session, library=library)
            assert not report.failed, report.failed
            await session.commit()
    finally:
        await database.dispose()


class Templates:
    """Databases migrated once per session — one empty, one holding the shipped library — that
    each test's database is copied from (migrating and loading the library for every test was
    most of the suite's time). A bot started on either still migrates and loads as it would.

    PostgreSQL copies are made, and dropped after their test, by a thread of their own one step
    ahead of the tests, so a test rarely waits for ``CREATE DATABASE`` or ``DROP DATABASE``."""

    def __init__(self, root: Path, library: Library) -> None:
        self.root, self.library = root, library
        self.sqlite: dict[bool, Path] = {}
        self._postgres: dict[bool, str] = {}
        self._jobs: queue.Queue = queue.Queue()
        self._ready: dict[bool, queue.Queue] = {True: queue.Queue(), False: queue.Queue()}
        self._thread: threading.Thread | None = None

    def sqlite_file(self, loaded: bool) -> Path:
        if loaded not in self.sqlite:
            path = self.root / ("loaded.db" if loaded else "migrated.db")
            url = f"sqlite+aiosqlite:///{path}"
            _in_thread(lambda: upgrade_schema(url))
            if loaded:
                _in_thread(lambda: asyncio.run(_load_into(url, self.library)))
            self.sqlite[loaded] = path
        return self.sqlite[loaded]

    async def take_postgres(self, loaded: bool) -> str:
        """The URL of a fresh copy of the template; give it back with :meth:`give_back`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="postgres-copies",
                                            daemon=True)
            self._thread.start()
        if self._ready[loaded].empty():
            self._jobs.put(("copy", loaded))
        self._jobs.put(("copy", loaded))  # the next test's copy, made while this one runs
        made = await asyncio.to_thread(self._ready[loaded].get)
        if isinstance(made, BaseException):
            raise made
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + made

    def give_back(self, url: str) -> None:
        self._jobs.put(("drop", url.rsplit("/", 1)[1]))

    def close(self) -> None:
        if self._thread is None:
            return
        for ready in self._ready.values():
            while not ready.empty():
                made = ready.get()
                if isinstance(made, str):
                    self._jobs.put(("drop", made))
        for name in self._postgres.values():
            self._jobs.put(("drop", name))
        self._jobs.put(None)
        self._thread.join(timeout=120)

    def _work(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            while (job := self._jobs.get()) is not None:
                action, argument = job
                if action == "drop":
                    loop.run_until_complete(drop_postgres_database(argument))
                    continue
                try:
                    made = loop.run_until_complete(self._copy(argument))
                except BaseException as error:  # noqa: BLE001 - raised in the waiting test
                    made = error
                self._ready[argument].put(made)
        finally:
            loop.close()

    async def _copy(self, loaded: bool) -> str:
        if loaded not in self._postgres:
            url, name = await fresh_postgres_database()
            await asyncio.to_thread(upgrade_schema, url)
            if loaded:
                await _load_into(url, self.library)
            self._postgres[loaded] = name
        name = "appeal_test_" + uuid.uuid4().hex[:12]
        await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._postgres[loaded]}"')
        return name


@pytest.fixture(scope="session")
def shipped_library() -> Library:
    library, errors = load_library()
    assert not errors, errors
    return library


@pytest.fixture(autouse=True)
def _library_parsed_once(monkeypatch, shipped_library) -> None:
    """Every bot a test starts reads the shipped library parsed once for the session (a test
    that gives the bot other content patches ``bot.app.load_library`` itself, after this)."""
    monkeypatch.setattr(bot.app, "load_library", lambda: (shipped_library, []))


@pytest.fixture(scope="session")
def templates(tmp_path_factory, shipped_library) -> Iterator[Templates]:
    made = Templates(tmp_path_factory.mktemp("templates"), shipped_library)
    yield made
    made.close()


@pytest.fixture(params=DATABASES)
async def database_url(request, tmp_path, templates) -> AsyncIterator[str]:
    # A test that starts the bot gets the library already loaded, as after the bot's first
    # start; the others get an empty, migrated database.
    loaded = "tg" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "bot.db"
        shutil.copyfile(templates.sqlite_file(loaded), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    ensure_postgres_running()
    url = await templates.take_postgres(loaded)
    try:
        yield url
    finally:
        templates.give_back(url)


@pytest.fixture
async def db(database_url) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


class Harness:
    """The server, the running bot and its database, and a way to restart the bot."""

    def __init__(self, server: BotApiServer, database_url: str, settings: Settings) -> None:
        self.server = server
        self.database_url = database_url
        self.settings = settings
        self.db: Database | None = None
        self.app = None
        self._stack: AsyncExitStack | None = None

    def user(self, name: str, user_id: int | None = None, **kwargs):
        return self.server.user(name, user_id=user_id, **kwargs)

    def owner(self):
        return self.server.user("Owner", user_id=OWNER_ID)

    async def start(self) -> None:
        self._stack = AsyncExitStack()
        self.db = Database(self.database_url)
        self.app = build_application(self.settings, self.db)
        await self._stack.enter_async_context(running(self.app, poll_timeout=1))

    async def stop(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None
        if self.db is not None:
            await self.db.dispose()
            self.db = None

    async def restart(self) -> None:
        """Stop this bot process and start a fresh one on the same database."""
        await self.stop()
        await self.start()

    async def idle(self, timeout: float = 10.0) -> None:
        await self.server.idle(timeout=timeout)

    async def settled(self, timeout: float = 10.0) -> None:
        """Like :meth:`idle`, for tests of many steps: every update the bot took has been
        handled (PTB marks an update done when its handlers return, and handlers start no
        tasks of their own), so a shorter quiet suffices. Deliveries, which the worker makes
        in the background, are not waited for: use :meth:`idle` for those."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await self.server.idle(timeout=timeout, quiet=0.05)
        try:  # every update taken from the queue has been handled (PTB calls task_done)
            await asyncio.wait_for(self.app.update_queue.join(),
                                   max(deadline - loop.time(), 0.1))
        except TimeoutError:
            raise TimeoutError(f"the bot still handles updates after {timeout}s") from None
        # what those handlers sent has been answered (at once, if all was quiet already)
        await self.server.idle(timeout=max(deadline - loop.time(), 0.1), quiet=0.05)


def make_settings(server: BotApiServer, database_url: str, **overrides) -> Settings:
    values = {
        "telegram_bot_token": server.token,
        "telegram_api_base_url": server.base_url,
        "database_url": database_url,
        "admin_ids": frozenset({OWNER_ID}),
        "log_level": "INFO",
        # Telegram's one message a second per chat is kept by the pacer (tests/test_delivery.py
        # checks it under the sandbox's flood limits); here it only made alerts queue.
        "send_chat_interval": 0.05,
        # a test that waits to see nothing sent waits a few of the worker's looks, not seconds
        "delivery_poll_interval": 0.2,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    api = BotApiServer()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def tg(server, database_url) -> AsyncIterator[Harness]:
    harness = Harness(server, database_url, make_settings(server, database_url))
    await harness.start()
    try:
        yield harness
    finally:
        await asyncio.wait_for(harness.stop(), timeout=20)
