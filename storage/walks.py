"""Where each coordinator is in a command walked through with buttons (one row per person).

In the database, so a walk survives a restart and works when the next update reaches another
process. ``nonce`` is the row's version: each step writes a new one and :func:`advance` only
succeeds for the caller who saw the current one, so a button of an earlier step (or a double
tap) changes nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect
from storage.models import CoordinatorWalk


def new_nonce() -> str:
    return secrets.token_urlsafe(6)  # 8 characters: short enough for callback data


async def get_walk(*, session: AsyncSession, user_id: int,
                   fresh_after: dt.datetime) -> CoordinatorWalk | None:
    query = select(CoordinatorWalk).where(CoordinatorWalk.user_id == user_id,
                                          col(CoordinatorWalk.updated_at) >= fresh_after)
    return (await session.exec(query)).first()


async def start_walk(*, session: AsyncSession, user_id: int, command: str, step: str,
                     data: dict[str, Any], now: dt.datetime) -> str:
    """Begin (or restart) this person's walk; its nonce."""
    nonce = new_nonce()
    values = {"command": command, "step": step, "nonce": nonce, "data": data, "updated_at": now}
    await dialect.upsert(session, CoordinatorWalk, {"user_id": user_id}, values)
    return nonce


async def advance(*, session: AsyncSession, user_id: int, expect_nonce: str, step: str,
                  data: dict[str, Any], now: dt.datetime) -> str | None:
    """Move the walk on if it is still at ``expect_nonce``; the new nonce, or None."""
    nonce = new_nonce()
    result = await session.exec(
        update(CoordinatorWalk)
        .where(CoordinatorWalk.user_id == user_id, CoordinatorWalk.nonce == expect_nonce)
        .values(step=step, nonce=nonce, data=data, updated_at=now)
        .execution_options(synchronize_session=False))
    return nonce if result.rowcount == 1 else None


async def end_walk(*, session: AsyncSession, user_id: int,
                   expect_nonce: str | None = None) -> bool:
    statement = delete(CoordinatorWalk).where(CoordinatorWalk.user_id == user_id)
    if expect_nonce is not None:
        statement = statement.where(CoordinatorWalk.nonce == expect_nonce)
    return (await session.exec(statement)).rowcount > 0
