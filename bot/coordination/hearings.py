"""Hearings: scheduling one (/hearing, /appeal), moving it (/postpone), cancelling it
(/cancelhearing). Each kind has its proposal (the command checked against the database), its
pure render and its apply (what Send changes: the timeline and the reminders)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alert_texts import PLACE_LIMIT, AlertKind, case_title, heading, hearing_name, written
from bot.coordination.kinds import (
    ALERT_LANGUAGE,
    Applied,
    Applying,
    DraftRequest,
    Payload,
    Proposal,
)
from bot.coordination.lookup import (
    case_timezone,
    case_titles,
    find_case,
    find_hearing,
    first_action,
    hearing_subject,
    refuse_closed,
)
from bot.i18n import N_, t, tn
from bot.parsing import InputError, clean_text, parse_moment, split_when
from bot.reminders import cancel_reminders, plan_reminders, replan_reminders
from bot.render import format_local_time
from content.languages import fallback_chain
from storage import events as event_queries
from storage.models import Case, Event, EventStatus


def local_day(moment: dt.datetime, timezone: str) -> tuple[dt.date, dt.time]:
    """The date and the time on the court's clock (how the timeline shows the hearing)."""
    local = moment.astimezone(ZoneInfo(timezone))
    return local.date(), local.time().replace(tzinfo=None, second=0, microsecond=0)


def _moment(payload: Payload, key: str) -> dt.datetime:
    return dt.datetime.fromisoformat(payload[key])


def _when(payload: Payload, lang: str, key: str = "starts_at") -> str:
    return escape(format_local_time(_moment(payload, key), payload["timezone"], lang))


