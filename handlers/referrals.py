"""Deep links with a referral code: finding their case, and whether the person is new."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from bot.parsing import parse_slug
from bot.referrals import split_parameter
from handlers.common import known_before
from storage import cases as case_queries
from storage.models import Case
from storage.supporters import get_supporter


async def case_of_link(session: AsyncSession,
                       parameter: str) -> tuple[Case | None, str | None]:
    """The case a /start parameter names, and the referral code in it (or None). A slug that
    exists is taken as it is, even if it looks like ``<slug>-r<code>``."""
    slug = parse_slug(parameter)
    case_row = (await case_queries.get_case_by_slug_ci(session=session, slug=slug)
                if slug else None)
    if case_row is not None:
        return case_row, None
    split = split_parameter(parameter)
    if split is None or parse_slug(split[0]) is None:
        return None, None
    case_row = await case_queries.get_case_by_slug_ci(session=session, slug=split[0])
    return case_row, split[1] if case_row else None


async def is_new(session: AsyncSession, update: Update) -> bool:
    """Whether this person was not stored before this update (the middleware looked)."""
    known = known_before(update)
    if known is None:
        known = await get_supporter(session=session, chat_id=update.effective_chat.id) is not None
    return not known

