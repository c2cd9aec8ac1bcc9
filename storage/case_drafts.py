"""Coordinators' case drafts (:class:`CaseDraft`): one per coordinator, replaced by a new one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CaseDraft

MAX_PASTE_CHARS = 200_000  # the importer reads no more than this


async def get_draft(*, session: AsyncSession, user_id: int) -> CaseDraft | None:
    return await session.get(CaseDraft, user_id)


async def start_draft(*, session: AsyncSession, user_id: int, data: dict[str, Any],
                      now: dt.datetime, editing: str | None = None,
                      authorities: dict[str, Any] | None = None, notes: list | None = None,
                      awaiting: str | None = None, paste: str | None = None) -> CaseDraft:
    """A new draft for this coordinator, replacing the one they had."""
    await discard(session=session, user_id=user_id)
    draft = CaseDraft(user_id=user_id, data=data, authorities=authorities or {},
                      notes=notes or [], editing=editing, awaiting=awaiting, paste=paste,
                      updated_at=now)
    session.add(draft)
    await session.flush()
    return draft


async def save(*, session: AsyncSession, draft: CaseDraft, now: dt.datetime,
               **changes: Any) -> CaseDraft:
    """Write ``changes`` to the draft (JSON columns are replaced, never mutated in place)."""
    for name, value in changes.items():
        setattr(draft, name, value)
    draft.updated_at = now
    session.add(draft)
    await session.flush()
    return draft


async def append_paste(*, session: AsyncSession, draft: CaseDraft, text: str,
                       now: dt.datetime) -> bool:
    """Add one pasted message to the appeal's text; False if that would make it too long."""
    joined = f"{draft.paste}\n{text}" if draft.paste else text
    if len(joined) > MAX_PASTE_CHARS:
        return False
    await save(session=session, draft=draft, now=now, paste=joined)
    return True


async def discard(*, session: AsyncSession, user_id: int) -> None:
    await session.exec(delete(CaseDraft).where(CaseDraft.user_id == user_id))
