"""The async engine, sessions, and bringing the schema up to date with Alembic.

A transaction that wrote to the alert outbox (see :func:`note_outbox_write`) tells the
``Database``'s outbox listeners once it has committed, so the delivery worker of this process
starts sending at once; workers of other processes find the rows at their next poll.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session as SyncSession
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_inline

MIGRATIONS = Path(__file__).parent / "migrations"
_OUTBOX_WRITTEN = "outbox_written"  # a flag in Session.info until the transaction ends

log = logging.getLogger(__name__)


def note_outbox_write(session: AsyncSession) -> None:
    """The current transaction queued deliveries: wake the outbox listeners when it commits."""
    session.info[_OUTBOX_WRITTEN] = True


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, timeout: float | None = None, **kwargs: object) -> AsyncEngine:
    """``timeout``: seconds any one connect or query may take (PostgreSQL), so a database that
    hangs fails fast instead of after asyncpg's 60 s. A wait for a pooled connection may take
    three times that: the connections in use are themselves bounded by ``timeout``, and a busy
    moment (a burst of people, a broadcast) is not an outage."""
    # Parameters hold what people typed (a signature, a chat id): never in a log line or in
    # the text of an error.
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        # A busy writer makes others wait instead of failing at once.
        kwargs.setdefault("connect_args", {"timeout": 30})
        # In the event loop's thread, not aiosqlite's: storage/sqlite_inline.py says why.
        kwargs.setdefault("module", sqlite_inline.dbapi())
    else:
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", True)
        if timeout is not None:
            kwargs.setdefault("connect_args", {"timeout": timeout, "command_timeout": timeout})
            kwargs.setdefault("pool_timeout", 3 * timeout)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # What is deleted is overwritten with zeros, not only unlinked: after /forget, the file
    # holds nothing of the person (the WAL is checkpointed by Database.purge_deleted).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class Database:
    """Owns the engine; hands out sessions. One per process."""

    def __init__(self, url: str, *, timeout: float | None = None,
                 **engine_kwargs: object) -> None:
        self.url = url
        self.engine = make_engine(url, timeout=timeout, **engine_kwargs)
        self._outbox_listeners: list[Callable[[], None]] = []
        # A session class of our own, so the commit hooks below see only this database's
        # sessions, however the transaction ends (session(), or an explicit commit()).
        session_class = type("DatabaseSession", (Session,), {})
        event.listen(session_class, "after_commit", self._after_commit)
        event.listen(session_class, "after_rollback", _forget_outbox_write)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession,
                                            sync_session_class=session_class,
                                            expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits on success and rolls back on error."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection where each statement commits on its own: no BEGIN and COMMIT
        around a read that usually writes nothing (two round trips less on PostgreSQL)."""
        async with self.engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")

    def add_outbox_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after each commit that wrote to the outbox (in the event loop's
        thread, from inside the commit: it must be quick and must not touch the database)."""
        self._outbox_listeners.append(listener)

    def remove_outbox_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._outbox_listeners:
            self._outbox_listeners.remove(listener)

    def _after_commit(self, session: SyncSession) -> None:
        if not session.info.pop(_OUTBOX_WRITTEN, False):
            return
        for listener in list(self._outbox_listeners):
            try:
                listener()
            except Exception:  # the data is committed; a listener must not undo the caller
                log.exception("outbox listener failed")

    async def purge_deleted(self) -> None:
        """After a deletion that must leave no trace (/forget): on SQLite, copy the WAL into
        the database file and truncate it, so deleted rows survive in neither file. Outside a
        transaction; PostgreSQL's files are not ours to read, so nothing happens there."""
        if not self.is_sqlite:
            return
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def warm(self, connections: int) -> None:
        """Open ``connections`` pooled connections now (they stay in the pool): opening one
        costs a PostgreSQL connection ~15 ms of CPU, which the first burst of people would
        otherwise pay while they wait."""
        opened = await asyncio.gather(*(self.engine.connect() for _ in range(connections)))
        for connection in opened:
            await connection.close()

    async def dispose(self) -> None:
        await self.engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)


def _forget_outbox_write(session: SyncSession) -> None:
    session.info.pop(_OUTBOX_WRITTEN, None)  # rolled back: nothing was queued


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade_schema(url: str) -> None:
    """Bring the schema to the newest migration (blocking; call from a thread in async code)."""
    command.upgrade(alembic_config(url), "head")


async def upgrade_schema_async(url: str) -> None:
    await asyncio.to_thread(upgrade_schema, url)
