"""Letters supporters said they sent: recording them and counting them.

A :class:`~storage.models.LetterAction` holds the case, the addressee, the channel, the language
and the time — never the text and never the signature. After /forget its ``supporter_id`` is
NULL: the letter keeps counting, no longer linked to anyone.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import LetterAction, utcnow


class LetterCount(NamedTuple):
    case_id: int
    authority_key: str
    letters: int


async def record_letter(*, session: AsyncSession, chat_id: int | None, case_id: int,
                        authority_key: str, channel: str, language: str) -> LetterAction:
    """Note that someone sent a letter. The caller makes sure the supporter row exists."""
    action = LetterAction(case_id=case_id, authority_key=authority_key, channel=channel,
                          language=language, supporter_id=chat_id, created_at=utcnow())
    session.add(action)
    await session.flush()
    return action


async def count_letters(*, session: AsyncSession, case_id: int, authority_key: str,
                        up_to_id: int | None = None) -> int:
    """Letters recorded to this addressee about this case (up to a given letter, if asked).

    ``up_to_id`` turns the count into a letter's place in line: the 37th letter is the one with
    36 earlier rows, whatever was recorded after it.
    """
    query = select(func.count()).select_from(LetterAction).where(
        LetterAction.case_id == case_id, LetterAction.authority_key == authority_key)
    if up_to_id is not None:
        query = query.where(col(LetterAction.id) <= up_to_id)
    return (await session.exec(query)).one()


async def letter_counts(*, session: AsyncSession, case_id: int | None = None) -> list[LetterCount]:
    """Letters per case and addressee (for one case, or all), most written-to first.

    Letters of people who used /forget still count: only their link to the person is gone.
    """
    letters = func.count(col(LetterAction.id))
    query = select(LetterAction.case_id, LetterAction.authority_key, letters).group_by(
        LetterAction.case_id, LetterAction.authority_key)
    if case_id is not None:
        query = query.where(LetterAction.case_id == case_id)
    query = query.order_by(LetterAction.case_id, letters.desc(), LetterAction.authority_key)
    rows = (await session.exec(query)).all()
    return [LetterCount(case_id=row[0], authority_key=row[1], letters=row[2]) for row in rows]


async def written_authorities(*, session: AsyncSession, chat_id: int, case_id: int) -> set[str]:
    """The addressees this supporter already wrote to about this case."""
    query = select(LetterAction.authority_key).where(
        LetterAction.supporter_id == chat_id, LetterAction.case_id == case_id).distinct()
    return set((await session.exec(query)).all())


class MyLetters(NamedTuple):
    case_id: int
    authority_key: str
    letters: int
    last: dt.datetime


async def letters_of(*, session: AsyncSession, chat_id: int) -> list[MyLetters]:
    """This supporter's letters per case and addressee, with the latest date (for /mystats and
    the thanks in an outcome alert)."""
    query = (select(LetterAction.case_id, LetterAction.authority_key,
                    func.count(col(LetterAction.id)), func.max(LetterAction.created_at))
             .where(LetterAction.supporter_id == chat_id)
             .group_by(LetterAction.case_id, LetterAction.authority_key)
             .order_by(LetterAction.case_id, LetterAction.authority_key))
    return [MyLetters(*row) for row in (await session.exec(query)).all()]


class LatestLetter(NamedTuple):
    authority_key: str
    created_at: dt.datetime


async def latest_letters(*, session: AsyncSession, chat_ids: list[int],
                         case_ids: list[int]) -> dict[tuple[int, int], LatestLetter]:
    """(supporter, case) → that supporter's latest letter on the case, for these people and
    cases (a delivery batch: a few hundred at most)."""
    if not chat_ids or not case_ids:
        return {}
    query = (select(LetterAction.supporter_id, LetterAction.case_id, LetterAction.authority_key,
                    LetterAction.created_at)
             .where(col(LetterAction.supporter_id).in_(chat_ids),
                    col(LetterAction.case_id).in_(case_ids))
             .order_by(LetterAction.created_at, LetterAction.id))
    latest = {}
    for supporter_id, case_id, key, created_at in (await session.exec(query)).all():
        latest[(supporter_id, case_id)] = LatestLetter(key, created_at)
    return latest


async def totals_by_case(*, session: AsyncSession, case_ids: list[int]) -> dict[int, int]:
    query = (select(LetterAction.case_id, func.count(col(LetterAction.id)))
             .where(col(LetterAction.case_id).in_(case_ids)).group_by(LetterAction.case_id))
    return dict((await session.exec(query)).all())
