"""The one place that knows SQLite and PostgreSQL spell ``INSERT … ON CONFLICT`` apart."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession


def insert(session: AsyncSession, table: Any) -> Any:
    """``INSERT INTO table`` with ``on_conflict_do_nothing/do_update`` for the session's database."""
    build = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    return build(table)


async def upsert(session: AsyncSession, table: Any, key: dict[str, Any],
                 values: dict[str, Any]) -> None:
    """Insert the row ``key`` + ``values``; if a row with that ``key`` exists, set its
    ``values`` instead (``INSERT … ON CONFLICT (key) DO UPDATE``)."""
    statement = insert(session, table).values(**key, **values)
    await session.exec(statement.on_conflict_do_update(index_elements=list(key), set_=values))
