"""Reminders before scheduled hearings.

The ``Reminder`` table is the source of truth; PTB JobQueue jobs are only alarms rebuilt from it.

- **Planning.** ``plan_reminders`` makes one row per offset (``settings.reminder_offsets``,
  minutes before the hearing) whose due time is still in the future — never one already passed.
  ``replan_reminders`` follows a postponement (stale planned rows are cancelled, new ones
  planned); ``cancel_reminders`` follows a cancellation. Call them in the transaction that
  changes the hearing, then ``await schedule_reminder_jobs(application)`` after it commits.
- **Sending.** ``send_due_reminders`` looks at planned rows whose time has come and re-checks the
  hearing right before sending (still scheduled, same start, still ahead). It then enqueues a
  reminder alert with dedupe key ``reminder:<event>:<offset>:<starts_at>`` — one per hearing ×
  offset even when two processes race — and marks the row sent. A reminder missed while the bot
  was down goes out late if the hearing is still ahead (only the nearest one, when several are
  overdue), and is skipped otherwise.
- **Scheduling.** ``schedule_reminder_jobs`` adds one ``run_once`` job per due time and a
  periodic sweep (every ``SWEEP_SECONDS``) that catches anything else, e.g. reminders another
  process planned. "Now" always comes from ``Services.clock``, so tests drive time with a
  ``FakeClock`` and call :func:`run_due_reminders` instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import Application, ContextTypes

from bot.alert_priority import alert_priority
from bot.alert_texts import HEARING_KINDS, hearing_name
from bot.alerts import enqueue_alert
from bot.i18n import t, tn
from bot.render import case_title, event_when, resolve_timezone
from bot.services import SERVICES_KEY, Services
from content.languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES
from storage import reminders as queries
from storage.alerts import get_alert_by_dedupe_key
from storage.cases import get_case
from storage.db import Database
from storage.events import get_event
from storage.models import Case, Event, EventStatus, Reminder, ReminderStatus

log = logging.getLogger(__name__)

REMINDER_KIND = "reminder"
JOB_PREFIX = "reminder@"
SWEEP_JOB = "reminder-sweep"
SWEEP_SECONDS = 45.0
# A reminder sent later than this says the real time left, not its planned offset.
LATE_AFTER = dt.timedelta(minutes=15)
# A reminder for a hearing less than 2 hours away goes out even in the recipient's quiet hours;
# the 2-hour reminder itself (sent on time, give or take the job's lag) is one.
URGENT_WITHIN = dt.timedelta(hours=2, minutes=1)

Render = Callable[[Event, Case, int, str], str]  # (event, case, minutes left, language)


def dedupe_key(event_id: int, offset_minutes: int, starts_at: dt.datetime) -> str:
    return f"reminder:{event_id}:{offset_minutes}:{starts_at.astimezone(dt.UTC).isoformat()}"


def is_remindable(event: Event) -> bool:
    return event.status == EventStatus.SCHEDULED and event.starts_at is not None


# ------------------------------------------------------------------------------- rendering
def time_left(minutes: int, lang: str = "en") -> str:
    """'in 7 days', 'in 1 day', 'in 2 hours', 'in 45 minutes'."""
    if minutes >= 24 * 60:
        days = round(minutes / (24 * 60))
        return tn("in {count} day", "in {count} days", days, lang)
    if minutes >= 60:
        hours = round(minutes / 60)
        return tn("in {count} hour", "in {count} hours", hours, lang)
    return tn("in {count} minute", "in {count} minutes", max(minutes, 1), lang)


def render_reminder(event: Event, case: Case, offset_minutes: int, lang: str = "en",
                    default_timezone: str = "UTC") -> str:
    """The default reminder text (Telegram HTML): what, when in the court's time, where."""
    where = ", ".join(part for part in (event.court, event.city, event.place) if part)
    lines = [
        "⏰ " + t("<b>Hearing {when}</b>", lang, when=escape(time_left(offset_minutes, lang))),
        f"<b>{escape(case_title(case, lang))}</b>",
    ]
    if event.origin == "coordinator" and event.kind in HEARING_KINDS:
        lines.append(f"🏛 {escape(hearing_name(event.kind, lang))}")
    elif event.text:
        lines.append(f"🏛 {escape(event.text)}")
    zone = resolve_timezone(case.timezone, default_timezone)
    lines.append(f"🕙 {escape(event_when(event, zone, lang))}")
    if where:
        lines.append(f"📍 {escape(where)}")
    lines.append("")
    lines.append(t("Come to support, or write a letter before it starts.", lang))
    return "\n".join(lines)


