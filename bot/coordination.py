"""What coordinators do, as plain functions of a database session (no Telegram types here).

Every command that messages subscribers works in two steps:

1. ``draft_*`` checks the input, renders the alert once (``bot.alert_texts``) and stores it as a
   :class:`PendingBroadcast` draft; the handler shows that exact text and the audience size.
2. :func:`confirm_broadcast` turns the draft into the change (an event, a postponement, a closed
   case…) and an outbox alert, in one transaction that starts with a conditional UPDATE
   (draft → sent), so a second press, a second process or a stale button sends nothing.

Bad input raises :class:`CommandError` carrying the answer for the coordinator (Telegram HTML).
Every change is written to the audit log in the transaction that makes it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import alert_texts as texts
from bot.alerts import count_audience, enqueue_alert
from bot.i18n import DEFAULT_LANGUAGE, t, tn
from bot.reminders import cancel_reminders, plan_reminders, replan_reminders
from bot.render import format_local_time, shorten, shorten_html_lines
from content.loader import ContentError, parse_case
from content.schema import Authority as AuthorityDoc
from content.schema import Case as CaseDoc
from storage import audit
from storage import broadcasts as drafts
from storage import cases as case_queries
from storage import coordinators as coordinator_queries
from storage import stats as stat_queries
from storage.letters import letter_counts
from storage.library_sync import upsert_case
from storage.models import Authority, Case, Event

# One text goes to every subscriber (Alert.text), so alerts and timeline entries are written in
# the default language whatever the coordinator's own; what the coordinator reads is in theirs.
ALERT_LANGUAGE = DEFAULT_LANGUAGE
# A preview older than this is refused: the audience and the facts may have changed since.
DRAFT_TTL = dt.timedelta(hours=24)
HEARING_KINDS = (texts.HEARING, texts.APPEAL_HEARING)
MAX_UPLOAD_BYTES = 200_000
_MAX_ID = 2**63 - 1


class CommandError(Exception):
    """Bad input: ``text`` (Telegram HTML) tells the coordinator what to do instead."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


# ------------------------------------------------------------------------------------------
# Usage lines (HTML: the angle brackets are escaped)

def usage(command: str, lang: str = "en") -> str:
    lines = {
        "hearing": t("<b>Usage:</b> /hearing &lt;case&gt; &lt;YYYY-MM-DD HH:MM&gt; [place…]\n"
                     "The time is the court's local time (the case's time zone) unless you add "
                     "an offset, e.g. <code>2026-12-01 10:00+06:00</code>.\n"
                     "Example: <code>/hearing kharkova 2026-12-01 10:00 Shymkent City "
                     "Court</code>", lang),
        "appeal": t("<b>Usage:</b> /appeal &lt;case&gt; &lt;YYYY-MM-DD HH:MM&gt; [place…]\n"
                    "Schedules an appeal hearing. The time is the court's local time unless "
                    "you add an offset, e.g. <code>2026-12-01 10:00+06:00</code>.", lang),
        "postpone": t("<b>Usage:</b> /postpone &lt;event id&gt; &lt;YYYY-MM-DD HH:MM&gt;\n"
                      "/upcoming lists the hearings with their ids.", lang),
        "cancelhearing": t("<b>Usage:</b> /cancelhearing &lt;event id&gt;\n"
                           "/upcoming lists the hearings with their ids.", lang),
        "outcome": t("<b>Usage:</b> /outcome &lt;event id&gt; &lt;what happened&gt;\n"
                     "Example: <code>/outcome 12 The court upheld the sentence.</code>", lang),
        "news": t("<b>Usage:</b> /news &lt;case&gt; &lt;text&gt;\n"
                  "Example: <code>/news kharkova She was allowed a visit from her "
                  "family.</code>", lang),
        "closecase": t("<b>Usage:</b> /closecase &lt;case&gt; &lt;why no further action is "
                       "needed&gt;\nExample: <code>/closecase kharkova The sentence has been "
                       "served.</code>", lang),
        "stats": t("<b>Usage:</b> /stats [case]", lang),
        "addcoordinator": t("<b>Usage:</b> /addcoordinator &lt;user id&gt;\nThe numeric "
                            "Telegram user id, e.g. <code>/addcoordinator 123456789</code>.",
                            lang),
        "removecoordinator": t("<b>Usage:</b> /removecoordinator &lt;user id&gt;\n"
                               "/coordinators lists them.", lang),
    }
    return lines[command]


