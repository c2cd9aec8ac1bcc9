"""Prometheus metrics of one process (``GET /metrics``).

Counters and histograms are per process (Prometheus sums them across processes); the figures
that live in the database — outbox depth, deliveries by status, reminder lag, the newest worker
heartbeat — are read every ``REFRESH_SECONDS`` by :class:`DatabaseGauges`, so a scrape never
waits on the database and a slow database cannot slow the scrape.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import Application

from bot.db_faults import database_unavailable
from bot.delivery.results import SendOutcome, SendResult, Transport
from storage import heartbeats
from storage.db import Database
from storage.models import Delivery, DeliveryStatus, Reminder, ReminderStatus

log = logging.getLogger(__name__)

REFRESH_SECONDS = 5.0
REGISTRY = CollectorRegistry()

UPDATES = Counter("appeal_updates_handled_total", "Telegram updates handled", ["outcome"],
                  registry=REGISTRY)
UPDATE_SECONDS = Histogram("appeal_update_seconds", "Time to handle one update",
                           buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30), registry=REGISTRY)
SENDS = Counter("appeal_delivery_sends_total", "Delivery send attempts by outcome", ["outcome"],
                registry=REGISTRY)
FLOOD_WAITS = Counter("appeal_telegram_429_total", "429 Too Many Requests answers to sends",
                      registry=REGISTRY)
DELIVERIES = Gauge("appeal_deliveries", "Deliveries in the database by status", ["status"],
                   registry=REGISTRY)
OUTBOX_DEPTH = Gauge("appeal_outbox_depth", "Deliveries pending or being sent",
                     registry=REGISTRY)
REMINDER_LAG = Gauge("appeal_reminder_lag_seconds",
                     "How overdue the oldest planned reminder is (0: none overdue)",
                     registry=REGISTRY)
HEARTBEAT_AGE = Gauge("appeal_worker_heartbeat_age_seconds",
                      "Age of the newest worker heartbeat (-1: no worker)", registry=REGISTRY)
DATABASE_UP = Gauge("appeal_database_up", "1 if the last database read worked",
                    registry=REGISTRY)


def render() -> tuple[bytes, str]:
    from prometheus_client import CONTENT_TYPE_LATEST

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class TimedApplication(Application):
    """An Application that counts and times every update it processes (whatever the update
    processor: this is the call each processor makes per update)."""

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        outcome = "ok"
        try:
            await super().process_update(update)
        except Exception:
            outcome = "error"
            raise
        finally:
            if isinstance(update, Update):
                UPDATES.labels(outcome).inc()
                UPDATE_SECONDS.observe(time.perf_counter() - started)


class CountingTransport:
    """A delivery transport that counts every send's outcome (and the 429s) on its way by."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.channel = inner.channel

    async def send(self, chat_id: int, text: str, markup: Any = None) -> SendResult:
        result = await self.inner.send(chat_id, text, markup)
        SENDS.labels(result.outcome.value).inc()
        if result.outcome is SendOutcome.RETRY_AFTER:
            FLOOD_WAITS.inc()
        return result

    async def edit(self, chat_id: int, message_id: int, text: str,
                   markup: Any = None) -> SendResult:
        return await self.inner.edit(chat_id, message_id, text, markup)

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str) -> Any:  # anything else the worker's wiring reads
        return getattr(self.inner, name)


class DatabaseGauges:
    """Reads the database-backed figures every few seconds, in the background."""

    def __init__(self, db: Database, *, interval: float = REFRESH_SECONDS) -> None:
        self.db = db
        self.interval = interval
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="metrics-gauges")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.refresh()
                DATABASE_UP.set(1)
            except Exception as error:
                DATABASE_UP.set(0)
                if not database_unavailable(error):
                    log.exception("metrics: reading the database failed")
            await asyncio.sleep(self.interval)

    async def refresh(self) -> None:
        now = dt.datetime.now(dt.UTC)
        async with self.db.session() as session:
            counts = dict((await session.execute(
                select(Delivery.status, func.count()).group_by(Delivery.status))).all())
            oldest_due = (await session.execute(
                select(func.min(Reminder.due_at)).where(Reminder.status == ReminderStatus.PLANNED,
                                                        Reminder.due_at <= now))).scalar()
            newest_beat = await heartbeats.newest(session=session)
        for status in DeliveryStatus:
            DELIVERIES.labels(status.value).set(counts.get(status.value, 0))
        OUTBOX_DEPTH.set(counts.get(DeliveryStatus.PENDING.value, 0)
                         + counts.get(DeliveryStatus.SENDING.value, 0))
        REMINDER_LAG.set(0 if oldest_due is None else max(0.0, (now - oldest_due).total_seconds()))
        HEARTBEAT_AGE.set(-1 if newest_beat is None else (now - newest_beat).total_seconds())

