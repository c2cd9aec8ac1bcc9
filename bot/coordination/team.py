"""Who coordinates: owners (ADMIN_IDS) add and remove coordinators in chat; each change is
written to the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import t
from bot.render import format_day, shorten_html_lines
from storage import audit
from storage import coordinators as coordinator_queries


async def add_coordinator(*, session: AsyncSession, owner_id: int, user_id: int,
                          now: dt.datetime) -> bool:
    added = await coordinator_queries.add_coordinator(session=session, user_id=user_id,
                                                      added_by=owner_id)
    if added:
        await audit.record(session=session, actor_id=owner_id, action="add_coordinator",
                           detail=str(user_id), now=now)
    return added


async def remove_coordinator(*, session: AsyncSession, owner_id: int, user_id: int,
                             now: dt.datetime) -> bool:
    removed = await coordinator_queries.remove_coordinator(session=session, user_id=user_id)
    if removed:
        await audit.record(session=session, actor_id=owner_id, action="remove_coordinator",
                           detail=str(user_id), now=now)
    return removed


async def coordinators_text(*, session: AsyncSession, owners: Iterable[int],
                            lang: str = "en") -> str:
    rows = await coordinator_queries.list_coordinators(session=session)
    lines = [t("👥 <b>Coordinators</b>", lang), ""]
    lines.append(t("Owners (ADMIN_IDS): {ids}", lang,
                   ids=", ".join(f"<code>{o}</code>" for o in sorted(owners)) or "—"))
    if rows:
        lines += [t("• <code>{id}</code> — added by {by} on {day}", lang, id=row.user_id,
                    by=row.added_by, day=format_day(row.added_at, lang)) for row in rows]
    else:
        lines.append(t("No coordinators yet.", lang))
    lines += ["", t("/addcoordinator &lt;user id&gt; · /removecoordinator &lt;user id&gt;", lang)]
    return shorten_html_lines(lines)
