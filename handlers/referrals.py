"""Deep links with a referral code: finding their case, counting who joined (counts only)."""

from __future__ import annotations

from telegram.ext import ContextTypes

from bot.parsing import parse_slug
from bot.referrals import split_parameter
from bot.services import services
from storage import cases as case_queries
from storage.models import Case
from storage.referrals import count_join
from storage.supporters import get_supporter


async def case_of_link(context: ContextTypes.DEFAULT_TYPE,
                       parameter: str) -> tuple[Case | None, str | None]:
    """The case a /start parameter names, and the referral code in it (or None). A slug that
    exists is taken as it is, even if it looks like ``<slug>-r<code>``."""
    async with services(context).db.session() as session:
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


async def is_new(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    async with services(context).db.session() as session:
        return await get_supporter(session=session, chat_id=chat_id) is None


async def count_referral(context: ContextTypes.DEFAULT_TYPE, code: str, chat_id: int) -> None:
    """After the /start: only if the person is now stored (a closed case subscribes nobody)."""
    async with services(context).db.session() as session:
        if await get_supporter(session=session, chat_id=chat_id) is not None:
            await count_join(session=session, code=code, newcomer=chat_id)
