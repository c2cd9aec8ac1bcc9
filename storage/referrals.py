"""Personal referral codes: a random code per supporter (made only when they ask for their link)
and how many people joined through it. Who joined is never stored against the referrer; the
row cascades with the supporter (/forget)."""

from __future__ import annotations

import secrets
import string

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Referral

CODE_LENGTH = 8
# Letters and digits only, so ``<slug>-r<code>`` splits unambiguously.
_ALPHABET = string.ascii_letters + string.digits


def new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def is_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and all(char in _ALPHABET for char in text)


async def code_of(*, session: AsyncSession, chat_id: int) -> Referral:
    """This supporter's code, created on first ask (the supporter row must exist)."""
    row = (await session.exec(select(Referral).where(Referral.supporter_id == chat_id))).first()
    while row is None:
        candidate = Referral(code=new_code(), supporter_id=chat_id, joined=0)
        try:
            async with session.begin_nested():
                session.add(candidate)
            row = candidate
        except IntegrityError:  # the code was taken, or a double tap made the row: look again
            row = (await session.exec(
                select(Referral).where(Referral.supporter_id == chat_id))).first()
    return row


async def count_join(*, session: AsyncSession, code: str, newcomer: int) -> bool:
    """Someone new joined through ``code``: one more for its owner (never the owner's own
    visit). Only the count changes."""
    result = await session.exec(update(Referral).where(
        Referral.code == code, Referral.supporter_id != newcomer)
        .values(joined=Referral.joined + 1))
    return result.rowcount > 0
