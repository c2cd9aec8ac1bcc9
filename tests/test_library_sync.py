"""Loading content/ into the database: idempotent, updates edits, never overwrites chat additions."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from content.loader import Library, load_library
from content.schema import Case as CaseDoc
from content.schema import Title
from storage.library_sync import DROPPED, cut_to_bounds, describe_failure, sync_library
from storage.models import Alert, Authority, Case, Event, Reminder


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


# ----- chat additions on file entries; one case the database refuses ------------------------

async def _case_and_hearing(session, slug: str, key: str) -> tuple[Case, Event]:
    case = (await session.exec(select(Case).where(Case.slug == slug))).one()
    event = (await session.exec(select(Event).where(Event.case_id == case.id,
                                                    Event.content_key == key))).one()
    return case, event


async def _add_outcome_reminder_alert(session, case: Case, hearing: Event) -> Event:
    outcome = Event(case_id=case.id, kind="outcome", date=hearing.date, text="Upheld",
                    origin="coordinator", parent_id=hearing.id)
    session.add(outcome)
    session.add(Reminder(event_id=hearing.id, offset_minutes=60, status="sent",
                         due_at=dt.datetime(2017, 1, 21, tzinfo=dt.UTC)))
    session.add(Alert(case_id=case.id, event_id=hearing.id, kind="reminder", text="Soon"))
    await session.flush()
    return outcome


def _with_timeline(library: Library, slug: str, timeline) -> Library:
    case = library.cases[slug].model_copy(update={"timeline": timeline})
    return Library(cases=dict(library.cases, **{slug: case}), authorities=library.authorities)


async def test_an_entry_with_chat_additions_is_kept_when_the_file_drops_it(db):
    library = _library()
    slug, key = "kushakbayev-eleusinov", "strikers-fined"
    async with db.session() as session:
        await sync_library(session=session, library=library)
        case, hearing = await _case_and_hearing(session, slug, key)
        outcome = await _add_outcome_reminder_alert(session, case, hearing)
    timeline = library.cases[slug].timeline
    dropped = _with_timeline(library, slug, [e for e in timeline if e.key != key])
    async with db.session() as session:
        report = await sync_library(session=session, library=dropped)
    assert report.updated == [slug] and report.kept == {slug: [key]} and not report.failed
    async with db.session() as session:
        _, kept = await _case_and_hearing(session, slug, key)
        assert kept.id == hearing.id and kept.origin == DROPPED
        assert (await session.get(Event, outcome.id)).parent_id == hearing.id
        assert len((await session.exec(select(Reminder))).all()) == 1

    async with db.session() as session:  # the key comes back: the file owns the entry again
        report = await sync_library(session=session, library=library)
    assert report.updated == [slug] and report.kept == {}
    async with db.session() as session:
        _, back = await _case_and_hearing(session, slug, key)
    assert back.id == hearing.id and back.origin == "content"


async def test_a_renamed_key_takes_the_chat_additions_along(db):
    library = _library()
    slug, key = "kushakbayev-eleusinov", "strikers-fined"
    async with db.session() as session:
        await sync_library(session=session, library=library)
        case, hearing = await _case_and_hearing(session, slug, key)
        outcome = await _add_outcome_reminder_alert(session, case, hearing)
    renamed = _with_timeline(library, slug, [
        e.model_copy(update={"key": "fines"}) if e.key == key else e
        for e in library.cases[slug].timeline])
    async with db.session() as session:
        report = await sync_library(session=session, library=renamed)
    assert report.updated == [slug] and report.kept == {}
    async with db.session() as session:
        _, new = await _case_and_hearing(session, slug, "fines")
        assert await session.get(Event, hearing.id) is None
        assert (await session.get(Event, outcome.id)).parent_id == new.id
        assert [r.event_id for r in (await session.exec(select(Reminder))).all()] == [new.id]
        assert [a.event_id for a in (await session.exec(select(Alert))).all()] == [new.id]


async def test_a_case_the_database_refuses_is_rolled_back_alone(db):
    library = _library()
    async with db.session() as session:
        await sync_library(session=session, library=library)
    # Two entries with one key get past a model_copy (no validation) but not the database.
    mamay = library.cases["mamay"]
    broken = mamay.model_copy(update={"title": "Broken title",
                                      "timeline": [mamay.timeline[0], mamay.timeline[0]]})
    kharkova = library.cases["kharkova"].model_copy(update={"title": "Edited title"})
    edited = Library(cases={"mamay": broken, "kharkova": kharkova},
                     authorities=library.authorities)
    async with db.session() as session:
        report = await sync_library(session=session, library=edited)
    assert list(report.failed) == ["mamay"] and report.updated == ["kharkova"]
    reason = describe_failure(report.failed["mamay"])  # the database's words, not its SQL
    assert "unique" in reason.lower() and "INSERT" not in reason and "\n" not in reason
    async with db.session() as session:
        titles = dict((await session.exec(select(Case.slug, Case.title))).all())
        events = (await session.exec(select(Event).join(Case).where(Case.slug == "mamay"))).all()
    assert titles["kharkova"] == "Edited title"
    assert titles["mamay"] == mamay.title  # left as it was
    assert len(events) == len(mamay.timeline)


def test_stored_documents_are_cut_to_bounds_added_since_but_not_otherwise_changed():
    library = _library()
    document = library.cases["kharkova"].model_dump(mode="json")
    document["people"] = [dict(document["people"][0], role="R" * 400) for _ in range(25)]
    cut, fields = cut_to_bounds(CaseDoc, document)
    assert len(cut["people"]) == 20 and all(len(p["role"]) == 300 for p in cut["people"])
    assert cut["people"][0]["role"].endswith("…") and "people" in fields
    assert CaseDoc.model_validate(cut).summary == library.cases["kharkova"].summary
    assert cut_to_bounds(CaseDoc, library.cases["kharkova"].model_dump(mode="json"))[1] == []
    assert cut_to_bounds(CaseDoc, dict(document, status="maybe")) is None  # not a length


async def test_a_stored_case_beyond_the_bounds_is_cut_at_the_next_sync(db):
    library = _library()
    async with db.session() as session:
        await sync_library(session=session, library=library)
        case = (await session.exec(select(Case).where(Case.slug == "mamay"))).one()
        case.data = dict(case.data, codes=[f"KAZ {n}" for n in range(30)])
        case.origin = "upload"  # an upload, so the files do not overwrite it
    async with db.session() as session:
        report = await sync_library(session=session, library=library)
    assert report.cut == {"mamay": ["codes"]}
    async with db.session() as session:
        case = (await session.exec(select(Case).where(Case.slug == "mamay"))).one()
    assert case.data["codes"] == [f"KAZ {n}" for n in range(10)]
    CaseDoc.model_validate(case.data)
