"""Migration 0003 on SQLite and PostgreSQL: a case stored in the old format (an upload, which
loading the files never rewrites) becomes a valid document of the new format, and back."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from alembic import command
from conftest import (
    DATABASES,
    drop_postgres_database,
    ensure_postgres_running,
    fresh_postgres_database,
)
from sqlalchemy import text

from content.loader import load_library
from content.schema import Case as CaseDoc
from storage.db import Database, alembic_config
from storage.models import Authority, Case

LIBRARY, _ = load_library()


def _old_document() -> dict:
    """Kharkova as the previous schema stored it: plain texts, the zone written out."""
    document = LIBRARY.cases["kharkova"].model_dump(mode="json", exclude={"report_to"})
    document["title"] = document["title"]["en"]
    document["summary"] = document["summary"]["en"]
    document["timezone"] = "Asia/Almaty"
    for entry in document["timeline"]:
        entry["text"] = entry["text"]["en"]
        del entry["precision"], entry["derived"]
    return document


@pytest.fixture(params=DATABASES)
async def bare_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    ensure_postgres_running()
    url, name = await fresh_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(name)


async def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, alembic_config(url), revision)


async def test_old_documents_move_to_the_new_format_and_back(bare_url):
    await _migrate(bare_url, "0001")
    database = Database(bare_url)
    try:
        async with database.session() as session:
            await session.exec(text(
                "INSERT INTO \"case\" (slug, title, status, timezone, data, content_hash, origin, "
                "created_at, updated_at) VALUES ('old-upload', 'Old', 'open', 'Asia/Almaty', "
                ":data, 'x', 'upload', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)").bindparams(
                    sa.bindparam("data", _old_document(), type_=sa.JSON)))
        await _migrate(bare_url, "0003")
        async with database.session() as session:
            row = (await session.exec(text("SELECT data, timezone FROM \"case\"")
                                      .columns(data=sa.JSON, timezone=sa.String))).one()
            session.add(Case(slug="no-zone", title="No zone", data={}, content_hash="y"))
            session.add(Authority(key="k", data={}, content_hash="z", verified_by=2**40))
        document = CaseDoc.model_validate(row[0])
        original = LIBRARY.cases["kharkova"]
        assert document.title.en == document.title.ru == original.title.en
        assert document.summary.en == original.summary.en and document.summary.ru is None
        assert [e.text.en for e in document.timeline] == [e.text.en for e in original.timeline]
        assert document.timezone == row[1] == "Asia/Almaty"  # an upload keeps its zone

        async with database.session() as session:
            await session.exec(text("DELETE FROM authority"))
        await _migrate(bare_url, "0001", down=True)
        async with database.session() as session:
            rows = (await session.exec(text(
                "SELECT slug, data, timezone FROM \"case\" ORDER BY slug").columns(
                    slug=sa.String, data=sa.JSON, timezone=sa.String))).all()
        back = {slug: (data, zone) for slug, data, zone in rows}
        assert back["old-upload"][0]["title"] == original.title.en
        assert back["old-upload"][0]["timeline"][0]["text"] == original.timeline[0].text.en
        assert back["no-zone"][1] == "Asia/Almaty"  # NOT NULL again
    finally:
        await database.dispose()
