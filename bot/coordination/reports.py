"""Reports for coordinators: /upcoming, /stats and /audit, as Telegram HTML that fits one
message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alert_texts import hearing_name
from bot.attendance import attendance_lines
from bot.coordination.alert_status import attention_lines, twice_line
from bot.coordination.lookup import case_timezone, find_case
from bot.coordination.scope import EVERY_CASE, Scope
from bot.i18n import t
from bot.parsing import InputError
from bot.render import format_local_time, shorten, shorten_html_lines
from storage import audit, staff
from storage import cases as case_queries
from storage import stats as stat_queries
from storage.alert_followups import twice_count
from storage.letters import letter_counts


async def upcoming_text(*, session: AsyncSession, now: dt.datetime, default_timezone: str,
                        lang: str = "en", scope: Scope = EVERY_CASE) -> str:
    rows = [(event, case) for event, case in
            await stat_queries.upcoming_hearings(session=session, now=now)
            if scope.allows(case.id)]
    if not rows:
        return t("🗓 No hearings are scheduled. Schedule one with /hearing or /appeal.", lang)
    lines = [t("🗓 <b>Upcoming hearings</b>", lang), ""]
    for event, case in rows:
        timezone = case_timezone(case, default_timezone)
        line = (f"<b>#{event.id}</b> · <code>{escape(case.slug)}</code> · "
                f"{escape(format_local_time(event.starts_at, timezone, lang))} · "
                f"{escape(hearing_name(event.kind, lang))}")
        if event.place:
            line += f" · {escape(shorten(event.place, 80))}"
        lines.append(line)
    lines += ["", t("/postpone &lt;id&gt; &lt;YYYY-MM-DD HH:MM&gt; · /cancelhearing &lt;id&gt; · "
                    "/outcome &lt;id&gt; &lt;text&gt;", lang)]
    return shorten_html_lines(lines)


async def stats_text(*, session: AsyncSession, now: dt.datetime, slug: str | None,
                     lang: str = "en", scope: Scope = EVERY_CASE) -> str:
    if slug is None and scope.limited:
        # The all-cases figures include cases a limited coordinator does not see.
        if len(scope.case_ids) != 1:
            cases = [row for row in await case_queries.all_cases(session=session)
                     if scope.allows(row.id)]
            raise InputError(t("Name one of your cases: {cases}.", lang,
                               cases=", ".join(f"<code>{escape(row.slug)}</code>"
                                               for row in cases)), usage=True)
        only = await case_queries.get_case(session=session, case_id=next(iter(scope.case_ids)))
        slug = only.slug
    case = await find_case(session=session, text=slug, lang=lang, scope=scope) if slug else None
    case_id = case.id if case is not None else None
    subscribers = await stat_queries.subscriber_stats(session=session, now=now, case_id=case_id)
    deliveries = await stat_queries.delivery_stats(session=session, case_id=case_id)
    letters = await letter_counts(session=session, case_id=case_id)
    slugs = await case_queries.slugs_by_id(session=session)

    def subscriber_line(values: Iterable[stat_queries.SubscriberStats]) -> str:
        values = list(values)
        return t("👥 Subscribers: <b>{total}</b> ({reachable} reachable); +{week} in the last 7 "
                 "days, +{month} in the last 30 days", lang,
                 total=sum(v.total for v in values), reachable=sum(v.reachable for v in values),
                 week=sum(v.last_7_days for v in values),
                 month=sum(v.last_30_days for v in values))

    def delivery_line(values: Iterable[stat_queries.DeliveryStats]) -> str:
        values = list(values)
        line = t("📤 Alerts: <b>{sent}</b> delivered, {blocked} blocked the bot, {failed} failed",
                 lang, sent=sum(v.sent for v in values),
                 blocked=sum(v.blocked for v in values), failed=sum(v.failed for v in values))
        pending = sum(v.pending for v in values)
        if pending:
            line += t(" ({pending} still to send)", lang, pending=pending)
        return line

    head = (t("📊 <b>Statistics — {slug}</b>", lang, slug=escape(case.slug)) if case
            else t("📊 <b>Statistics — all cases</b>", lang))
    lines = [head, "", subscriber_line(subscribers.values()), delivery_line(deliveries.values()),
             t("✍️ Letters: <b>{n}</b>", lang, n=sum(row.letters for row in letters))]

    if case is None:
        active = sorted(set(subscribers) | set(deliveries) | {row.case_id for row in letters},
                        key=lambda cid: -(subscribers[cid].total if cid in subscribers else 0))
        if active:
            lines += ["", t("<b>By case</b>", lang)]
        for cid in active:
            sub = subscribers.get(cid)
            dlv = deliveries.get(cid)
            lines.append(t("• <code>{slug}</code>: {total} subscribers (+{week} / 7 days, "
                           "+{month} / 30 days); {sent} delivered, {blocked} blocked, {failed} "
                           "failed; {letters} letters", lang,
                           slug=escape(slugs.get(cid, "?")), total=sub.total if sub else 0,
                           week=sub.last_7_days if sub else 0,
                           month=sub.last_30_days if sub else 0, sent=dlv.sent if dlv else 0,
                           blocked=dlv.blocked if dlv else 0, failed=dlv.failed if dlv else 0,
                           letters=sum(r.letters for r in letters if r.case_id == cid)))
    lines += await attendance_lines(session=session, now=now, case_id=case_id, lang=lang)
    twice = await twice_count(session=session, case_id=case_id)
    if twice:
        lines.append(twice_line(twice, lang))
    attention = await attention_lines(session=session, case_id=case_id, slugs=slugs, lang=lang)
    if attention:
        lines += ["", *attention]
    if letters:
        lines += ["", t("<b>Letters sent per addressee</b>", lang)]
        for row in letters:
            prefix = "" if case else f"<code>{escape(slugs.get(row.case_id, '?'))}</code> → "
            lines.append(f"• {prefix}{escape(row.authority_key)}: {row.letters}")
    return shorten_html_lines(lines)


async def audit_text(*, session: AsyncSession, lang: str = "en", limit: int = 25,
                     only_actor: int | None = None) -> str:
    """The latest admin actions (``only_actor``: just that person's, for a limited
    coordinator, whose view must not show other cases' work), each by its actor's label."""
    rows = await audit.recent(session=session, limit=limit, actor_id=only_actor)
    if not rows:
        return t("🧾 The audit log is empty.", lang)
    names = await staff.labels(session=session, user_ids=[row.actor_id for row in rows])
    lines = [t("🧾 <b>Audit log</b> — newest first", lang), ""]
    for row in rows:
        moment = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
        actor = (t("a former team member", lang) if row.actor_id == audit.FORMER_ACTOR
                 else actor_name(row.actor_id, names))
        lines.append(f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC · {actor}"
                     f" · <b>{escape(row.action)}</b> · {escape(shorten(row.detail, 200))}")
    return shorten_html_lines(lines)


def actor_name(user_id: int, names: dict[int, str]) -> str:
    """A coordinator as /audit shows them: their chosen label, else their id (HTML)."""
    label = names.get(user_id)
    return f"<b>{escape(label)}</b>" if label else f"<code>{user_id}</code>"
