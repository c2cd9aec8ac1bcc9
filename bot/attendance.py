"""Who will be at a hearing: the lines /stats shows coordinators (counts only)."""

from __future__ import annotations

import datetime as dt
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import t
from bot.render import event_when, resolve_timezone
from storage import attendance as queries
from storage import cases as case_queries


async def attendance_lines(*, session: AsyncSession, now: dt.datetime, case_id: int | None,
                           lang: str = "en", default_timezone: str = "UTC") -> list[str]:
    """'' + a heading + one line per hearing ahead that people answered, or nothing."""
    rows = await queries.upcoming_counts(session=session, now=now, case_id=case_id)
    if not rows:
        return []
    slugs = await case_queries.slugs_by_id(session=session)
    lines = ["", t("<b>Hearings ahead: who will be there</b>", lang)]
    for event, attend, online in rows:
        case_row = await case_queries.get_case(session=session, case_id=event.case_id)
        zone = resolve_timezone(case_row.timezone if case_row else None, default_timezone)
        lines.append(t("• #{id} <code>{slug}</code>, {when}: {attend} will attend, {online} "
                       "will follow online", lang, id=event.id,
                       slug=escape(slugs.get(event.case_id, "?")),
                       when=escape(event_when(event, zone, lang)), attend=attend,
                       online=online))
    return lines
