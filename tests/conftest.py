"""The fake Telegram and the real bot, wired together for end-to-end tests.

``tg`` starts the project's own Bot API server on loopback and the bot's real ``Application``
pointed at it by ``base_url``; tests then act as people (``tg.user("Alice").send("/start")``)
and read what the bot sent. Every end-to-end test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from sqlalchemy import text

from bot.app import build_application
from bot.config import Settings
from bot.runner import running
from bot.sandbox import BotApiServer
from storage.db import Database, make_engine, upgrade_schema_async

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


@pytest.fixture(params=DATABASES)
async def database_url(request, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        await upgrade_schema_async(url)
        yield url
        return
    ensure_postgres_running()
    url, name = await fresh_postgres_database()
    await upgrade_schema_async(url)
    try:
        yield url
    finally:
        await drop_postgres_database(name)


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


def make_settings(server: BotApiServer, database_url: str, **overrides) -> Settings:
    values = {
        "telegram_bot_token": server.token,
        "telegram_api_base_url": server.base_url,
        "database_url": database_url,
        "admin_ids": frozenset({OWNER_ID}),
        "log_level": "INFO",
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
