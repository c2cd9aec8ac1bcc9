"""Migration 0006 on a database that already holds hearings (SQLite and PostgreSQL): every event
gets ``sequence`` 0, a new row defaults to 0 too, and it goes back cleanly."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa
from alembic import command
from sqlmodel.sql.sqltypes import UTCDateTime

from storage.db import alembic_config, make_engine

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
PREVIOUS = "0005_alert_payload"
CASE = sa.table("case", sa.column("id"), sa.column("slug"), sa.column("title"),
                sa.column("status"), sa.column("data", sa.JSON()), sa.column("content_hash"),
                sa.column("origin"), sa.column("created_at", UTCDateTime()),
                sa.column("updated_at", UTCDateTime()))
EVENT = sa.table("event", sa.column("id"), sa.column("case_id"), sa.column("kind"),
                 sa.column("date", sa.Date()), sa.column("text"), sa.column("origin"),
                 sa.column("status"), sa.column("starts_at", UTCDateTime()),
                 sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))


async def migrate(url: str, revision: str, *, down: bool = False) -> None:
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, alembic_config(url), revision)


async def run(url: str, work):
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            return await work(conn)
    finally:
        await engine.dispose()


def event_row(case_id: int, kind: str) -> dict:
    return {"case_id": case_id, "kind": kind, "date": NOW.date(), "text": "", "status":
            "scheduled", "origin": "coordinator", "starts_at": NOW + dt.timedelta(days=30),
            "created_at": NOW, "updated_at": NOW}


async def test_0006_gives_every_hearing_sequence_zero_and_goes_back(database_url):
    url = database_url  # at head: step back to the revision before 0006, then seed
    await migrate(url, PREVIOUS, down=True)

    async def seed(conn) -> int:
        case_id = (await conn.execute(sa.insert(CASE).values(
            slug="kept", title="Kept", status="open", data={}, content_hash="x",
            origin="content", created_at=NOW, updated_at=NOW).returning(CASE.c.id))).scalar_one()
        await conn.execute(sa.insert(EVENT), [event_row(case_id, "hearing"),
                                              event_row(case_id, "appeal_hearing")])
        return case_id

    case_id = await run(url, seed)
    await migrate(url, "head")

    async def after(conn):
        old = (await conn.execute(sa.text("SELECT kind, sequence FROM event ORDER BY id"))).all()
        await conn.execute(sa.insert(EVENT), [event_row(case_id, "hearing")])  # no sequence given
        new = (await conn.execute(sa.text("SELECT sequence FROM event ORDER BY id DESC"))).first()
        return old, new[0]

    old, new = await run(url, after)
    assert [tuple(row) for row in old] == [("hearing", 0), ("appeal_hearing", 0)]
    assert new == 0

    await migrate(url, PREVIOUS, down=True)

    async def columns(conn):
        return await conn.run_sync(lambda sync: [c["name"] for c in
                                                 sa.inspect(sync).get_columns("event")])
    names = await run(url, columns)
    assert "sequence" not in names and "starts_at" in names
    assert (await run(url, lambda conn: conn.execute(sa.text("SELECT count(*) FROM event")))
            ).scalar_one() == 3
