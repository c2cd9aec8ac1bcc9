"""Loading the case library (content/) into the database, idempotently.

Files own a case's document and its dated history; coordinators own what they add in chat
(hearings, outcomes, news, closing a case). Loading again changes nothing; an edited file updates
its case; rows a coordinator made are never touched.

A file-owned timeline entry that chat additions hang on (an outcome, a reminder, an alert) is
never deleted from under them when the file drops it. If the same edit added exactly one entry
of the same kind on the same day, the entry was renamed (its ``key:`` changed): the additions
move to the new entry and the old one goes. Otherwise the entry stays on the timeline, marked
as no longer in the file (``DROPPED``); should its key come back, the file owns it again.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content.loader import Library
from content.schema import Authority as AuthorityDoc
from content.schema import Case as CaseDoc
from storage.models import Alert, Authority, Case, Event, EventStatus, Reminder, utcnow

FROM_FILE = "content"  # Event.origin of an entry the case file lists
DROPPED = "dropped"  # Event.origin of a file entry kept for what chat added to it
# Rows a coordinator's actions add that point at an event (what keeps an entry alive).
_CHILDREN = ((Event, Event.parent_id), (Reminder, Reminder.event_id), (Alert, Alert.event_id))


def content_hash(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # cases a coordinator uploaded in chat
    # Cases the database refused, each left as it was (slug → the error).
    failed: dict[str, Exception] = field(default_factory=dict)
    kept: dict[str, list[str]] = field(default_factory=dict)  # slug → keys, see CaseSync
    # Stored documents cut to bounds the schema gained since they were stored (name → fields).
    cut: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseSync:
    outcome: str  # created | updated | unchanged
    # Keys of entries the file no longer lists, kept because chat additions hang on them.
    kept: list[str] = field(default_factory=list)


async def upsert_authority(*, session: AsyncSession, authority: AuthorityDoc) -> bool:
    document = authority.model_dump(mode="json")
    digest = content_hash(document)
    row = await session.get(Authority, authority.key)
    if row is None:
        session.add(Authority(key=authority.key, data=document, content_hash=digest))
        return True
    if row.content_hash != digest:
        row.data, row.content_hash = document, digest
        return True
    return False


async def upsert_case(*, session: AsyncSession, case: CaseDoc,
                      origin: str = "content") -> CaseSync:
    """Create or update one case and its file-owned timeline."""
    document = case.model_dump(mode="json")
    digest = content_hash(document)
    row = (await session.exec(select(Case).where(Case.slug == case.slug))).first()
    if row is not None and row.content_hash == digest:
        return CaseSync("unchanged")
    outcome = "updated" if row is not None else "created"
    if row is None:
        row = Case(slug=case.slug, title=case.title.en, data=document, content_hash=digest)
        session.add(row)
    # The English title orders lists and names the case to coordinators; readers get theirs
    # from the document. timezone None: DEFAULT_TIMEZONE applies when the case is shown.
    row.title, row.status, row.timezone = case.title.en, case.status, case.timezone
    row.data, row.content_hash, row.origin, row.updated_at = document, digest, origin, utcnow()
    await session.flush()
    kept = await _sync_timeline(session=session, case_id=row.id, case=case)
    return CaseSync(outcome, kept)


async def _sync_timeline(*, session: AsyncSession, case_id: int, case: CaseDoc) -> list[str]:
    """The file's entries onto the case's timeline; the keys of dropped entries kept."""
    existing = {
        event.content_key: event
        for event in (
            await session.exec(select(Event).where(Event.case_id == case_id,
                                                   col(Event.origin).in_((FROM_FILE, DROPPED))))
        ).all()
    }
    added: list[Event] = []
    for entry in case.timeline:
        event = existing.pop(entry.key, None)
        if event is None:
            event = Event(case_id=case_id, content_key=entry.key, kind=entry.kind,
                          date=entry.date.first_day)
            session.add(event)
            added.append(event)
        # A month or a year is stored as its first day only to order the timeline; the bot
        # shows the entry's date, precision and text from the case document (by content_key).
        event.kind, event.date, event.time = entry.kind, entry.date.first_day, entry.time
        event.text, event.court, event.city = entry.text.en, entry.court, entry.city
        event.origin, event.status, event.updated_at = FROM_FILE, EventStatus.HELD, utcnow()
    if not existing:
        return []
    await session.flush()  # ids for the new entries, which may inherit from the gone ones
    anchored = await _anchored(session, [event.id for event in existing.values()])
    gone, kept = [], []
    for event in existing.values():
        if event.id not in anchored:
            gone.append(event.id)
            continue
        successors = [new for new in added if (new.kind, new.date) == (event.kind, event.date)]
        if len(successors) == 1:  # renamed: the additions follow the entry to its new key
            await _move_children(session, event.id, successors[0].id)
            gone.append(event.id)
        else:
            event.origin, event.updated_at = DROPPED, utcnow()
            kept.append(event.content_key)
    if gone:
        await session.exec(delete(Event).where(col(Event.id).in_(gone)))
    return sorted(kept)


async def _anchored(session: AsyncSession, ids: list[int]) -> set[int]:
    """Those of ``ids`` that an outcome, a reminder or an alert points at."""
    found: set[int] = set()
    for model, column in _CHILDREN:
        found.update((await session.exec(select(column).where(col(column).in_(ids)))).all())
    return found


async def _move_children(session: AsyncSession, old_id: int, new_id: int) -> None:
    for model, column in _CHILDREN:
        await session.exec(update(model).where(column == old_id).values({column.key: new_id}))


_CUTTABLE = ("too_long", "string_too_long")


def cut_to_bounds(model: type[BaseModel], document: dict) -> tuple[dict, list[str]] | None:
    """``document`` (valid when it was stored) cut to the length bounds ``model`` has now, and
    the fields cut; None if it has problems other than length."""
    fields: list[str] = []
    for _ in range(3):  # cutting a list can only leave its items' own bounds to cut
        try:
            model.model_validate(document)
            return document, fields
        except ValidationError as error:
            problems = error.errors()
        if any(problem["type"] not in _CUTTABLE for problem in problems):
            return None
        document = copy.deepcopy(document)
        for problem in sorted(problems, key=lambda p: -len(p["loc"])):  # items before lists
            *path, last = problem["loc"]
            parent = document
            for key in path:
                parent = parent[key]
            limit = problem["ctx"]["max_length"]
            value = parent[last]
            parent[last] = value[:limit] if isinstance(value, list) else value[:limit - 1] + "…"
            fields.append(".".join(str(part) for part in problem["loc"]))
    return None


async def _fit_stored_documents(session: AsyncSession, report: SyncReport) -> None:
    """Stored case and authority documents within today's schema, so every reader can load
    them (a case uploaded before a bound was added stays in service, cut to it)."""
    for row_model, doc_model, name in ((Case, CaseDoc, "slug"), (Authority, AuthorityDoc, "key")):
        for row in (await session.exec(select(row_model))).all():
            fitted = cut_to_bounds(doc_model, row.data)
            if fitted is not None and fitted[1]:
                row.data, row.content_hash = fitted[0], content_hash(fitted[0])
                session.add(row)
                report.cut[getattr(row, name)] = fitted[1]


async def sync_library(*, session: AsyncSession, library: Library) -> SyncReport:
    """Every case in its own savepoint: one the database refuses is rolled back alone and
    reported in ``failed``; the others load."""
    report = SyncReport()
    await _fit_stored_documents(session, report)
    for authority in library.authorities.values():
        await upsert_authority(session=session, authority=authority)
    stored = {slug: (digest, origin) for slug, digest, origin in (
        await session.exec(select(Case.slug, Case.content_hash, Case.origin))).all()}
    for slug, case in library.cases.items():
        digest, origin = stored.get(slug, (None, None))
        if origin == "upload":
            report.skipped.append(slug)
            continue
        # The common start: nothing changed, so no savepoint and no per-case query.
        if digest is not None and digest == content_hash(case.model_dump(mode="json")):
            report.unchanged.append(slug)
            continue
        try:
            async with session.begin_nested():
                synced = await upsert_case(session=session, case=case)
        except Exception as error:  # noqa: BLE001 - one case must not stop the others
            report.failed[slug] = error
            continue
        getattr(report, synced.outcome).append(slug)
        if synced.kept:
            report.kept[slug] = synced.kept
    return report


def describe_failure(error: Exception) -> str:
    """One short line for the log: the database's own words, without the SQL and its values."""
    reason = getattr(error, "orig", None) or error
    text = " ".join(str(reason).split())
    return f"{type(reason).__name__}: {text[:200]}"
