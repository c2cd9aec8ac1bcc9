"""What ``GET /healthz`` says: can this process reach the database, is a worker alive, how
much waits to be sent. 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import func, select, text

from storage import heartbeats
from storage.db import Database
from storage.models import Delivery, DeliveryStatus

# A worker heartbeat older than this means no worker is delivering (heartbeats come every 5 s).
WORKER_STALE_AFTER = 30.0


async def check(db: Database, *, role: str, timeout: float, update_queue_size: int = 0
                ) -> tuple[int, dict[str, object]]:
    """(HTTP status, JSON body)."""
    body: dict[str, object] = {"role": role, "update_queue": update_queue_size}
    try:
        async with asyncio.timeout(timeout):
            async with db.session() as session:
                await session.execute(text("SELECT 1"))
                now = dt.datetime.now(dt.UTC)
                newest = await heartbeats.newest(session=session)
                depth = (await session.execute(select(func.count()).select_from(Delivery).where(
                    Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])))
                ).scalar_one()
    except Exception as error:  # noqa: BLE001 - unreachable, too slow, refused: all say 503
        body.update(database="unreachable", error=type(error).__name__)
        return 503, body
    age = None if newest is None else round((now - newest).total_seconds(), 1)
    body.update(database="ok", worker_heartbeat_age=age, outbox_depth=depth,
                worker="alive" if age is not None and age <= WORKER_STALE_AFTER else "none")
    return 200, body
