"""The send budget of one bot token, shared by every process on one PostgreSQL database.

Telegram counts messages per token, not per process: three workers pacing themselves at
30 msg/s would together send 90. Instead every worker **reserves send slots** from one row per
bot (``send_budget.next_slot_at``, the start of the next free slot): one UPDATE moves it on by
``count / rate`` seconds and returns how long until the first reserved slot. Slots are handed
out in order whichever process asks, so the deployment as a whole never exceeds ``rate``, and
a worker that has nothing to send reserves nothing (no heartbeats, no guess of how many workers
are alive). A 429 pushes the next slot past Telegram's ``retry_after`` for everyone.

Times are the database server's (``statement_timestamp()``), so hosts' clocks do not matter.
PostgreSQL only: on SQLite there is one process, and its local pacer is the whole budget. The
per-chat limit (1 msg/s) is not kept here but by the claim (``storage.alerts.claim_due``).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_ENSURE = text(
    "INSERT INTO send_budget (name, next_slot_at) VALUES (:name, statement_timestamp()) "
    "ON CONFLICT (name) DO NOTHING")
_RESERVE = text(
    "UPDATE send_budget "
    "SET next_slot_at = GREATEST(next_slot_at, statement_timestamp()) "
    "    + make_interval(secs => :span) "
    "WHERE name = :name "
    "RETURNING EXTRACT(EPOCH FROM (next_slot_at - make_interval(secs => :span) "
    "                              - statement_timestamp()))")
_PAUSE = text(
    "UPDATE send_budget "
    "SET next_slot_at = GREATEST(next_slot_at, "
    "                            statement_timestamp() + make_interval(secs => :seconds)) "
    "WHERE name = :name")


async def ensure_budget(*, conn: AsyncConnection, name: str) -> None:
    await conn.execute(_ENSURE, {"name": name})


async def reserve_slots(*, conn: AsyncConnection, name: str, count: int, rate: float) -> float:
    """Reserve ``count`` consecutive slots at ``rate``/s; seconds from now to the first one
    (0 if it is free now). Call :func:`ensure_budget` once before."""
    wait = (await conn.execute(_RESERVE, {"name": name, "span": count / rate})).scalar_one()
    return max(float(wait), 0.0)


async def pause_budget(*, conn: AsyncConnection, name: str, seconds: float) -> None:
    """Nobody's next slot comes before ``seconds`` from now (Telegram's retry_after)."""
    await conn.execute(_PAUSE, {"name": name, "seconds": seconds})
