"""One send budget per token across processes: three delivery workers, each with its own
database connections and transport (as three processes would have), on one PostgreSQL, keep
Telegram's 30 messages/s together — the Bot API server, enforcing Telegram's flood limits,
answers them no 429 — while three workers pacing themselves alone draw many."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest
from helpers_delivery import (
    add_subscribers,
    make_case,
    sends_per_chat,
    start_workers,
    wait_finished,
)

from bot.alerts import enqueue_alert
from bot.delivery import Pacer
from bot.delivery.budget import SharedPacer
from bot.sandbox import BotApiServer
from storage.db import Database

PEOPLE = 150
RATE = 30.0


async def broadcast_with_three_workers(database_url: str, server: BotApiServer,
                                       shared: bool, first_chat: int) -> None:
    async with AsyncExitStack() as stack:
        db = Database(database_url)
        stack.push_async_callback(db.dispose)
        case = await make_case(db, f"budget-{first_chat}")
        chats = await add_subscribers(db, case, range(first_chat, first_chat + PEOPLE),
                                      server=server)
        async with db.session() as session:
            alert = await enqueue_alert(session=session, case_id=case, kind="news",
                                        text="Budget test")
        await start_workers(stack, database_url, server, 3, pacer=lambda own_db: (
            SharedPacer(own_db, "bot:test", RATE) if shared else Pacer(RATE)),
            concurrency=4, batch=20, poll_interval=0.1)
        final = await wait_finished(db, alert.id, timeout=60)
        assert final["sent"] == PEOPLE and final["failed"] == 0
        assert sends_per_chat(server, text="Budget test").keys() >= set(chats)


async def test_three_workers_share_one_budget(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("one process on SQLite: its local pacer is the whole budget")
    async with BotApiServer(flood_limits=True) as server:
        await broadcast_with_three_workers(database_url, server, shared=True, first_chat=100)
        shared_429s = server.stats.rate_limited
        await broadcast_with_three_workers(database_url, server, shared=False,
                                           first_chat=1000)
        alone_429s = server.stats.rate_limited - shared_429s
    assert shared_429s == 0
    assert alone_429s > 0  # the same setup notices a budget kept per process


async def test_without_its_database_the_budget_falls_back_to_the_local_pace(caplog):
    db = Database("postgresql+asyncpg://postgres@127.0.0.1:1/unreachable")
    pacer = SharedPacer(db, "bot:test", rate=1000.0)
    try:
        for _ in range(20):  # sends go on at the local pace; one line says why
            await pacer.acquire()
    finally:
        await db.dispose()
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.delivery.budget"]
    assert len(warnings) == 1 and "pacing this process alone" in warnings[0]
    assert pacer.reservations == 0
