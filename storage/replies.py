"""Authorities' answers supporters shared: stored per case, never with who shared them.

The wait (a supporter agreed and the bot expects the answer next) is the one link to a person,
and it goes as soon as the answer arrives (or with /forget, or after ``WAIT_TTL``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect
from storage.models import AuthorityReply, ReplyWait

WAIT_TTL = dt.timedelta(hours=24)
KINDS = ("text", "photo", "document")


async def start_waiting(*, session: AsyncSession, chat_id: int, case_id: int,
                        now: dt.datetime) -> None:
    await dialect.upsert(session, ReplyWait, {"chat_id": chat_id},
                         {"case_id": case_id, "created_at": now})


async def stop_waiting(*, session: AsyncSession, chat_id: int) -> bool:
    result = await session.exec(delete(ReplyWait).where(ReplyWait.chat_id == chat_id))
    return result.rowcount > 0


async def waiting_case(*, session: AsyncSession, chat_id: int, now: dt.datetime) -> int | None:
    """The case this person is about to send an answer for, or None (an old wait is dropped)."""
    wait = await session.get(ReplyWait, chat_id)
    if wait is None:
        return None
    if wait.created_at < now - WAIT_TTL:
        await session.delete(wait)
        return None
    return wait.case_id


async def take_reply(*, session: AsyncSession, chat_id: int, case_id: int, kind: str,
                     text: str | None, file_id: str | None, now: dt.datetime) -> int:
    """Store the answer (without the sender) and end the wait; the case's reply count."""
    if kind not in KINDS:
        raise ValueError(kind)
    session.add(AuthorityReply(case_id=case_id, kind=kind, text=text, file_id=file_id,
                               created_at=now))
    await stop_waiting(session=session, chat_id=chat_id)
    await session.flush()
    return await count_replies(session=session, case_id=case_id)


async def count_replies(*, session: AsyncSession, case_id: int) -> int:
    query = select(func.count()).select_from(AuthorityReply).where(
        AuthorityReply.case_id == case_id)
    return (await session.exec(query)).one()


async def replies_page(*, session: AsyncSession, case_id: int, page: int,
                       size: int) -> Sequence[AuthorityReply]:
    """The case's replies, newest first, ``size`` a page."""
    query = (select(AuthorityReply).where(AuthorityReply.case_id == case_id)
             .order_by(AuthorityReply.id.desc()).offset(page * size).limit(size))
    return (await session.exec(query)).all()
