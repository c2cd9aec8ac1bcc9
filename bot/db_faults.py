"""Is this exception the database being unreachable or too slow (not a bug)?

Such failures are routine during an outage: the person gets "temporarily unavailable", the log
gets one throttled line, no traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import asyncio

import aiohttp
import httpx
from sqlalchemy import exc as sa_exc
from telegram.error import TelegramError

try:  # asyncpg is a dependency, but only PostgreSQL deployments load it
    import asyncpg
    _ASYNCPG: tuple[type[BaseException], ...] = (
        asyncpg.exceptions.ConnectionDoesNotExistError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.ConnectionFailureError,
        asyncpg.exceptions.TooManyConnectionsError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.QueryCanceledError,
        asyncpg.exceptions.InterfaceError,
    )
except ImportError:  # pragma: no cover
    _ASYNCPG = ()

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,  # connection refused / lost, SQLite locked too long
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # no pooled connection within the time-out
    asyncio.TimeoutError,  # asyncpg's connect or command time-out
    ConnectionError,
    OSError,
    *_ASYNCPG,
)


def database_unavailable(error: BaseException | None) -> bool:
    """True if ``error`` (or what caused it) says the database could not be reached in time."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, TelegramError | httpx.HTTPError | aiohttp.ClientError):
            return False  # Telegram's trouble (its cause may be an OSError too), not ours
        if isinstance(error, _UNAVAILABLE):
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        error = error.__cause__ or error.__context__
    return False
