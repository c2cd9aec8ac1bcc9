"""Loading the case library (content/) into the database, idempotently.

Files own a case's document and its dated history; coordinators own what they add in chat
(hearings, outcomes, news, closing a case). Loading again changes nothing; an edited file updates
its case; rows a coordinator made are never touched.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from content.loader import Library
from content.schema import Authority as AuthorityDoc
from content.schema import Case as CaseDoc
from storage.models import Authority, Case, Event, utcnow


def content_hash(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # cases a coordinator uploaded in chat


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


async def upsert_case(*, session: AsyncSession, case: CaseDoc, origin: str = "content") -> str:
    """Create or update one case and its file-owned timeline; 'created', 'updated' or 'unchanged'."""
    document = case.model_dump(mode="json")
    digest = content_hash(document)
    row = (await session.exec(select(Case).where(Case.slug == case.slug))).first()
    if row is not None and row.content_hash == digest:
        return "unchanged"
    outcome = "updated" if row is not None else "created"
    if row is None:
        row = Case(slug=case.slug, title=case.title.en, data=document, content_hash=digest)
        session.add(row)
    # The English title orders lists and names the case to coordinators; readers get theirs
    # from the document. timezone None: DEFAULT_TIMEZONE applies when the case is shown.
    row.title, row.status, row.timezone = case.title.en, case.status, case.timezone
    row.data, row.content_hash, row.origin, row.updated_at = document, digest, origin, utcnow()
    await session.flush()
    await _sync_timeline(session=session, case_id=row.id, case=case)
    return outcome


async def _sync_timeline(*, session: AsyncSession, case_id: int, case: CaseDoc) -> None:
    existing = {
        event.content_key: event
        for event in (
            await session.exec(select(Event).where(Event.case_id == case_id,
                                                   Event.origin == "content"))
        ).all()
    }
    for entry in case.timeline:
        event = existing.pop(entry.key, None)
        if event is None:
            event = Event(case_id=case_id, origin="content", content_key=entry.key,
                          kind=entry.kind, date=entry.date.first_day)
            session.add(event)
        # A month or a year is stored as its first day only to order the timeline; the bot
        # shows the entry's date, precision and text from the case document (by content_key).
        event.kind, event.date, event.time = entry.kind, entry.date.first_day, entry.time
        event.text, event.court, event.city = entry.text.en, entry.court, entry.city
        event.status, event.updated_at = "held", utcnow()
    if existing:  # entries removed from the file
        ids = [event.id for event in existing.values()]
        await session.exec(delete(Event).where(Event.id.in_(ids)))


async def sync_library(*, session: AsyncSession, library: Library) -> SyncReport:
    report = SyncReport()
    for authority in library.authorities.values():
        await upsert_authority(session=session, authority=authority)
    uploaded = set(
        (await session.exec(select(Case.slug).where(Case.origin == "upload"))).all()
    )
    for slug, case in library.cases.items():
        if slug in uploaded:
            report.skipped.append(slug)
            continue
        getattr(report, await upsert_case(session=session, case=case)).append(slug)
    return report
