"""Start-up waits for what the bot depends on: the database, then Telegram.

A supervisor (systemd, Docker) often starts the bot before PostgreSQL accepts connections, or
while Telegram is briefly unreachable. Instead of exiting, each wait retries with a capped
backoff, says once what it waits for, and logs progress about every ``PROGRESS_EVERY`` seconds.
A wrong token is no outage: it stops start-up at once.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url
from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application

from storage.db import Database, upgrade_schema_async

log = logging.getLogger(__name__)

FIRST_DELAY = 0.5
MAX_DELAY = 10.0
PROGRESS_EVERY = 30.0


async def wait_until(what: str, attempt: Callable[[], Awaitable[None]], *,
                     retry_on: tuple[type[BaseException], ...] = (Exception,),
                     first_delay: float = FIRST_DELAY, max_delay: float = MAX_DELAY,
                     progress_every: float = PROGRESS_EVERY) -> None:
    """Call ``attempt`` until it returns; exceptions not in ``retry_on`` are raised."""
    started = time.monotonic()
    delay, attempts, next_progress = first_delay, 0, started + progress_every
    while True:
        attempts += 1
        try:
            await attempt()
        except retry_on as error:
            now = time.monotonic()
            if attempts == 1:
                log.warning("waiting for %s", what, extra={"kind": "startup_wait",
                                                           "error": type(error).__name__})
            elif now >= next_progress:
                log.warning("still waiting for %s", what, extra={
                    "kind": "startup_wait", "waited_s": round(now - started), "attempts": attempts,
                    "error": type(error).__name__})
                next_progress = now + progress_every
            if isinstance(error, RetryAfter):
                delay = max(delay, float(getattr(error, "retry_after", delay) or delay))
            await asyncio.sleep(min(delay, max_delay))
            delay = min(delay * 2, max_delay)
            continue
        if attempts > 1:
            log.info("%s answered", what, extra={"kind": "startup_ready", "attempts": attempts,
                                                 "waited_s": round(time.monotonic() - started)})
        return


def describe_database(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the database (SQLite {parsed.database})"
    return f"the database (PostgreSQL at {parsed.host}:{parsed.port or 5432}/{parsed.database})"


async def wait_for_database(db: Database, *, upgrade: bool = True,
                            first_delay: float = FIRST_DELAY) -> None:
    """Until the database answers; then bring its schema up to date."""
    async def attempt() -> None:
        async with db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        if upgrade:
            await upgrade_schema_async(db.url)

    await wait_until(describe_database(db.url), attempt, first_delay=first_delay)


async def wait_for_telegram(app: Application, *, first_delay: float = FIRST_DELAY) -> None:
    """Until ``getMe`` answers (``Application.initialize`` calls it)."""
    await wait_until("Telegram (getMe)", app.initialize, retry_on=(NetworkError, RetryAfter),
                     first_delay=first_delay)


__all__ = ["InvalidToken", "wait_for_database", "wait_for_telegram", "wait_until"]


def settle_memory() -> None:
    """Once a process has started: what start-up built (the case library, PTB's and
    SQLAlchemy's machinery, ~180,000 objects) lives as long as the process, so collect
    start-up's garbage once and keep the rest out of the collector's full passes — one took
    75 ms in a burst of 200 people (bench/burst_bench.py). For processes that run one bot, not
    for a test session that starts hundreds."""
    gc.collect()
    gc.freeze()
