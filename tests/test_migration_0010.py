"""Migration 0010 on a database that already holds deliveries (SQLite and PostgreSQL): every row
gets ``answers = attempts`` (nothing is claimed about its history: no "may have received it
twice"), is not retryable and edits nothing; and it goes back cleanly, keeping every row."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import command
from test_delivery_migration import LATER, delivery_table, migrate, seed_0001

from storage.db import alembic_config, make_engine


async def rows(url: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in (await conn.execute(sa.text(
                "SELECT supporter_id, status, attempts, answers, retryable, edit_message_id "
                "FROM delivery ORDER BY supporter_id"))).all()]
    finally:
        await engine.dispose()


async def test_0010_counts_existing_attempts_as_answered_and_goes_back(database_url):
    await migrate(database_url, "0001")
    await seed_0001(database_url)
    await migrate(database_url, "head")
    assert [(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in await rows(database_url)] == [
        (11, "sent", 1, 1, False, None),
        (12, "failed", 5, 5, False, None),
        (13, "pending", 0, 0, False, None),
    ]
    at_head = await delivery_table(database_url)
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0009")  # before 0010
    before = await delivery_table(database_url)
    assert set(at_head["columns"]) - set(before["columns"]) == LATER - {"not_before"}
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            count = (await conn.execute(sa.text("SELECT count(*) FROM delivery"))).scalar_one()
        assert count == 3
    finally:
        await engine.dispose()