# -------------------------------------------------------------------------------- planning
def wanted_reminders(event: Event, offsets: Iterable[int],
                     now: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """(offset, due) for each offset whose due time is still ahead, farthest first."""
    if not is_remindable(event):
        return []
    assert event.starts_at is not None
    out = []
    for offset in sorted({int(o) for o in offsets if int(o) > 0}, reverse=True):
        due = event.starts_at - dt.timedelta(minutes=offset)
        if due > now:
            out.append((offset, due))
    return out


async def plan_reminders(session: AsyncSession, event: Event, offsets: Iterable[int],
                         now: dt.datetime) -> list[Reminder]:
    """Plan the reminders of a scheduled hearing (none whose time has passed); idempotent.

    ``event`` needs ``status == "scheduled"`` and an aware UTC ``starts_at``; ``offsets`` are
    minutes before it (``settings.reminder_offsets``); ``now`` is ``services.clock.now()``.
    Returns the planned rows that match, nearest last.
    """
    if event.id is None:
        await session.flush()
    wanted = wanted_reminders(event, offsets, now)
    for offset, due in wanted:
        await queries.plan(session=session, event_id=event.id, offset_minutes=offset,
                           due_at=due)
    if not wanted:
        return []
    rows = await queries.planned_for_event(session=session, event_id=event.id)
    keep = set(wanted)
    return [row for row in rows if (row.offset_minutes, row.due_at) in keep]


async def cancel_reminders(session: AsyncSession, event: Event | int,
                           keep: Sequence[tuple[int, dt.datetime]] = ()) -> int:
    """Cancel the planned reminders of a hearing (except ``keep``); how many were cancelled."""
    event_id = event if isinstance(event, int) else event.id
    rows = await queries.planned_for_event(session=session, event_id=event_id)
    stale = [row.id for row in rows if (row.offset_minutes, row.due_at) not in set(keep)]
    await queries.cancel(session=session, reminder_ids=stale)
    return len(stale)


async def replan_reminders(session: AsyncSession, event: Event, offsets: Iterable[int],
                           now: dt.datetime) -> list[Reminder]:
    """After a postponement (or any change of the hearing): cancel what no longer fits, plan
    the rest. A cancelled or unscheduled hearing ends with no planned reminders."""
    offsets = list(offsets)
    wanted = wanted_reminders(event, offsets, now)
    await cancel_reminders(session, event, keep=wanted)
    return await plan_reminders(session, event, offsets, now)


# --------------------------------------------------------------------------------- sending
async def send_due_reminders(db: Database, now: dt.datetime,
                             render: Render = render_reminder) -> int:
    """Enqueue the alerts of every planned reminder due at ``now``; how many were enqueued.

    Each reminder is handled in its own transaction, re-checking its hearing first.
    """
    async with db.session() as session:
        due = await queries.due(session=session, now=now)
    enqueued = 0
    for reminder_id in due:
        try:
            if await _send_one(db, reminder_id, now, render):
                enqueued += 1
        except Exception:
            log.exception("reminder %s could not be sent", reminder_id)
    return enqueued


async def _set_status(session: AsyncSession, reminder_id: int, status: ReminderStatus,
                      alert_id: int | None = None) -> bool:
    return await queries.settle(session=session, reminder_id=reminder_id, status=status,
                                alert_id=alert_id)


async def _send_one(db: Database, reminder_id: int, now: dt.datetime, render: Render) -> bool:
    async with db.session() as session:
        reminder = await queries.get_reminder(session=session, reminder_id=reminder_id)
        if reminder is None or reminder.status != ReminderStatus.PLANNED:
            return False  # another process got here first
        event = await get_event(session=session, event_id=reminder.event_id)
        planned_start = reminder.due_at + dt.timedelta(minutes=reminder.offset_minutes)
        if event is None or not is_remindable(event) or event.starts_at != planned_start:
            # cancelled, or moved without a replan: never send a stale date
            log.info("reminder %s: hearing %s changed; not sending", reminder_id,
                     reminder.event_id)
            await _set_status(session, reminder_id, ReminderStatus.CANCELLED)
            return False
        assert event.starts_at is not None
        if event.starts_at <= now:
            log.info("reminder %s: hearing %s already started; skipped", reminder_id, event.id)
            await _set_status(session, reminder_id, ReminderStatus.SKIPPED)
            return False
        others = await queries.overdue_siblings(session=session, reminder=reminder, now=now)
        nearer = [other for other in others if other.offset_minutes < reminder.offset_minutes
                  and other.due_at + dt.timedelta(minutes=other.offset_minutes) == planned_start]
        if nearer:
            # Overdue together with a reminder closer to the hearing (the bot was down):
            # only the nearest one goes out.
            await _set_status(session, reminder_id, ReminderStatus.SKIPPED)
            return False
        case = await get_case(session=session, case_id=event.case_id)
        if case is None:
            await _set_status(session, reminder_id, ReminderStatus.CANCELLED)
            return False
        late = now - reminder.due_at > LATE_AFTER
        minutes = (int((event.starts_at - now).total_seconds() // 60) if late
                   else reminder.offset_minutes)
        key = dedupe_key(event.id, reminder.offset_minutes, event.starts_at)
        # Rendered now, from the facts checked above, in every language: the delivery worker
        # gives each subscriber theirs (bot.alert_render).
        texts = {lang: render(event, case, minutes, lang) for lang in INTERFACE_LANGUAGES}
        alert = await enqueue_alert(session=session, case_id=case.id, kind=REMINDER_KIND,
                                    text=texts[DEFAULT_LANGUAGE], event_id=event.id,
                                    dedupe_key=key, payload={"texts": texts}, now=now,
                                    reminder_offset=reminder.offset_minutes,
                                    urgent=event.starts_at - now < URGENT_WITHIN,
                                    hold_until_before=event.starts_at,
                                    priority=alert_priority(REMINDER_KIND, now=now,
                                                            hearing_starts_at=event.starts_at))
        if alert is None:  # another process enqueued it
            existing = await get_alert_by_dedupe_key(session=session, dedupe_key=key)
            await _set_status(session, reminder_id, ReminderStatus.SENT,
                              existing.id if existing else None)
            return False
        await _set_status(session, reminder_id, ReminderStatus.SENT, alert.id)
        log.info("reminder %s: alert %s for hearing %s to %d subscribers", reminder_id, alert.id,
                 event.id, alert.recipients)
        return True


# ------------------------------------------------------------------------------ scheduling
def _services(application: Application) -> Services:
    return application.bot_data[SERVICES_KEY]


async def run_due_reminders(application: Application) -> int:
    """What every reminder job does: send what is due now (by ``Services.clock``)."""
    services = _services(application)
    render = functools.partial(render_reminder,
                               default_timezone=services.settings.default_timezone)
    return await send_due_reminders(services.db, services.clock.now(), render)


async def _reminder_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await run_due_reminders(context.application)
    except Exception:
        log.exception("reminder job failed")


async def _sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await run_due_reminders(context.application)
        await schedule_reminder_jobs(context.application)
    except Exception:
        log.exception("reminder sweep failed")


async def schedule_reminder_jobs(application: Application) -> int:
    """(Re)build the jobs from the Reminder table: one run_once per due time and the sweep.

    Safe to call any time (jobs that already exist are kept); call it after a hearing is
    created, postponed or cancelled. Returns the number of jobs added.
    """
    queue = application.job_queue
    if not _services(application).runs_jobs:
        return 0  # a `web` process: the workers' sweep picks up what it planned
    if queue is None:
        log.warning("no JobQueue (install python-telegram-bot[job-queue]); reminders rely on "
                    "nothing")
        return 0
    services = _services(application)
    now = services.clock.now()
    async with services.db.session() as session:
        dues = await queries.planned_due_times(session=session)
    added = 0
    overdue = False
    for due in dues:
        if due <= now:
            overdue = True
            continue
        name = JOB_PREFIX + due.isoformat()
        if queue.get_jobs_by_name(name):
            continue
        queue.run_once(_reminder_job, when=(due - now).total_seconds(), name=name, data=due)
        added += 1
    if overdue and not queue.get_jobs_by_name(JOB_PREFIX + "overdue"):
        queue.run_once(_reminder_job, when=0, name=JOB_PREFIX + "overdue")
        added += 1
    if not queue.get_jobs_by_name(SWEEP_JOB):
        queue.run_repeating(_sweep_job, interval=SWEEP_SECONDS, first=SWEEP_SECONDS,
                            name=SWEEP_JOB)
    return added


def reminder_jobs(application: Application) -> list[str]:
    """Names of the reminder jobs now scheduled (for tests and diagnostics)."""
    queue = application.job_queue
    if queue is None:
        return []
    return sorted(job.name for job in queue.jobs() if job.name and job.name.startswith(
        (JOB_PREFIX, SWEEP_JOB)))
