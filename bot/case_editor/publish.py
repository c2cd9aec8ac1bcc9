"""Publishing a draft: the same path as a case file sent in chat (checked, stored as an upload,
audited), with the authorities the draft adds written to the directory first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.case_editor.document import check, check_authority
from content.errors import ContentError
from content.schema import Authority
from storage import audit
from storage.authorities import all_authorities
from storage.case_drafts import discard
from storage.library_sync import upsert_authority, upsert_case
from storage.models import Case, CaseDraft


@dataclass(frozen=True)
class Published:
    errors: list[ContentError] = field(default_factory=list)
    slug: str | None = None
    title: str | None = None
    outcome: str | None = None  # created | updated | unchanged
    taken: bool = False  # the slug belongs to another case
    renamed: bool = False  # an edited case's slug changed: its deep links would break


async def directory_with(session: AsyncSession, draft: CaseDraft
                         ) -> tuple[dict[str, Authority], list[ContentError]]:
    """The directory plus the draft's new authorities (those that pass the schema)."""
    directory = dict(await all_authorities(session=session))
    errors: list[ContentError] = []
    for document in draft.authorities.values():
        authority, problems = check_authority(document)
        if authority is None:
            errors.extend(problems)
        else:
            directory[authority.key] = authority
    return directory, errors


async def publish(*, session: AsyncSession, draft: CaseDraft, actor_id: int,
                  now: dt.datetime) -> Published:
    directory, authority_errors = await directory_with(session, draft)
    case, errors = check(draft.data, directory)
    errors = authority_errors + errors
    if case is None or errors:
        return Published(errors=errors)
    if draft.editing is not None and case.slug != draft.editing:
        return Published(slug=draft.editing, renamed=True)
    existing = (await session.exec(select(Case).where(Case.slug == case.slug))).first()
    if existing is not None and draft.editing != case.slug:
        return Published(slug=case.slug, taken=True)
    for document in draft.authorities.values():
        authority = directory[document["key"]]
        if await upsert_authority(session=session, authority=authority):
            await audit.record(session=session, actor_id=actor_id, action="add_authority",
                               detail=f"{authority.key} for {case.slug}", now=now)
    synced = await upsert_case(session=session, case=case, origin="upload")
    await audit.record(session=session, actor_id=actor_id, action="publish_case",
                       detail=f"{case.slug} ({synced.outcome}) from the case editor", now=now)
    await discard(session=session, user_id=draft.user_id)
    return Published(slug=case.slug, title=case.title.en, outcome=synced.outcome)
