"""Helpers for the outbox, delivery and reminder tests: seeding subscribers in bulk, counting
what the Bot API server delivered, waiting for an alert to finish."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager

from sqlalchemy import insert, select

from bot.delivery import DeliveryWorker, TelegramTransport
from bot.delivery.lean import LeanTelegramTransport
from bot.sandbox import BotApiServer
from storage import alerts as q
from storage.db import Database
from storage.models import Alert, Case, Subscription, Supporter, utcnow


async def make_case(db: Database, slug: str = "test-case", *, status: str = "open",
                    timezone: str = "Asia/Almaty", title: str | None = None) -> int:
    async with db.session() as session:
        case = Case(slug=slug, title=title or f"Case {slug}", status=status, timezone=timezone,
                    data={}, content_hash="test")
        session.add(case)
        await session.flush()
        return case.id


async def case_id(db: Database, slug: str) -> int:
    async with db.session() as session:
        return (await session.exec(select(Case.id).where(Case.slug == slug))).scalar_one()


async def add_subscribers(db: Database, case: int, chat_ids: Iterable[int], *,
                          server: BotApiServer | None = None, blocked: Iterable[int] = (),
                          known: bool = True) -> list[int]:
    """Supporter + Subscription rows in bulk (new supporters only); with ``server``, also the
    people in the fake Telegram (``started`` so the bot may write to them)."""
    chat_ids = list(chat_ids)
    blocked = set(blocked)
    now = utcnow()
    async with db.session() as session:
        existing = set((await session.exec(
            select(Supporter.chat_id).where(Supporter.chat_id.in_(chat_ids)))).scalars())
        new = [chat for chat in chat_ids if chat not in existing]
        if new:
            await session.exec(insert(Supporter.__table__), params=[
                {"chat_id": chat, "language": "en", "joined_at": now,
                 "blocked_at": now if chat in blocked else None} for chat in new])
        await session.exec(insert(Subscription.__table__), params=[
            {"supporter_id": chat, "case_id": case, "created_at": now} for chat in chat_ids])
    if server is not None and known:
        for chat in chat_ids:
            server.user(f"Supporter {chat}", user_id=chat, started=True)
    return chat_ids


def sends(server: BotApiServer, *, ok: bool = True, text: str | None = None) -> list:
    """sendMessage calls the server answered (successfully, unless ok=False), in order."""
    return [call for call in server.calls if call.method == "sendMessage"
            and (call.ok if ok else True)
            and (text is None or text in str(call.params.get("text", "")))]


def sends_per_chat(server: BotApiServer, *, text: str | None = None) -> Counter:
    return Counter(call.chat_id for call in sends(server, text=text))


async def report(db: Database, alert_id: int) -> dict[str, int]:
    async with db.session() as session:
        return await q.alert_report(session, alert_id)


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float = 15.0,
                     interval: float = 0.05, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


async def wait_finished(db: Database, alert_id: int, timeout: float = 15.0) -> dict[str, int]:
    """Wait until the alert has nothing pending and a worker marked it finished."""
    async def done() -> bool:
        async with db.session() as session:
            alert = await session.get(Alert, alert_id, populate_existing=True)
        return alert is not None and alert.finished_at is not None

    await wait_until(done, timeout, what=f"alert {alert_id} to finish")
    return await report(db, alert_id)


@asynccontextmanager
async def running_worker(server: BotApiServer, db: Database, **kwargs):
    """A DeliveryWorker with its own Telegram transport, started and stopped around the
    block."""
    transport = await TelegramTransport.connect(server.token, server.base_url, connections=10)
    worker = DeliveryWorker(transport, db, **kwargs)
    worker.start()
    try:
        yield worker
    finally:
        await worker.stop()
        await transport.close()


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


def aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def kill_worker(worker: DeliveryWorker) -> None:
    """As if the worker's process died: every task cancelled at once, nothing it holds
    released or recorded (its leases run out; a later worker takes the rows). The context
    manager's stop() then has nothing left to do."""
    tasks = [*worker._tasks, *worker._consumers]  # a simulated crash reaches inside
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    worker._started = False


async def start_workers(stack: AsyncExitStack, database_url: str, server: BotApiServer,
                        count: int, *, pacer: Callable[[Database], object] | None = None,
                        **worker_kwargs) -> list[DeliveryWorker]:
    """``count`` delivery workers as separate processes would be: each with its own database
    engine and transport (and pacer, from ``pacer(its_db)``); stopped when ``stack`` closes."""
    workers = []
    for _ in range(count):
        own_db = Database(database_url)
        stack.push_async_callback(own_db.dispose)
        transport = await LeanTelegramTransport.connect(server.token, server.base_url,
                                                        connections=4)
        stack.push_async_callback(transport.close)
        if pacer is not None:
            worker_kwargs["pacer"] = pacer(own_db)
        worker = DeliveryWorker(transport, own_db, **worker_kwargs)
        worker.start()
        stack.push_async_callback(worker.stop)
        workers.append(worker)
    return workers
