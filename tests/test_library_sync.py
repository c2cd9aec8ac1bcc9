"""Loading content/ into the database: idempotent, updates edits, never overwrites chat additions."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from content.loader import Library, load_library
from content.schema import Title
from storage.library_sync import sync_library
from storage.models import Authority, Case, Event


def _library() -> Library:
    library, errors = load_library()
    assert errors == []
    return library


async def _snapshot(db):
    async with db.session() as session:
        cases = {(c.slug, c.content_hash, c.updated_at) for c in (await session.exec(select(Case))).all()}
        events = {(e.id, e.content_key, e.text) for e in (await session.exec(select(Event))).all()}
        authorities = {(a.key, a.content_hash) for a in (await session.exec(select(Authority))).all()}
    return cases, events, authorities


async def test_loading_twice_changes_nothing(db):
    library = _library()
    async with db.session() as session:
        first = await sync_library(session=session, library=library)
    assert len(first.created) == len(library.cases) >= 10
    before = await _snapshot(db)
    async with db.session() as session:
        second = await sync_library(session=session, library=library)
    assert second.created == [] and second.updated == []
    assert len(second.unchanged) == len(library.cases)
    assert await _snapshot(db) == before


async def test_edited_file_updates_its_case_and_keeps_coordinator_events(db):
    library = _library()
    async with db.session() as session:
        await sync_library(session=session, library=library)
        case = (await session.exec(select(Case).where(Case.slug == "kharkova"))).one()
        session.add(Event(case_id=case.id, kind="hearing", date=dt.date(2030, 1, 2),
                          origin="coordinator", status="scheduled", text="Appeal hearing",
                          starts_at=dt.datetime(2030, 1, 2, 5, tzinfo=dt.UTC)))
        case.closed_note = "kept"

    original = library.cases["kharkova"]
    removed_key = original.timeline[0].key
    edited = original.model_copy(update={
        "title": Title(en="Larisa Kharkova (edited)", ru="Лариса Харькова (изменено)"),
        "timeline": original.timeline[1:],
    })
    cases = dict(library.cases, kharkova=edited)
    async with db.session() as session:
        report = await sync_library(session=session,
                                    library=Library(cases=cases, authorities=library.authorities))
    assert report.updated == ["kharkova"]
    async with db.session() as session:
        case = (await session.exec(select(Case).where(Case.slug == "kharkova"))).one()
        events = (await session.exec(select(Event).where(Event.case_id == case.id))).all()
    assert case.title == "Larisa Kharkova (edited)"
    assert case.closed_note == "kept"
    keys = {event.content_key for event in events}
    assert removed_key not in keys
    assert len([e for e in events if e.origin == "content"]) == len(original.timeline) - 1
    assert [e.text for e in events if e.origin == "coordinator"] == ["Appeal hearing"]


async def test_case_uploaded_in_chat_is_not_overwritten_by_files(db):
    library = _library()
    async with db.session() as session:
        await sync_library(session=session, library=library)
        case = (await session.exec(select(Case).where(Case.slug == "kharkova"))).one()
        case.origin, case.title, case.content_hash = "upload", "Uploaded title", "x"
    async with db.session() as session:
        report = await sync_library(session=session, library=library)
    assert report.skipped == ["kharkova"]
    async with db.session() as session:
        case = (await session.exec(select(Case).where(Case.slug == "kharkova"))).one()
    assert case.title == "Uploaded title"
