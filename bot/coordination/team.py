"""Who coordinates: owners (ADMIN_IDS) add and remove coordinators in chat; each change is
written to the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import t
from bot.parsing import InputError, clean_text
from bot.render import format_day, shorten_html_lines
from storage import audit, staff
from storage import cases as case_queries
from storage import coordinators as coordinator_queries
from storage.models import Case

LABEL_LIMIT = 32


async def add_coordinator(*, session: AsyncSession, owner_id: int, user_id: int,
                          now: dt.datetime, cases: Sequence[Case] = ()) -> bool:
    """Make ``user_id`` a coordinator of every case, or only of ``cases``; for someone who
    already coordinates, their cases become these. True if this made a new coordinator."""
    added = await coordinator_queries.add_coordinator(session=session, user_id=user_id,
                                                      added_by=owner_id)
    before = await staff.case_limits(session=session, user_id=user_id)
    wanted = frozenset(case.id for case in cases)
    if added or before != wanted:
        await staff.set_case_limits(session=session, user_id=user_id, case_ids=wanted)
        scope = ", ".join(case.slug for case in cases) or "all cases"
        await audit.record(session=session, actor_id=owner_id,
                           action="add_coordinator" if added else "limit_coordinator",
                           detail=f"{user_id}: {scope}", now=now)
    return added


async def set_label(*, session: AsyncSession, user_id: int, text: str, now: dt.datetime,
                    lang: str = "en") -> str:
    """The name /audit shows for this coordinator: one line, at most LABEL_LIMIT characters."""
    label = " ".join(clean_text(text, lang, limit=LABEL_LIMIT * 4).split())
    if not label or len(label) > LABEL_LIMIT:
        raise InputError(t("A label has 1 to {limit} characters on one line.", lang,
                           limit=LABEL_LIMIT), usage=True)
    await staff.set_label(session=session, user_id=user_id, label=label, now=now)
    await audit.record(session=session, actor_id=user_id, action="set_label", detail=label,
                       now=now)
    return label


async def remove_coordinator(*, session: AsyncSession, owner_id: int, user_id: int,
                             now: dt.datetime) -> bool:
    removed = await coordinator_queries.remove_coordinator(session=session, user_id=user_id)
    await staff.set_case_limits(session=session, user_id=user_id, case_ids=())
    if removed:
        await audit.record(session=session, actor_id=owner_id, action="remove_coordinator",
                           detail=str(user_id), now=now)
    return removed


async def coordinators_text(*, session: AsyncSession, owners: Iterable[int],
                            lang: str = "en") -> str:
    rows = await coordinator_queries.list_coordinators(session=session)
    owners = sorted(owners)
    names = await staff.labels(session=session,
                               user_ids=[*owners, *(row.user_id for row in rows)])
    limits = await staff.all_case_limits(session=session)
    slugs = await case_queries.slugs_by_id(session=session)
    lines = [t("👥 <b>Coordinators</b>", lang), ""]
    lines.append(t("Owners (ADMIN_IDS): {ids}", lang,
                   ids=", ".join(_person(o, names) for o in owners) or "—"))
    for row in rows:
        line = t("• {who} — added by {by} on {day}", lang, who=_person(row.user_id, names),
                 by=_person(row.added_by, names), day=format_day(row.added_at, lang))
        if row.user_id in limits:
            line += "\n  " + t("only: {cases}", lang, cases=", ".join(
                f"<code>{escape(slugs.get(case_id, '?'))}</code>"
                for case_id in sorted(limits[row.user_id], key=lambda i: slugs.get(i, ""))))
        lines.append(line)
    if not rows:
        lines.append(t("No coordinators yet.", lang))
    lines += ["", t("/addcoordinator &lt;user id&gt; [case…] · /removecoordinator &lt;user "
                    "id&gt;", lang)]
    return shorten_html_lines(lines)


def _person(user_id: int, names: dict[int, str]) -> str:
    label = names.get(user_id)
    return f"<b>{escape(label)}</b> (<code>{user_id}</code>)" if label else f"<code>{user_id}</code>"