# ------------------------------------------------------------------------------------------
# Parsing

_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?:(Z|UTC)|([+-])(\d{1,2})(?::?(\d{2}))?)?$",
                      re.IGNORECASE)


def split_when(args: Sequence[str]) -> tuple[str, str, list[str]] | None:
    """(date, time, the rest) from ``2026-12-01 10:00 …`` or ``2026-12-01T10:00 …``."""
    if args and "T" in args[0].upper() and _DATE_RE.match(args[0].upper().partition("T")[0]):
        date_text, _, time_text = args[0].upper().partition("T")
        return date_text, time_text, list(args[1:])
    if len(args) >= 2:
        return args[0], args[1], list(args[2:])
    return None


def parse_moment(date_text: str, time_text: str, timezone: str, lang: str = "en") -> dt.datetime:
    """A UTC moment from a date and a time in ``timezone`` (or with an explicit offset)."""
    date_match, time_match = _DATE_RE.match(date_text), _TIME_RE.match(time_text)
    if date_match is None or time_match is None:
        raise CommandError(t("I could not read “{text}” as a date and time: write "
                             "YYYY-MM-DD HH:MM, e.g. <code>2026-12-01 10:00</code>.", lang,
                             text=escape(shorten(f"{date_text} {time_text}", 60))))
    year, month, day = (int(part) for part in date_match.groups())
    hour, minute = int(time_match.group(1)), int(time_match.group(2))
    try:
        naive = dt.datetime(year, month, day, hour, minute)
    except ValueError:
        raise CommandError(t("“{text}” is not a real date and time.", lang,
                             text=escape(f"{date_text} {time_text}"))) from None
    utc_flag, sign, off_hours, off_minutes = time_match.group(3, 4, 5, 6)
    if utc_flag:
        return naive.replace(tzinfo=dt.UTC)
    if sign:
        offset = dt.timedelta(hours=int(off_hours), minutes=int(off_minutes or 0))
        if offset > dt.timedelta(hours=14) or int(off_minutes or 0) >= 60:
            raise CommandError(t("“{offset}” is not a UTC offset; use e.g. +05:00.", lang,
                                 offset=escape(time_text[time_text.find(sign):])))
        zone = dt.timezone(offset if sign == "+" else -offset)
        return naive.replace(tzinfo=zone).astimezone(dt.UTC)
    zone = ZoneInfo(timezone)
    local = naive.replace(tzinfo=zone)
    moment = local.astimezone(dt.UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != naive:  # skipped by a clock change
        raise CommandError(t("{when} does not exist in {zone} (the clocks change then); give "
                             "the time with an offset, e.g. 10:00+06:00.", lang,
                             when=escape(f"{date_text} {time_text}"), zone=escape(timezone)))
    return moment


def parse_id(text: str | None) -> int | None:
    if text is None or not re.fullmatch(r"#?\d{1,19}", text.strip()):
        return None
    number = int(text.strip().lstrip("#"))
    return number if 0 < number <= _MAX_ID else None


def case_timezone(case: Case, default: str) -> str:
    for zone in (case.timezone, default):
        if zone:
            try:
                ZoneInfo(zone)
                return zone
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
    return "UTC"


def _check_text(text: str, lang: str, limit: int = texts.TEXT_LIMIT) -> str:
    text = text.strip()
    if len(text) > limit:
        raise CommandError(t("That text is {n} characters long; at most {limit} fit in an "
                             "alert. Please shorten it.", lang, n=len(text), limit=limit))
    return text


# ------------------------------------------------------------------------------------------
# Finding cases and events

async def find_case(*, session: AsyncSession, slug: str, lang: str = "en") -> Case:
    """The case with this slug, or CommandError naming the closest slugs."""
    slug = slug.strip()
    case = await case_queries.get_case_by_slug(session=session, slug=slug) if slug else None
    if case is not None:
        return case
    slugs = await case_queries.all_slugs(session=session)
    close = difflib.get_close_matches(slug.lower(), slugs, n=3, cutoff=0.5)
    shown = escape(shorten(slug, 64))
    if close:
        raise CommandError(t("There is no case “{slug}”. Did you mean: {close}?", lang,
                             slug=shown, close=", ".join(f"<code>{s}</code>" for s in close)))
    raise CommandError(t("There is no case “{slug}”. The cases are: {all}.", lang, slug=shown,
                         all=", ".join(f"<code>{s}</code>" for s in slugs) or "—"))


async def _hearing(*, session: AsyncSession, event_id: int | None, lang: str,
                   command: str) -> tuple[Event, Case]:
    event = await session.get(Event, event_id) if event_id is not None else None
    if event is None:
        raise CommandError(usage(command, lang) if event_id is None else t(
            "There is no event #{id}. /upcoming lists the scheduled hearings with their ids.",
            lang, id=event_id))
    if event.kind not in HEARING_KINDS:
        raise CommandError(t("Event #{id} is not a hearing (it is a “{kind}” entry). /upcoming "
                             "lists the scheduled hearings.", lang, id=event.id,
                             kind=escape(event.kind)))
    case = await session.get(Case, event.case_id)
    return event, case


# ------------------------------------------------------------------------------------------
# Drafts

@dataclass(frozen=True)
class Draft:
    broadcast_id: int
    case_id: int
    case_title: str
    kind: str
    text: str  # exactly what the subscribers will get
    audience: int  # how many will get it, now
    case_open: bool  # whether the case is still open once this is sent (for the keyboard)
    effect: str  # what else Send does, in one sentence


def _local(moment: dt.datetime, timezone: str) -> dt.datetime:
    return moment.astimezone(ZoneInfo(timezone))


async def _save_draft(*, session: AsyncSession, actor_id: int, case: Case, kind: str,
                      payload: dict, now: dt.datetime, case_open: bool, effect: str) -> Draft:
    row = await drafts.create_draft(session=session, actor_id=actor_id, case_id=case.id,
                                    kind=kind, payload=payload, now=now)
    audience = await count_audience(session, case.id)
    return Draft(broadcast_id=row.id, case_id=case.id, case_title=case.title, kind=kind,
                 text=payload["text"], audience=audience, case_open=case_open, effect=effect)


def _first_action(case: Case, lang: str = ALERT_LANGUAGE) -> str | None:
    try:
        actions = CaseDoc.model_validate(case.data).requested_actions
    except Exception:  # noqa: BLE001 - a damaged document must not stop an alert
        return None
    if not actions:
        return None
    return shorten(getattr(actions[0], lang, None) or actions[0].en, 600)


def _refuse_closed(case: Case, lang: str) -> None:
    if not case.is_open:
        raise CommandError(t("<b>{title}</b> is closed: there is nothing to schedule for it.",
                             lang, title=escape(case.title)))


def _reminder_effect(offsets: Iterable[int], lang: str) -> str:
    parts = []
    for minutes in sorted(offsets, reverse=True):
        if minutes % 1440 == 0:
            parts.append(tn("{count} day", "{count} days", minutes // 1440, lang))
        elif minutes % 60 == 0:
            parts.append(tn("{count} hour", "{count} hours", minutes // 60, lang))
        else:
            parts.append(tn("{count} minute", "{count} minutes", minutes, lang))
    return ", ".join(parts)


async def draft_hearing(*, session: AsyncSession, actor_id: int, kind: str, args: Sequence[str],
                        now: dt.datetime, default_timezone: str, reminder_offsets: Sequence[int],
                        lang: str = "en") -> Draft:
    """/hearing or /appeal: <case> <YYYY-MM-DD HH:MM> [place…]."""
    command = "appeal" if kind == texts.APPEAL_HEARING else "hearing"
    if len(args) < 2:
        raise CommandError(usage(command, lang))
    case = await find_case(session=session, slug=args[0], lang=lang)
    when = split_when(args[1:])
    if when is None:
        raise CommandError(usage(command, lang))
    timezone = case_timezone(case, default_timezone)
    try:
        starts_at = parse_moment(when[0], when[1], timezone, lang)
    except CommandError as error:
        raise CommandError(error.text + "\n\n" + usage(command, lang)) from None
    if starts_at <= now:
        raise CommandError(t("{when} is in the past. A hearing must be scheduled for a time "
                             "still to come.", lang,
                             when=escape(format_local_time(starts_at, timezone))))
    _refuse_closed(case, lang)
    place = _check_text(" ".join(when[2]), lang, texts.PLACE_LIMIT) or None
    text = texts.hearing_scheduled(case_title=case.title, timezone=timezone, kind=kind,
                                   starts_at=starts_at, place=place,
                                   action=_first_action(case), lang=ALERT_LANGUAGE)
    payload = {"starts_at": starts_at.isoformat(), "place": place, "timezone": timezone,
               "text": text}
    effect = t("Send also puts the hearing on the case's timeline and plans reminders "
               "({offsets} before).", lang,
               offsets=_reminder_effect(reminder_offsets, lang) or "—")
    return await _save_draft(session=session, actor_id=actor_id, case=case, kind=kind,
                             payload=payload, now=now, case_open=True, effect=effect)


async def draft_postpone(*, session: AsyncSession, actor_id: int, args: Sequence[str],
                         now: dt.datetime, default_timezone: str, lang: str = "en") -> Draft:
    """/postpone <event id> <YYYY-MM-DD HH:MM>."""
    if len(args) < 2:
        raise CommandError(usage("postpone", lang))
    event, case = await _hearing(session=session, event_id=parse_id(args[0]), lang=lang,
                                 command="postpone")
    if event.status != "scheduled" or event.starts_at is None:
        raise CommandError(t("Event #{id} is not a scheduled hearing (it is {status}), so it "
                             "cannot be postponed.", lang, id=event.id,
                             status=escape(event.status)))
    _refuse_closed(case, lang)
    when = split_when(args[1:])
    if when is None or when[2]:
        raise CommandError(usage("postpone", lang))
    timezone = case_timezone(case, default_timezone)
    try:
        starts_at = parse_moment(when[0], when[1], timezone, lang)
    except CommandError as error:
        raise CommandError(error.text + "\n\n" + usage("postpone", lang)) from None
    if starts_at <= now:
        raise CommandError(t("{when} is in the past. Give the new date of the hearing.", lang,
                             when=escape(format_local_time(starts_at, timezone))))
    if starts_at == event.starts_at:
        raise CommandError(t("Event #{id} is already set for that time.", lang, id=event.id))
    text = texts.hearing_postponed(case_title=case.title, timezone=timezone, kind=event.kind,
                                   old_starts_at=event.starts_at, new_starts_at=starts_at,
                                   place=event.place, lang=ALERT_LANGUAGE)
    payload = {"event_id": event.id, "old_starts_at": event.starts_at.isoformat(),
               "starts_at": starts_at.isoformat(), "timezone": timezone, "text": text}
    effect = t("Send also moves the hearing on the timeline and re-plans its reminders.", lang)
    return await _save_draft(session=session, actor_id=actor_id, case=case,
                             kind=texts.POSTPONED, payload=payload, now=now, case_open=True,
                             effect=effect)


async def draft_cancel(*, session: AsyncSession, actor_id: int, args: Sequence[str],
                       now: dt.datetime, default_timezone: str, lang: str = "en") -> Draft:
    """/cancelhearing <event id>."""
    if len(args) != 1:
        raise CommandError(usage("cancelhearing", lang))
    event, case = await _hearing(session=session, event_id=parse_id(args[0]), lang=lang,
                                 command="cancelhearing")
    if event.status != "scheduled" or event.starts_at is None:
        raise CommandError(t("Event #{id} is not a scheduled hearing (it is {status}), so it "
                             "cannot be cancelled.", lang, id=event.id,
                             status=escape(event.status)))
    timezone = case_timezone(case, default_timezone)
    text = texts.hearing_cancelled(case_title=case.title, timezone=timezone, kind=event.kind,
                                   starts_at=event.starts_at, lang=ALERT_LANGUAGE)
    payload = {"event_id": event.id, "old_starts_at": event.starts_at.isoformat(),
               "text": text}
    effect = t("Send also marks the hearing cancelled on the timeline and stops its reminders.",
               lang)
    return await _save_draft(session=session, actor_id=actor_id, case=case,
                             kind=texts.CANCELLED, payload=payload, now=now,
                             case_open=case.is_open, effect=effect)


async def draft_outcome(*, session: AsyncSession, actor_id: int, event_arg: str | None,
                        text: str, now: dt.datetime, default_timezone: str,
                        lang: str = "en") -> Draft:
    """/outcome <event id> <text>."""
    if not event_arg or not text.strip():
        raise CommandError(usage("outcome", lang))
    event, case = await _hearing(session=session, event_id=parse_id(event_arg), lang=lang,
                                 command="outcome")
    if event.status == "cancelled":
        raise CommandError(t("Hearing #{id} was cancelled, so it has no outcome.", lang,
                             id=event.id))
    outcome = _check_text(text, lang)
    timezone = case_timezone(case, default_timezone)
    alert = texts.hearing_outcome(case_title=case.title, timezone=timezone, kind=event.kind,
                                  starts_at=event.starts_at, day=event.date, text=outcome,
                                  lang=ALERT_LANGUAGE)
    payload = {"event_id": event.id, "outcome": outcome, "text": alert}
    effect = t("Send also adds the outcome to the case's timeline and marks the hearing as held.",
               lang)
    return await _save_draft(session=session, actor_id=actor_id, case=case, kind=texts.OUTCOME,
                             payload=payload, now=now, case_open=case.is_open, effect=effect)


async def draft_news(*, session: AsyncSession, actor_id: int, slug: str | None, text: str,
                     now: dt.datetime, lang: str = "en") -> Draft:
    """/news <case> <text>."""
    if not slug or not text.strip():
        raise CommandError(usage("news", lang))
    case = await find_case(session=session, slug=slug, lang=lang)
    body = _check_text(text, lang)
    payload = {"news": body, "text": texts.news(case_title=case.title, text=body,
                                                   lang=ALERT_LANGUAGE)}
    effect = t("Send also adds this news to the case's timeline.", lang)
    return await _save_draft(session=session, actor_id=actor_id, case=case, kind=texts.NEWS,
                             payload=payload, now=now, case_open=case.is_open, effect=effect)


async def draft_close(*, session: AsyncSession, actor_id: int, slug: str | None, text: str,
                      now: dt.datetime, lang: str = "en") -> Draft:
    """/closecase <case> <text>."""
    if not slug or not text.strip():
        raise CommandError(usage("closecase", lang))
    case = await find_case(session=session, slug=slug, lang=lang)
    if case.closed_at is not None:
        raise CommandError(t("<b>{title}</b> was already closed.", lang,
                             title=escape(case.title)))
    note = _check_text(text, lang)
    payload = {"note": note, "text": texts.case_closed(case_title=case.title, note=note,
                                                       lang=ALERT_LANGUAGE)}
    effect = t("Send also closes the case: its reminders stop and letters are no longer "
               "offered.", lang)
    return await _save_draft(session=session, actor_id=actor_id, case=case, kind=texts.CLOSED,
                             payload=payload, now=now, case_open=False, effect=effect)


def preview_question(draft: Draft, lang: str = "en") -> str:
    """The line under the preview: who gets it, what else happens, Send or Cancel."""
    if draft.audience:
        who = t("👆 <b>Preview.</b> This is exactly what {people} of <b>{title}</b> will get.",
                lang, people=tn("<b>{count}</b> subscriber", "<b>{count}</b> subscribers",
                                draft.audience, lang),
                title=escape(shorten(draft.case_title, 120)))
    else:
        who = t("👆 <b>Preview.</b> Nobody follows <b>{title}</b> yet, so nobody will get this "
                "message.", lang, title=escape(shorten(draft.case_title, 120)))
    return f"{who}\n{draft.effect}\n\n" + t("Send it?", lang)


# ------------------------------------------------------------------------------------------
# Send or cancel a draft

@dataclass(frozen=True)
class Confirmed:
    ok: bool
    message: str  # for the coordinator: the status line, or why nothing was sent
    alert_id: int | None = None
    recipients: int = 0
    final: bool = False  # the draft is settled for good; the preview's buttons can go
    event_ids: list[int] = field(default_factory=list)  # events whose reminders changed


def _refusal(row, actor_id: int, lang: str) -> Confirmed:
    if row is None or row.actor_id != actor_id:
        return Confirmed(False, t("This button is not valid. Nothing was sent.", lang))
    if row.status == drafts.SENT:
        return Confirmed(False, t("This message was already sent; it is not sent twice.", lang))
    if row.status == drafts.CANCELLED:
        return Confirmed(False, t("This message was cancelled. Nothing was sent.", lang))
    return Confirmed(False, t("This preview has expired. Nothing was sent; run the command "
                              "again for a fresh preview.", lang), final=True)


async def confirm_broadcast(*, session: AsyncSession, broadcast_id: int, actor_id: int,
                            now: dt.datetime, reminder_offsets: Sequence[int],
                            default_timezone: str = "UTC", status_chat_id: int | None = None,
                            status_message_id: int | None = None,
                            lang: str = "en") -> Confirmed:
    """[Send]: make the change and queue the alert, once. Commit the session after this."""
    claimed = await drafts.leave_draft(session=session, broadcast_id=broadcast_id,
                                       actor_id=actor_id, status=drafts.SENT,
                                       not_before=now - DRAFT_TTL)
    row = await drafts.get_broadcast(session=session, broadcast_id=broadcast_id)
    if not claimed:
        return _refusal(row, actor_id, lang)
    case = await session.get(Case, row.case_id)
    try:
        event_id, changed, summary = await _apply(session=session, row=row, case=case, now=now,
                                                  actor_id=actor_id, offsets=reminder_offsets,
                                                  default_timezone=default_timezone, lang=lang)
    except CommandError as error:  # the facts changed since the preview
        await drafts.set_status(session=session, broadcast_id=broadcast_id,
                                status=drafts.CANCELLED)
        return Confirmed(False, error.text + "\n" + t("Nothing was sent.", lang), final=True)
    alert = await enqueue_alert(session=session, case_id=case.id, kind=row.kind,
                                text=row.payload["text"], event_id=event_id,
                                dedupe_key=f"broadcast:{row.id}", created_by=actor_id,
                                status_chat_id=status_chat_id,
                                status_message_id=status_message_id)
    recipients = alert.recipients if alert is not None else 0
    if alert is not None and not recipients:
        # Nothing to deliver: the answer below is the whole report, not a "0 of 0" edit.
        alert.status_chat_id = alert.status_message_id = None
        session.add(alert)
    await drafts.set_status(session=session, broadcast_id=row.id, status=drafts.SENT,
                            alert_id=alert.id if alert is not None else None)
    await audit.record(session=session, actor_id=actor_id, action=row.kind,
                       detail=f"{case.slug}: {summary}; alert to {recipients}", now=now)
    if recipients:
        message = t("📤 Sending to {people}…", lang,
                    people=tn("{count} subscriber", "{count} subscribers", recipients, lang))
    else:
        message = t("✅ Done. Nobody follows this case, so no message went out.", lang)
    return Confirmed(True, message, alert_id=alert.id if alert is not None else None,
                     recipients=recipients, final=True, event_ids=changed)


async def cancel_broadcast(*, session: AsyncSession, broadcast_id: int, actor_id: int,
                           now: dt.datetime, lang: str = "en") -> Confirmed:
    """[Cancel]: the draft is dropped; nothing is sent or changed."""
    claimed = await drafts.leave_draft(session=session, broadcast_id=broadcast_id,
                                       actor_id=actor_id, status=drafts.CANCELLED,
                                       not_before=now - DRAFT_TTL)
    row = await drafts.get_broadcast(session=session, broadcast_id=broadcast_id)
    if not claimed:
        return _refusal(row, actor_id, lang)
    await audit.record(session=session, actor_id=actor_id, action="cancel_" + row.kind,
                       detail=f"preview #{row.id} dropped, nothing sent", now=now)
    return Confirmed(True, t("✖️ Cancelled. Nothing was sent.", lang), final=True)


def _local_day(moment: dt.datetime, timezone: str) -> tuple[dt.date, dt.time]:
    local = _local(moment, timezone)
    return local.date(), local.time().replace(tzinfo=None, second=0, microsecond=0)


async def _scheduled_event(session: AsyncSession, row, lang: str) -> Event:
    event = await session.get(Event, row.payload["event_id"])
    old = dt.datetime.fromisoformat(row.payload["old_starts_at"])
    if event is None or event.status != "scheduled" or event.starts_at != old:
        raise CommandError(t("The hearing changed after this preview was made (it was "
                             "postponed, cancelled or held).", lang))
    return event


async def _apply(*, session: AsyncSession, row, case: Case, now: dt.datetime,
                 actor_id: int, offsets: Sequence[int], default_timezone: str,
                 lang: str) -> tuple[int | None, list[int], str]:
    """Make the change a draft stands for: (event id for the alert, events re-planned, summary)."""
    payload, kind = row.payload, row.kind
    timezone = payload.get("timezone") or case_timezone(case, default_timezone)

    if kind in HEARING_KINDS:
        starts_at = dt.datetime.fromisoformat(payload["starts_at"])
        if starts_at <= now:
            raise CommandError(t("The hearing time has passed since the preview.", lang))
        if not case.is_open:
            raise CommandError(t("The case was closed after this preview was made.", lang))
        day, time = _local_day(starts_at, timezone)
        event = Event(case_id=case.id, kind=kind, date=day, time=time, starts_at=starts_at,
                      place=payload.get("place"), origin="coordinator", status="scheduled",
                      text=texts.hearing_name(kind, ALERT_LANGUAGE), created_by=actor_id,
                      created_at=now, updated_at=now)
        session.add(event)
        await session.flush()
        await plan_reminders(session, event, offsets, now)
        return event.id, [event.id], (f"#{event.id} {format_local_time(starts_at, timezone)}"
                                      + (f", {payload['place']}" if payload.get("place") else ""))

    if kind == texts.POSTPONED:
        event = await _scheduled_event(session, row, lang)
        starts_at = dt.datetime.fromisoformat(payload["starts_at"])
        if starts_at <= now:
            raise CommandError(t("The new time has passed since the preview.", lang))
        event.starts_at = starts_at
        event.date, event.time = _local_day(starts_at, timezone)
        event.updated_at = now
        session.add(event)
        await session.flush()
        await replan_reminders(session, event, offsets, now)
        return event.id, [event.id], f"#{event.id} → {format_local_time(starts_at, timezone)}"

    if kind == texts.CANCELLED:
        event = await _scheduled_event(session, row, lang)
        event.status, event.updated_at = "cancelled", now
        session.add(event)
        await session.flush()
        await cancel_reminders(session, event)
        return event.id, [event.id], f"#{event.id} cancelled"

    if kind == texts.OUTCOME:
        hearing = await session.get(Event, payload["event_id"])
        if hearing is None or hearing.status == "cancelled":
            raise CommandError(t("The hearing was cancelled after this preview was made.",
                                 lang))
        outcome = Event(case_id=case.id, kind="outcome", date=hearing.date,
                        text=payload["outcome"], origin="coordinator", status="held",
                        parent_id=hearing.id, created_by=actor_id, created_at=now,
                        updated_at=now)
        session.add(outcome)
        changed = []
        if hearing.status == "scheduled":
            hearing.status, hearing.updated_at = "held", now
            session.add(hearing)
            changed.append(hearing.id)
        await session.flush()
        if changed:
            await cancel_reminders(session, hearing)
        return outcome.id, changed, f"outcome #{outcome.id} of hearing #{hearing.id}"

    if kind == texts.NEWS:
        day, _ = _local_day(now, timezone)
        news = Event(case_id=case.id, kind="news", date=day, text=payload["news"],
                     origin="coordinator", status="held", created_by=actor_id, created_at=now,
                     updated_at=now)
        session.add(news)
        await session.flush()
        return news.id, [], f"news #{news.id}"

    if kind == texts.CLOSED:
        if case.closed_at is not None:
            raise CommandError(t("The case was already closed.", lang))
        case.closed_at, case.closed_note, case.updated_at = now, payload["note"], now
        session.add(case)
        day, _ = _local_day(now, timezone)
        closed = Event(case_id=case.id, kind="closed", date=day, text=payload["note"],
                       origin="coordinator", status="held", created_by=actor_id,
                       created_at=now, updated_at=now)
        session.add(closed)
        await session.flush()
        scheduled = (await session.exec(select(Event).where(
            Event.case_id == case.id, Event.status == "scheduled"))).all()
        for event in scheduled:
            await cancel_reminders(session, event)
        return closed.id, [event.id for event in scheduled], "closed"

    raise CommandError(t("This kind of message can no longer be sent.", lang))


# ------------------------------------------------------------------------------------------
# Coordinators

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
                    by=row.added_by, day=f"{row.added_at:%Y-%m-%d}") for row in rows]
    else:
        lines.append(t("No coordinators yet.", lang))
    lines += ["", t("/addcoordinator &lt;user id&gt; · /removecoordinator &lt;user id&gt;", lang)]
    return shorten_html_lines(lines)


# ------------------------------------------------------------------------------------------
# Case files uploaded in chat

@dataclass(frozen=True)
class Upload:
    errors: list[ContentError]
    slug: str | None = None
    title: str | None = None
    outcome: str | None = None  # created | updated | unchanged
    kept: list[str] = field(default_factory=list)  # timeline keys kept for chat additions


async def upload_case(*, session: AsyncSession, actor_id: int, filename: str, content: bytes,
                      now: dt.datetime) -> Upload:
    """Check a case file with the same rules as content/ and add or update its case."""
    rows = (await session.exec(select(Authority))).all()
    authorities = {row.key: AuthorityDoc.model_validate(row.data) for row in rows}
    case, errors = parse_case(content, filename, authorities)
    if case is None:
        return Upload(errors=errors)
    synced = await upsert_case(session=session, case=case, origin="upload")
    await audit.record(session=session, actor_id=actor_id, action="upload_case",
                       detail=f"{case.slug} ({synced.outcome}) from {filename}", now=now)
    return Upload(errors=[], slug=case.slug, title=case.title, outcome=synced.outcome,
                  kept=synced.kept)


def upload_errors_text(filename: str, errors: Sequence[ContentError], lang: str = "en") -> str:
    lines = [t("❌ <b>{file}</b> was not loaded: {problems}.", lang, file=escape(filename),
               problems=tn("{count} problem", "{count} problems", len(errors), lang)), ""]
    for error in errors:
        where = f"<code>{escape(error.file)}</code>"
        if error.field:
            where += f" · <code>{escape(error.field)}</code>"
        lines.append(f"• {where}: {escape(error.message)}")
    lines += ["", t("Fix the file and send it again.", lang)]
    return shorten_html_lines(lines)


# ------------------------------------------------------------------------------------------
# Reports: /upcoming, /stats, /audit

async def upcoming_text(*, session: AsyncSession, now: dt.datetime, default_timezone: str,
                        lang: str = "en") -> str:
    rows = await stat_queries.upcoming_hearings(session=session, now=now)
    if not rows:
        return t("🗓 No hearings are scheduled. Schedule one with /hearing or /appeal.", lang)
    lines = [t("🗓 <b>Upcoming hearings</b>", lang), ""]
    for event, case in rows:
        timezone = case_timezone(case, default_timezone)
        line = (f"<b>#{event.id}</b> · <code>{escape(case.slug)}</code> · "
                f"{escape(format_local_time(event.starts_at, timezone))} · "
                f"{escape(texts.hearing_name(event.kind, lang))}")
        if event.place:
            line += f" · {escape(shorten(event.place, 80))}"
        lines.append(line)
    lines += ["", t("/postpone &lt;id&gt; &lt;YYYY-MM-DD HH:MM&gt; · /cancelhearing &lt;id&gt; · "
                    "/outcome &lt;id&gt; &lt;text&gt;", lang)]
    return shorten_html_lines(lines)


async def stats_text(*, session: AsyncSession, now: dt.datetime, slug: str | None,
                     lang: str = "en") -> str:
    case = await find_case(session=session, slug=slug, lang=lang) if slug else None
    case_id = case.id if case is not None else None
    subscribers = await stat_queries.subscriber_stats(session=session, now=now, case_id=case_id)
    deliveries = await stat_queries.delivery_stats(session=session, case_id=case_id)
    letters = await letter_counts(session=session, case_id=case_id)
    slugs = dict((await session.exec(select(Case.id, Case.slug))).all())

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
    if letters:
        lines += ["", t("<b>Letters sent per addressee</b>", lang)]
        for row in letters:
            prefix = "" if case else f"<code>{escape(slugs.get(row.case_id, '?'))}</code> → "
            lines.append(f"• {prefix}{escape(row.authority_key)}: {row.letters}")
    return shorten_html_lines(lines)


async def audit_text(*, session: AsyncSession, lang: str = "en", limit: int = 25) -> str:
    rows = await audit.recent(session=session, limit=limit)
    if not rows:
        return t("🧾 The audit log is empty.", lang)
    lines = [t("🧾 <b>Audit log</b> — newest first", lang), ""]
    for row in rows:
        moment = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
        lines.append(f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC · <code>{row.actor_id}"
                     f"</code> · <b>{escape(row.action)}</b> · {escape(shorten(row.detail, 200))}")
    return shorten_html_lines(lines)