def reminder_effect(offsets: Iterable[int], lang: str) -> str:
    """'7 days, 1 day, 2 hours': when the reminders go out, farthest first."""
    parts = []
    for minutes in sorted(offsets, reverse=True):
        if minutes % 1440 == 0:
            parts.append(tn("{count} day", "{count} days", minutes // 1440, lang))
        elif minutes % 60 == 0:
            parts.append(tn("{count} hour", "{count} hours", minutes // 60, lang))
        else:
            parts.append(tn("{count} minute", "{count} minutes", minutes, lang))
    return ", ".join(parts)


# ------------------------------------------------------------------------ /hearing, /appeal

async def propose_hearing(session: AsyncSession, request: DraftRequest) -> Proposal:
    """/hearing <case> <YYYY-MM-DD HH:MM> [place…]"""
    return await _propose_scheduled(session, request, AlertKind.HEARING)


async def propose_appeal(session: AsyncSession, request: DraftRequest) -> Proposal:
    """/appeal <case> <YYYY-MM-DD HH:MM> [place…]"""
    return await _propose_scheduled(session, request, AlertKind.APPEAL_HEARING)


async def _propose_scheduled(session: AsyncSession, request: DraftRequest,
                             kind: AlertKind) -> Proposal:
    args, lang = request.args, request.lang
    if not args:
        raise InputError(usage=True)
    case = await find_case(session=session, text=args[0], lang=lang, scope=request.scope)
    timezone = case_timezone(case, request.default_timezone)
    when = split_when(args[1:])
    if when is None:
        raise InputError(usage=True, zone=timezone)
    starts_at = _moment_for(when, timezone, request)
    refuse_closed(case, lang)
    place = clean_text(" ".join(when[2]), lang, limit=PLACE_LIMIT) or None
    payload = {**case_titles(case), "hearing_kind": kind, "timezone": timezone,
               "starts_at": starts_at.isoformat(), "place": place,
               "action": first_action(case)}
    effect = t("Send also puts the hearing on the case's timeline and plans reminders "
               "({offsets} before).", lang,
               offsets=reminder_effect(request.reminder_offsets, lang) or "—")
    return Proposal(case, kind, payload, case_open=True, effect=effect)


def _moment_for(when: tuple[str, str, list[str]], timezone: str,
                request: DraftRequest) -> dt.datetime:
    """The typed date and time read in the case's zone; a refusal names that zone, so the
    usage shows the case's own UTC offset."""
    try:
        return parse_moment(when[0], when[1], timezone, now=request.now, lang=request.lang)
    except InputError as error:
        error.zone = timezone
        raise


def render_scheduled(payload: Payload, lang: str) -> str:
    """A hearing or an appeal hearing was scheduled: what, when, where, what to do now."""
    title = (t("Appeal hearing scheduled", lang)
             if payload["hearing_kind"] == AlertKind.APPEAL_HEARING
             else t("Hearing scheduled", lang))
    place = written(payload, "place", lang)
    actions = payload.get("action") or {}
    action = next((actions[code] for code in fallback_chain(lang) if actions.get(code)), None)
    lines = [
        heading("🏛", title, case_title(payload, lang)),
        "",
        t("🗓 <b>When:</b> {when}", lang, when=_when(payload, lang)),
        t("📍 <b>Where:</b> {place}", lang,
          place=escape(place) if place else t("not announced yet", lang)),
        "",
    ]
    if action:
        lines.append(t("<b>What you can do now:</b> {action}", lang, action=escape(action)))
    lines.append(t("Tap ✍️ <b>Write a letter</b> below: letters before a hearing show the "
                   "court that people are watching. I will remind you before it starts.", lang))
    return "\n".join(lines)


async def apply_scheduled(change: Applying) -> Applied:
    """The hearing goes on the timeline; its reminders are planned."""
    payload, lang = change.payload, change.lang
    starts_at = _moment(payload, "starts_at")
    if starts_at <= change.now:
        raise InputError(t("The hearing time has passed since the preview.", lang))
    if not change.case.is_open:
        raise InputError(t("The case was closed after this preview was made.", lang))
    kind = payload["hearing_kind"]
    day, time = local_day(starts_at, change.timezone)
    event = await event_queries.add_event(session=change.session, event=Event(
        case_id=change.case.id, kind=kind, date=day, time=time, starts_at=starts_at,
        place=payload.get("place"), origin="coordinator", status=EventStatus.SCHEDULED,
        text=hearing_name(kind, ALERT_LANGUAGE), created_by=change.actor_id,
        created_at=change.now, updated_at=change.now))
    await plan_reminders(change.session, event, change.reminder_offsets, change.now)
    summary = f"#{event.id} {format_local_time(starts_at, change.timezone)}"
    if payload.get("place"):
        summary += f", {payload['place']}"
    return Applied(event.id, summary, [event.id])


# -------------------------------------------------------------------- /postpone, /cancelhearing

async def _scheduled_hearing(session: AsyncSession, request: DraftRequest, text: str | None,
                             refusal: str) -> tuple[Event, Case]:
    event, case = await find_hearing(session=session, text=text, lang=request.lang,
                                     scope=request.scope)
    if event.status != EventStatus.SCHEDULED or event.starts_at is None:
        raise InputError(t(refusal, request.lang, id=event.id, status=escape(event.status)))
    return event, case


def _hearing_payload(event: Event, case: Case, timezone: str) -> dict:
    return {**case_titles(case), "hearing_kind": event.kind, "timezone": timezone,
            "event_id": event.id, "old_starts_at": event.starts_at.isoformat()}


async def propose_postpone(session: AsyncSession, request: DraftRequest) -> Proposal:
    """/postpone <event id> <YYYY-MM-DD HH:MM>"""
    args, lang = request.args, request.lang
    if len(args) < 2:
        raise InputError(usage=True)
    event, case = await _scheduled_hearing(
        session, request, args[0], N_("Event #{id} is not a scheduled hearing (it is {status}), "
                                      "so it cannot be postponed."))
    refuse_closed(case, lang)
    timezone = case_timezone(case, request.default_timezone)
    when = split_when(args[1:])
    if when is None or when[2]:
        raise InputError(usage=True, zone=timezone)
    starts_at = _moment_for(when, timezone, request)
    if starts_at == event.starts_at:
        raise InputError(t("Event #{id} is already set for that time.", lang, id=event.id))
    payload = _hearing_payload(event, case, timezone) | {
        "starts_at": starts_at.isoformat(), "place": event.place}
    effect = t("Send also moves the hearing on the timeline and re-plans its reminders.", lang)
    return Proposal(case, AlertKind.POSTPONED, payload, case_open=True, effect=effect,
                    subject=hearing_subject(event, case, timezone, lang))


def render_postponed(payload: Payload, lang: str) -> str:
    title = t("{hearing} postponed", lang, hearing=hearing_name(payload["hearing_kind"], lang))
    lines = [
        heading("⏳", title, case_title(payload, lang)),
        "",
        t("It was due on {old}.", lang, old=_when(payload, lang, "old_starts_at")),
        t("🗓 <b>New date:</b> {when}", lang, when=_when(payload, lang)),
    ]
    if payload.get("place"):
        lines.append(t("📍 <b>Where:</b> {place}", lang, place=escape(payload["place"])))
    lines += ["", t("Your reminders move with it.", lang)]
    return "\n".join(lines)


async def _unchanged_hearing(change: Applying) -> Event:
    """The hearing of the draft, still scheduled at the time the preview showed."""
    event = await event_queries.get_event(session=change.session,
                                          event_id=change.payload["event_id"])
    old = _moment(change.payload, "old_starts_at")
    if event is None or event.status != EventStatus.SCHEDULED or event.starts_at != old:
        raise InputError(t("The hearing changed after this preview was made (it was "
                           "postponed, cancelled or held).", change.lang))
    return event


async def apply_postponed(change: Applying) -> Applied:
    """The hearing moves on the timeline; its reminders are re-planned."""
    event = await _unchanged_hearing(change)
    starts_at = _moment(change.payload, "starts_at")
    if starts_at <= change.now:
        raise InputError(t("The new time has passed since the preview.", change.lang))
    event.starts_at = starts_at
    event.date, event.time = local_day(starts_at, change.timezone)
    event.sequence += 1  # a calendar that imported it takes the new time
    await event_queries.save_event(session=change.session, event=event, now=change.now)
    await replan_reminders(change.session, event, change.reminder_offsets, change.now)
    return Applied(event.id, f"#{event.id} → {format_local_time(starts_at, change.timezone)}",
                   [event.id])


async def propose_cancel(session: AsyncSession, request: DraftRequest) -> Proposal:
    """/cancelhearing <event id>"""
    args = request.args
    if len(args) != 1:
        raise InputError(usage=True)
    event, case = await _scheduled_hearing(
        session, request, args[0], N_("Event #{id} is not a scheduled hearing (it is {status}), "
                                      "so it cannot be cancelled."))
    timezone = case_timezone(case, request.default_timezone)
    effect = t("Send also marks the hearing cancelled on the timeline and stops its reminders.",
               request.lang)
    return Proposal(case, AlertKind.CANCELLED, _hearing_payload(event, case, timezone),
                    case_open=case.is_open, effect=effect,
                    subject=hearing_subject(event, case, timezone, request.lang))


def render_cancelled(payload: Payload, lang: str) -> str:
    title = t("{hearing} cancelled", lang, hearing=hearing_name(payload["hearing_kind"], lang))
    return "\n".join([
        heading("❌", title, case_title(payload, lang)),
        "",
        t("The hearing set for {when} will not take place, and there will be no reminders for "
          "it. I will tell you when a new date is set.", lang,
          when=_when(payload, lang, "old_starts_at")),
    ])


async def apply_cancelled(change: Applying) -> Applied:
    """The hearing is marked cancelled; its reminders stop."""
    event = await _unchanged_hearing(change)
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    await event_queries.save_event(session=change.session, event=event, now=change.now)
    await cancel_reminders(change.session, event)
    return Applied(event.id, f"#{event.id} cancelled", [event.id])
