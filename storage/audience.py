"""Who a case's alert would reach, by interface language (for a preview's "who gets which")."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Subscription, Supporter


async def audience_by_language(*, session: AsyncSession, case_id: int) -> dict[str, int]:
    """{language: reachable subscribers} for the case (the same people ``count_audience``
    counts)."""
    query = (select(Supporter.language, func.count())
             .select_from(Subscription)
             .join(Supporter, Supporter.chat_id == Subscription.supporter_id)
             .where(Subscription.case_id == case_id, Supporter.blocked_at.is_(None))
             .group_by(Supporter.language))
    return {language: count for language, count in (await session.exec(query)).all()}
