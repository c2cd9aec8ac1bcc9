"""Who follows which case."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect
from storage.alerts import drop_pending_deliveries
from storage.models import Case, Subscription, Supporter, utcnow
from storage.supporters import add_supporter

_SUBSCRIBE: dict[str, Any] = {}  # per database kind, built once (a shared link's hot path)


async def subscribe(*, session: AsyncSession, chat_id: int, case_id: int) -> bool:
    """Follow a case; True if this made a new subscription (False if it already existed).

    INSERT … ON CONFLICT DO NOTHING, so two processes racing on a double tap make one row.
    """
    kind = session.bind.dialect.name
    statement = _SUBSCRIBE.get(kind)
    if statement is None:
        statement = _SUBSCRIBE[kind] = (
            dialect.insert(session, Subscription)
            .values(supporter_id=bindparam("chat_id"), case_id=bindparam("case_id"))
            .on_conflict_do_nothing(index_elements=["supporter_id", "case_id"]))
    # Core, in the session's transaction: the ORM would take these parameters for a bulk insert
    result = await (await session.connection()).execute(
        statement, {"chat_id": chat_id, "case_id": case_id})
    return result.rowcount > 0


# PostgreSQL: the person's INSERT is a CTE of the subscription's (built once).
_PERSON = (pg_insert(Supporter)
           .values(chat_id=bindparam("chat_id"), language=bindparam("language"),
                   language_chosen=False, joined_at=bindparam("now"))
           .on_conflict_do_nothing(index_elements=["chat_id"]).cte("person"))
_FOLLOW_PG = (pg_insert(Subscription)
              .values(supporter_id=bindparam("chat_id"), case_id=bindparam("case_id"),
                      created_at=bindparam("now"))
              .on_conflict_do_nothing(index_elements=["supporter_id", "case_id"])
              .add_cte(_PERSON))


async def follow_case(*, session: AsyncSession, chat_id: int, case_id: int,
                      language: str) -> bool:
    """Store the person if new (:func:`storage.supporters.add_supporter`) and
    :func:`subscribe`; True if this made a new subscription. On PostgreSQL one statement (the
    person's INSERT a CTE of the subscription's: the foreign key is checked at its end)."""
    if session.bind.dialect.name != "postgresql":
        await add_supporter(session=session, chat_id=chat_id, language=language)
        return await subscribe(session=session, chat_id=chat_id, case_id=case_id)
    result = await (await session.connection()).execute(_FOLLOW_PG, {
        "chat_id": chat_id, "case_id": case_id, "language": language, "now": utcnow()})
    return result.rowcount > 0


async def unsubscribe(*, session: AsyncSession, chat_id: int, case_id: int) -> bool:
    """Leave a case; alerts about it still queued for this person are dropped too."""
    result = await session.exec(
        delete(Subscription).where(Subscription.supporter_id == chat_id,
                                   Subscription.case_id == case_id)
    )
    await drop_pending_deliveries(session=session, chat_id=chat_id, case_id=case_id)
    return result.rowcount > 0


async def cases_followed(*, session: AsyncSession, chat_id: int) -> Sequence[Case]:
    query = (
        select(Case)
        .join(Subscription, Subscription.case_id == Case.id)
        .where(Subscription.supporter_id == chat_id)
        .order_by(Case.title)
    )
    return (await session.exec(query)).all()


async def count_subscribers(*, session: AsyncSession, case_id: int,
                            active_only: bool = True) -> int:
    query = select(func.count()).select_from(Subscription).where(Subscription.case_id == case_id)
    if active_only:
        query = query.join(Supporter, Supporter.chat_id == Subscription.supporter_id).where(
            Supporter.blocked_at.is_(None)
        )
    return (await session.exec(query)).one()
