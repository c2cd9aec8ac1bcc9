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
