"""SQLite for the async engine, run in the event loop's own thread: aiosqlite's interface
without its thread.

aiosqlite runs every call (open a cursor, execute, fetch, close, commit) in a thread of its own
and hands the result back through the event loop: about 150 µs of CPU per statement on this
machine, measured, where the statement itself takes 25 µs. A person's update makes a dozen such
calls, so in a burst of people most of the bot's time went into handing work to and from
that thread. Here each call runs at once, in the loop's thread.

The one thing a thread did for us is waiting: SQLite makes a second writer wait for the
first. Waiting inside SQLite here would stop the whole event loop — including the first
writer, which could then never finish — so SQLite is told not to wait (``timeout=0``) and a
write that finds the database busy is tried again after an ``asyncio.sleep``, until the
``timeout`` the connection was opened with (30 s, storage/db.py) has passed. Only plain
"busy" is retried: a transaction whose snapshot is out of date gets its error at once, as
before. Statements here take microseconds to a few milliseconds; none is long enough to
hold up other people noticeably.

SQLAlchemy's aiosqlite dialect drives this module (``create_async_engine(..., module=...)``,
see :func:`dbapi`); it reaches into four of aiosqlite's attributes (``_connection``,
``_conn``, ``_tx``, ``_thread``), which are given their meaning below.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any, Self

# The DB-API names the dialect copies from this module.
DatabaseError, Error, IntegrityError = (sqlite3.DatabaseError, sqlite3.Error,
                                        sqlite3.IntegrityError)
NotSupportedError, OperationalError, ProgrammingError = (
    sqlite3.NotSupportedError, sqlite3.OperationalError, sqlite3.ProgrammingError)
sqlite_version, sqlite_version_info = sqlite3.sqlite_version, sqlite3.sqlite_version_info

# SQLITE_BUSY and SQLITE_BUSY_RECOVERY: another connection holds the lock; worth waiting for.
_BUSY_CODES = frozenset({5, 261})
_FIRST_PAUSE, _LONGEST_PAUSE = 0.001, 0.05


def _busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in _BUSY_CODES


class Cursor:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._cursor = connection._conn.cursor()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        await self._connection._patiently(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        parameters = list(parameters)  # a generator could not be replayed after a busy try
        await self._connection._patiently(self._cursor.executemany, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size) if size is not None else self._cursor.fetchmany()

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *_sizes: Any) -> None:
        return None

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _CursorOpening:
    """What ``Connection.cursor()`` returns: the dialect enters it with ``__aenter__``."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def __aenter__(self) -> Cursor:
        return Cursor(self._connection)

    async def __aexit__(self, *_exc: object) -> None:
        return None

    def __await__(self):
        return self.__aenter__().__await__()


class _InlineQueue:
    """Stands in for aiosqlite's queue to its thread: the dialect's isolation-level setter puts
    ``(future, function)`` there; the function runs at once."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def put_nowait(self, item: tuple[asyncio.Future, Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except sqlite3.Error as error:  # handed to whoever awaits the future
            future.set_exception(error)


class Connection:
    def __init__(self, database: str, *, timeout: float = 5.0, **kwargs: Any) -> None:
        self._database = database
        self._timeout = timeout
        self._kwargs = kwargs
        self._connection: sqlite3.Connection | None = None
        self._tx = _InlineQueue(self)
        self._thread = SimpleNamespace(daemon=True)  # the dialect marks it; there is none

    def __await__(self):
        return self._open().__await__()

    async def _open(self) -> Connection:
        self._kwargs.setdefault("check_same_thread", False)
        self._connection = sqlite3.connect(self._database, timeout=0, **self._kwargs)
        return self

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    async def _patiently(self, call: Callable[..., Any], *args: Any) -> Any:
        deadline = time.monotonic() + self._timeout
        pause = _FIRST_PAUSE
        while True:
            try:
                return call(*args)
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)

    def cursor(self) -> _CursorOpening:
        return _CursorOpening(self)

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        cursor = Cursor(self)
        return await cursor.execute(sql, parameters)

    async def commit(self) -> None:
        await self._patiently(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Terminate (the dialect's hard close)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction


def connect(database: str, **kwargs: Any) -> Connection:
    return Connection(database, **kwargs)


def dbapi() -> Any:
    """This module as SQLAlchemy's aiosqlite dialect wants its DB-API."""
    import sys

    from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

    return AsyncAdapt_aiosqlite_dbapi(sys.modules[__name__], sqlite3)
