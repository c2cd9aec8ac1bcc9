"""Telegram's 1 message/s per chat holds for the deployment, not per process: two delivery
workers, each with its own database connections and transport (as two processes would have),
on one PostgreSQL, with the global pace lifted and several alerts queued for the same people,
never send one chat two messages less than a second apart — on the Bot API server's record."""

from __future__ import annotations

from collections import defaultdict
from contextlib import AsyncExitStack

import pytest
from helpers_delivery import add_subscribers, make_case, sends, start_workers, wait_finished

from bot.alerts import enqueue_alert
from bot.sandbox import BotApiServer
from storage.db import Database

PEOPLE = 3
ALERTS = 6
# The server stamps each request when it arrives. A worker's next request to a chat leaves at
# least a second after the previous answer was recorded, which is after that request arrived,
# so the true gap is over a second; the tolerance only absorbs the server's own scheduling
# jitter between receiving a request and stamping it (milliseconds on loopback).
TOLERANCE = 0.05


async def test_two_workers_keep_one_message_per_second_per_chat(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("one process on SQLite: its local pacer spaces every chat")
    async with BotApiServer() as server, AsyncExitStack() as stack:
        db = Database(database_url)
        stack.push_async_callback(db.dispose)
        case = await make_case(db, "chat-spacing")
        chats = await add_subscribers(db, case, range(700, 700 + PEOPLE), server=server)
        alerts = []
        for n in range(ALERTS):
            async with db.session() as session:
                alert = await enqueue_alert(session=session, case_id=case, kind="news",
                                            text=f"Spacing {n}")
            alerts.append(alert.id)
        # Small claims, so that without a shared rule both workers would hold rows of one
        # chat at once (each spacing only its own sends).
        workers = await start_workers(stack, database_url, server, 2, rate=1000.0,
                                      concurrency=2, batch=2, poll_interval=0.05)
        for alert_id in alerts:
            final = await wait_finished(db, alert_id, timeout=60)
            assert final["sent"] == PEOPLE and final["failed"] == 0

    arrivals: dict[int, list[float]] = defaultdict(list)
    for call in sends(server, text="Spacing"):
        arrivals[call.chat_id].append(call.time)
    assert sorted(arrivals) == chats and all(len(t) == ALERTS for t in arrivals.values())
    assert all(worker.stats["sent"] > 0 for worker in workers)  # both took part
    gaps = [later - earlier for times in arrivals.values()
            for earlier, later in zip(sorted(times), sorted(times)[1:], strict=False)]
    assert min(gaps) >= 1.0 - TOLERANCE, sorted(gaps)[:5]
