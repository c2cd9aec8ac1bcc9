"""SQLite in the event loop's thread (storage/sqlite_inline.py): a second writer waits for the
first without stopping the loop, and gives up after the connection's time-out."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage.db import make_engine


@pytest.fixture
async def engine(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}",
                         connect_args={"timeout": 2})
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    yield engine
    await engine.dispose()


async def test_a_second_writer_waits_for_the_first_while_the_loop_runs_on(engine):
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(ticking())
    async with engine.connect() as first, engine.connect() as second:
        await first.execute(text("BEGIN IMMEDIATE"))  # holds the write lock
        await first.execute(text("INSERT INTO t (v) VALUES ('first')"))
        waiting = asyncio.create_task(
            second.execute(text("INSERT INTO t (v) VALUES ('second')")))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # still waiting for the lock...
        assert ticks >= 10  # ...and the loop ran other tasks meanwhile
        await first.commit()
        await asyncio.wait_for(waiting, 2)
        await second.commit()
    ticker.cancel()
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert rows == ["first", "second"]


async def test_a_writer_gives_up_after_the_time_out(engine):
    async with engine.connect() as first, engine.connect() as second:
        await first.execute(text("BEGIN IMMEDIATE"))
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            await second.execute(text("INSERT INTO t (v) VALUES ('late')"))
        assert 1.9 <= time.monotonic() - started < 4
        await first.rollback()


async def test_errors_other_than_busy_come_at_once(engine):
    async with engine.connect() as conn:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="no such table"):
            await conn.execute(text("SELECT * FROM missing"))
        assert time.monotonic() - started < 0.5
