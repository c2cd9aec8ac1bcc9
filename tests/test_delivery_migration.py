"""Migration 0002 on a database that already holds deliveries (SQLite and PostgreSQL): every row
gets the telegram channel and no message id; nothing else changes, and it goes back cleanly."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa
from alembic import command
from sqlmodel import select
from sqlmodel.sql.sqltypes import UTCDateTime

from bot.alerts import enqueue_alert
from storage.db import Database, alembic_config, make_engine
from storage.models import Case, Delivery, Subscription, Supporter

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)

# The tables as revision 0001 has them (only the columns written here).
SUPPORTER = sa.table("supporter", sa.column("chat_id"), sa.column("language"),
                     sa.column("joined_at", UTCDateTime()))
CASE = sa.table("case", sa.column("id"), sa.column("slug"), sa.column("title"),
                sa.column("status"), sa.column("timezone"), sa.column("data", sa.JSON()),
                sa.column("content_hash"), sa.column("origin"),
                sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))
SUBSCRIPTION = sa.table("subscription", sa.column("supporter_id"), sa.column("case_id"),
                        sa.column("created_at", UTCDateTime()))
ALERT = sa.table("alert", sa.column("id"), sa.column("case_id"), sa.column("kind"),
                 sa.column("text"), sa.column("created_at", UTCDateTime()),
                 sa.column("recipients"))
DELIVERY = sa.table("delivery", sa.column("alert_id"), sa.column("supporter_id"),
                    sa.column("status"), sa.column("attempts"),
                    sa.column("next_attempt_at", UTCDateTime()),
                    sa.column("sent_at", UTCDateTime()), sa.column("error"))


# Columns later revisions add to the delivery table (0010: corrections, attempts, re-sends).
# Added by later revisions: 0009 (rows held by quiet hours), 0010 (corrections, attempts).
LATER = {"not_before", "edit_message_id", "answers", "retryable"}


def before_later(table: dict) -> dict:
    return {**table, "columns": [c for c in table["columns"] if c not in LATER]}


async def migrate(url: str, revision: str) -> None:
    config = alembic_config(url)
    if revision == "0001":
        await asyncio.to_thread(command.downgrade, config, revision)
    else:
        await asyncio.to_thread(command.upgrade, config, revision)


async def delivery_table(url: str) -> dict:
    """What the database says about the delivery table."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            def describe(sync_conn) -> dict:
                inspector = sa.inspect(sync_conn)
                return {
                    "columns": sorted(c["name"] for c in inspector.get_columns("delivery")),
                    "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                                      for i in inspector.get_indexes("delivery")),
                    "unique": sorted(tuple(u["column_names"])
                                     for u in inspector.get_unique_constraints("delivery")),
                    "foreign_keys": sorted((tuple(f["constrained_columns"]), f["referred_table"],
                                            (f.get("options") or {}).get("ondelete"))
                                           for f in inspector.get_foreign_keys("delivery")),
                }
            return await conn.run_sync(describe)
    finally:
        await engine.dispose()


async def seed_0001(url: str) -> int:
    """Data as a bot on revision 0001 left it: one alert, three deliveries in three states.
    Returns the case's id."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.insert(SUPPORTER), [
                {"chat_id": chat, "language": "en", "joined_at": NOW} for chat in (11, 12, 13)])
            case_id = (await conn.execute(sa.insert(CASE).values(
                slug="kept", title="Kept", status="open", timezone="Asia/Almaty", data={},
                content_hash="x", origin="content", created_at=NOW, updated_at=NOW,
            ).returning(CASE.c.id))).scalar_one()
            await conn.execute(sa.insert(SUBSCRIPTION), [
                {"supporter_id": chat, "case_id": case_id, "created_at": NOW}
                for chat in (11, 12, 13)])
            alert_id = (await conn.execute(sa.insert(ALERT).values(
                case_id=case_id, kind="news", text="Before", created_at=NOW, recipients=3,
            ).returning(ALERT.c.id))).scalar_one()
            await conn.execute(sa.insert(DELIVERY), [
                {"alert_id": alert_id, "supporter_id": 11, "status": "sent", "attempts": 1,
                 "next_attempt_at": NOW, "sent_at": NOW, "error": None},
                {"alert_id": alert_id, "supporter_id": 12, "status": "failed", "attempts": 5,
                 "next_attempt_at": NOW, "sent_at": None, "error": "Bad Gateway"},
                {"alert_id": alert_id, "supporter_id": 13, "status": "pending", "attempts": 0,
                 "next_attempt_at": NOW, "sent_at": None, "error": None},
            ])
        return case_id
    finally:
        await engine.dispose()


async def test_0002_adds_channel_and_message_id_to_existing_deliveries(database_url):
    at_head = await delivery_table(database_url)
    await migrate(database_url, "0001")
    at_0001 = await delivery_table(database_url)
    assert set(at_head["columns"]) - set(at_0001["columns"]) - LATER == {"channel",
                                                                         "message_id"}
    await seed_0001(database_url)

    await migrate(database_url, "0002")
    # Same shape as a fresh database, but for what later revisions add (columns; the index
    # 0012 adds).
    later = {"ix_delivery_alert_status_due"}
    expected = before_later(at_head)
    assert await delivery_table(database_url) == expected | {
        "indexes": [index for index in expected["indexes"] if index[0] not in later]}
    db = Database(database_url)
    try:
        async with db.session() as session:
            rows = (await session.exec(  # the columns 0002 has (later ones come later)
                select(Delivery.supporter_id, Delivery.status, Delivery.attempts,
                       Delivery.error, Delivery.sent_at, Delivery.channel, Delivery.message_id)
                .order_by(Delivery.supporter_id))).all()
        assert [tuple(r) for r in rows] == [
            (11, "sent", 1, None, NOW, "telegram", None),
            (12, "failed", 5, "Bad Gateway", None, "telegram", None),
            (13, "pending", 0, None, None, "telegram", None),
        ]
    finally:
        await db.dispose()

    # the bot (whose models have every later revision's columns) writes to the migrated table
    await migrate(database_url, "head")
    db = Database(database_url)
    try:
        async with db.session() as session:
            case = Case(slug="after", title="After", status="open", data={}, content_hash="x")
            session.add(case)
            await session.flush()
            session.add_all([Supporter(chat_id=chat) for chat in (21, 22, 23)])
            await session.flush()
            session.add_all([Subscription(supporter_id=chat, case_id=case.id)
                             for chat in (21, 22, 23)])
        async with db.session() as session:
            alert = await enqueue_alert(session=session, case_id=case.id, kind="news",
                                        text="After")
        assert alert is not None and alert.recipients == 3
        async with db.session() as session:
            channels = (await session.exec(select(Delivery.channel).where(
                Delivery.alert_id == alert.id))).all()
        assert channels == ["telegram"] * 3
    finally:
        await db.dispose()

    await migrate(database_url, "0001")  # and back, keeping every row
    assert await delivery_table(database_url) == at_0001
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            count = (await conn.execute(sa.text("SELECT count(*) FROM delivery"))).scalar_one()
        assert count == 6
    finally:
        await engine.dispose()
