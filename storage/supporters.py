"""Queries about supporters: the least the bot must know to talk to a person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from content.languages import INTERFACE_LANGUAGES
from storage import dialect
from storage.models import LetterAction, Supporter, utcnow


async def ensure_supporter(*, session: AsyncSession, chat_id: int, language: str = "en") -> Supporter:
    """The supporter row for this chat, created on first need; a returning person is unblocked."""
    supporter = await session.get(Supporter, chat_id)
    if supporter is None:
        supporter = Supporter(chat_id=chat_id, language=language)
        session.add(supporter)
        await session.flush()
    elif supporter.blocked_at is not None:
        supporter.blocked_at = None
    return supporter


_ADD: dict[str, Any] = {}  # per database kind, built once


async def add_supporter(*, session: AsyncSession, chat_id: int, language: str) -> None:
    """Store this person if they are not stored yet; nothing changes if they are. One INSERT …
    ON CONFLICT DO NOTHING, no ORM object (a newcomer's /start: bench/burst_bench.py)."""
    kind = session.bind.dialect.name
    statement = _ADD.get(kind)
    if statement is None:
        statement = _ADD[kind] = (
            dialect.insert(session, Supporter)
            .values(chat_id=bindparam("chat_id"), language=bindparam("language"),
                    language_chosen=False, joined_at=bindparam("joined_at"))
            .on_conflict_do_nothing(index_elements=["chat_id"]))
    await (await session.connection()).execute(
        statement, {"chat_id": chat_id, "language": language, "joined_at": utcnow()})


async def get_supporter(*, session: AsyncSession, chat_id: int) -> Supporter | None:
    return await session.get(Supporter, chat_id)


async def interface_language(*, session: AsyncSession, chat_id: int, detected: str) -> str:
    """The language to answer this person in: their /language choice, else ``detected`` (from
    their Telegram client). Stores nothing about someone the bot does not know yet; a stored
    language nobody chose follows ``detected``, so alerts go out in the language they use."""
    return _language_of(await session.get(Supporter, chat_id), detected)


_ARRIVAL = select(Supporter.language, Supporter.language_chosen, Supporter.blocked_at).where(
    Supporter.chat_id == bindparam("chat_id"))  # built once: every update reads it


async def arrival(*, conn: AsyncConnection, chat_id: int, detected: str) -> tuple[str, bool]:
    """A person wrote in their private chat: :func:`mark_reachable` and
    :func:`interface_language` with one read (an UPDATE only when something changes), on an
    autocommit connection; also whether they were stored already."""
    row = (await conn.execute(_ARRIVAL, {"chat_id": chat_id})).first()
    if row is None:
        return detected, False
    language, chosen, blocked_at = row
    changes: dict[str, Any] = {} if blocked_at is None else {"blocked_at": None}
    if chosen and language in INTERFACE_LANGUAGES:
        answer = language
    else:  # a language nobody chose follows the client's
        answer = detected
        if language != detected:
            changes["language"] = detected
    if changes:
        await conn.execute(update(Supporter).where(Supporter.chat_id == chat_id)
                           .values(**changes))
    return answer, True


def _language_of(supporter: Supporter | None, detected: str) -> str:
    if supporter is None:
        return detected
    if supporter.language_chosen and supporter.language in INTERFACE_LANGUAGES:
        return supporter.language
    if supporter.language != detected:
        supporter.language = detected
    return detected


async def choose_language(*, session: AsyncSession, chat_id: int, language: str) -> None:
    """Remember the language this person chose (the first thing stored about them, if it is)."""
    supporter = await ensure_supporter(session=session, chat_id=chat_id, language=language)
    supporter.language, supporter.language_chosen = language, True


async def mark_reachable(*, session: AsyncSession, chat_id: int) -> None:
    """The person wrote to us, so they have not blocked the bot (any more). Read first: this
    runs for every update, and an UPDATE, even of no row, takes SQLite's write lock, so
    people writing at once would queue behind each other for nothing."""
    supporter = await session.get(Supporter, chat_id)
    if supporter is not None and supporter.blocked_at is not None:
        supporter.blocked_at = None


async def mark_blocked(*, session: AsyncSession, chat_id: int) -> None:
    await session.exec(
        update(Supporter)
        .where(Supporter.chat_id == chat_id, Supporter.blocked_at.is_(None))
        .values(blocked_at=utcnow())
    )


async def forget_supporter(*, session: AsyncSession, chat_id: int) -> bool:
    """Delete everything held about this person. Letter counts stay, without the link to them.

    Subscriptions, wizard state and pending deliveries go with the supporter row (ON DELETE
    CASCADE); letters they recorded keep counting but no longer point at them.
    """
    await session.exec(
        update(LetterAction).where(LetterAction.supporter_id == chat_id).values(supporter_id=None)
    )
    result = await session.exec(delete(Supporter).where(Supporter.chat_id == chat_id))
    return result.rowcount > 0
