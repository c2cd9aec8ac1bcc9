"""What a coordinator tells a case's subscribers in their own words: a hearing's outcome
(/outcome), news (/news), the case being closed (/closecase) or reopened (/reopencase). Each
kind has its proposal, its pure render and its apply. The typed text may come in several
languages (``payload["versions"]``); each reader gets the closest one (``alert_texts.written``).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alert_texts import TEXT_LIMIT, AlertKind, case_title, heading, hearing_name, written
from bot.coordination.hearings import local_day
from bot.coordination.kinds import Applied, Applying, DraftRequest, Payload, Proposal
from bot.coordination.lookup import (
    case_timezone,
    case_titles,
    find_case,
    find_hearing,
    hearing_subject,
)
from bot.i18n import t
from bot.parsing import InputError, clean_text
from bot.reminders import cancel_reminders
from bot.render import format_day, format_local_time
from storage import events as event_queries
from storage.models import Event, EventStatus


def _held(change: Applying, kind: str, day: dt.date, text: str, **fields: object) -> Event:
    """A timeline entry of what already happened, written by this coordinator now."""
    return Event(case_id=change.case.id, kind=kind, date=day, text=text, origin="coordinator",
                 status=EventStatus.HELD, created_by=change.actor_id, created_at=change.now,
                 updated_at=change.now, **fields)


# ------------------------------------------------------------------------------- /outcome

async def propose_outcome(session: AsyncSession, request: DraftRequest) -> Proposal:
    """/outcome <event id> <what happened>"""
    event_text, text = request.first_and_rest()
    if not event_text or not text.strip():
        raise InputError(usage=True)
    event, case = await find_hearing(session=session, text=event_text, lang=request.lang,
                                     scope=request.scope)
    timezone = case_timezone(case, request.default_timezone)
    subject = hearing_subject(event, case, timezone, request.lang)
    if event.status == EventStatus.CANCELLED:
        raise InputError(t("Hearing #{id} was cancelled, so it has no outcome.", request.lang,
                           id=event.id))
    outcome = clean_text(text, request.lang, limit=TEXT_LIMIT)
    if not has_started(event, request.now, timezone):
        raise InputError(t("{hearing} has not started yet, so it has no outcome to tell. If "
                           "its date moved, use /postpone {id}; if it will not take place, "
                           "/cancelhearing {id}.", request.lang, hearing=subject, id=event.id))
    payload = {**case_titles(case), "hearing_kind": event.kind, "timezone": timezone,
               "event_id": event.id, "day": event.date.isoformat(),
               "starts_at": event.starts_at.isoformat() if event.starts_at else None,
               "outcome": outcome}
    effect = t("Send also adds the outcome to the case's timeline and marks the hearing as held.",
               request.lang)
    return Proposal(case, AlertKind.OUTCOME, payload, case_open=case.is_open, effect=effect,
                    subject=subject)


def has_started(event: Event, now: dt.datetime, timezone: str) -> bool:
    """Whether the hearing has begun: its start time has come (or, without a time, its day on
    the court's clock). Only then can it have an outcome."""
    if event.starts_at is not None:
        return event.starts_at <= now
    return event.date <= local_day(now, timezone)[0]


def render_outcome(payload: Payload, lang: str) -> str:
    if payload.get("starts_at"):
        when = format_local_time(dt.datetime.fromisoformat(payload["starts_at"]),
                                 payload["timezone"], lang)
    else:
        when = format_day(dt.date.fromisoformat(payload["day"]), lang)
    return "\n".join([
        heading("📌", t("Outcome", lang), case_title(payload, lang)),
        t("<i>{hearing} of {when}</i>", lang, hearing=hearing_name(payload["hearing_kind"], lang),
          when=escape(when)),
        "",
        escape(written(payload, "outcome", lang)),
    ])


async def apply_outcome(change: Applying) -> Applied:
    """The outcome goes on the timeline under its hearing, which is now held."""
    session = change.session
    hearing = await event_queries.get_event(session=session, event_id=change.payload["event_id"])
    if hearing is None or hearing.status == EventStatus.CANCELLED:
        raise InputError(t("The hearing was cancelled after this preview was made.",
                           change.lang))
    if not has_started(hearing, change.now, change.timezone):
        raise InputError(t("The hearing was moved after this preview was made and has not "
                           "started yet.", change.lang))
    outcome = await event_queries.add_event(session=session, event=_held(
        change, "outcome", hearing.date, change.payload["outcome"], parent_id=hearing.id))
    changed = []
    if hearing.status == EventStatus.SCHEDULED:
        hearing.status = EventStatus.HELD
        await event_queries.save_event(session=session, event=hearing, now=change.now)
        await cancel_reminders(session, hearing)
        changed.append(hearing.id)
    return Applied(outcome.id, f"outcome #{outcome.id} of hearing #{hearing.id}", changed)


# ---------------------------------------------------------------------------------- /news

async def propose_news(session: AsyncSession, request: DraftRequest) -> Proposal:
    """/news <case> <text>"""
    slug, text = request.first_and_rest()
    if not slug or not text.strip():
        raise InputError(usage=True)
    case = await find_case(session=session, text=slug, lang=request.lang, scope=request.scope)
    payload = {**case_titles(case),
               "news": clean_text(text, request.lang, limit=TEXT_LIMIT)}
    effect = t("Send also adds this news to the case's timeline.", request.lang)
    return Proposal(case, AlertKind.NEWS, payload, case_open=case.is_open, effect=effect)


def render_news(payload: Payload, lang: str) -> str:
    return "\n".join([heading("📰", t("News", lang), case_title(payload, lang)), "",
                      escape(written(payload, "news", lang))])


async def apply_news(change: Applying) -> Applied:
    """The news goes on the case's timeline, dated today on the court's clock."""
    day, _ = local_day(change.now, change.timezone)
    news = await event_queries.add_event(session=change.session, event=_held(
        change, "news", day, change.payload["news"]))
    return Applied(news.id, f"news #{news.id}")


# ----------------------------------------------------------------------------- /closecase

async def propose_close(session: AsyncSession, request: DraftRequest) -> Proposal:
    """/closecase <case> <why no further action is needed>"""
    slug, text = request.first_and_rest()
    if not slug or not text.strip():
        raise InputError(usage=True)
    case = await find_case(session=session, text=slug, lang=request.lang, scope=request.scope)
    if case.closed_at is not None:
        raise InputError(t("<b>{title}</b> was already closed.", request.lang,
                           title=escape(case.title)))
    payload = {**case_titles(case),
               "note": clean_text(text, request.lang, limit=TEXT_LIMIT)}
    effect = t("Send also closes the case: its scheduled hearings are cancelled, their "
               "reminders stop and letters are no longer offered.", request.lang)
    return Proposal(case, AlertKind.CLOSED, payload, case_open=False, effect=effect)


def render_closed(payload: Payload, lang: str) -> str:
    return "\n".join([
        heading("✅", t("Case closed", lang), case_title(payload, lang)),
        "",
        escape(written(payload, "note", lang)),
        "",
        t("No further action is needed: there will be no more reminders for this case and no "
          "letters to write. Thank you for standing with them.", lang),
    ])


async def apply_closed(change: Applying) -> Applied:
    """The case is closed: a last timeline entry, and every reminder of it stops."""
    session, case = change.session, change.case
    if case.closed_at is not None:
        raise InputError(t("The case was already closed.", change.lang))
    await event_queries.close_case(session=session, case=case, note=change.payload["note"],
                                   now=change.now)
    day, _ = local_day(change.now, change.timezone)
    closed = await event_queries.add_event(session=session, event=_held(
        change, "closed", day, change.payload["note"]))
    # No hearing of a closed case stays "scheduled": each is cancelled with its reminders.
    scheduled = await event_queries.scheduled_events(session=session, case_id=case.id)
    for event in scheduled:
        event.status = EventStatus.CANCELLED
        await event_queries.save_event(session=session, event=event, now=change.now)
        await cancel_reminders(session, event)
    summary = "closed" + (f"; hearings cancelled: {', '.join(f'#{e.id}' for e in scheduled)}"
                          if scheduled else "")
    return Applied(closed.id, summary, [event.id for event in scheduled])


# ---------------------------------------------------------------------------- /reopencase

async def propose_reopen(session: AsyncSession, request: DraftRequest) -> Proposal:
    """/reopencase <case> [why]"""
    slug, text = request.first_and_rest()
    if not slug:
        raise InputError(usage=True)
    case = await find_case(session=session, text=slug, lang=request.lang, scope=request.scope)
    if case.closed_at is None:
        if case.status != "open":
            raise InputError(t("<b>{title}</b> is closed in its case file, not from chat: "
                               "change its status in the file to reopen it.", request.lang,
                               title=escape(case.title)))
        raise InputError(t("<b>{title}</b> is open already.", request.lang,
                           title=escape(case.title)))
    note = clean_text(text, request.lang, limit=TEXT_LIMIT) if text.strip() else ""
    payload = {**case_titles(case), "note": note}
    effect = t("Send also reopens the case: letters are offered again. Hearings cancelled when "
               "it was closed stay cancelled; schedule them again with /hearing.", request.lang)
    return Proposal(case, AlertKind.REOPENED, payload, case_open=True, effect=effect)


def render_reopened(payload: Payload, lang: str) -> str:
    lines = [heading("🔁", t("Case reopened", lang), case_title(payload, lang)), ""]
    if payload.get("note"):
        lines += [escape(payload["note"]), ""]
    lines.append(t("The appeal needs action again: I will tell you about hearings and you can "
                   "write letters for it.", lang))
    return "\n".join(lines)


async def apply_reopened(change: Applying) -> Applied:
    """The case is open again, with a timeline entry saying so."""
    session, case = change.session, change.case
    if case.closed_at is None:
        raise InputError(t("The case was reopened already.", change.lang))
    case.closed_at = case.closed_note = None
    case.updated_at = change.now
    session.add(case)
    day, _ = local_day(change.now, change.timezone)
    reopened = await event_queries.add_event(session=session, event=_held(
        change, "reopened", day, change.payload.get("note") or "Case reopened"))
    return Applied(reopened.id, "reopened")
