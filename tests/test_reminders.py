"""Reminders before hearings: planned from data, re-checked before sending, rebuilt at start-up.

Time is a FakeClock: tests call ``send_due_reminders`` / ``run_due_reminders`` with a controlled
"now" instead of sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from helpers_delivery import add_subscribers, case_id, make_case, wait_finished
from sqlmodel import select

from bot.clock import FakeClock
from bot.reminders import (
    SWEEP_JOB,
    cancel_reminders,
    dedupe_key,
    plan_reminders,
    reminder_jobs,
    render_reminder,
    replan_reminders,
    run_due_reminders,
    schedule_reminder_jobs,
    send_due_reminders,
    time_left,
)
from bot.services import SERVICES_KEY
from storage.db import Database
from storage.models import Alert, Case, Delivery, Event, Reminder

OFFSETS = (7 * 24 * 60, 24 * 60, 120)
T0 = dt.datetime(2030, 3, 1, 6, 0, tzinfo=dt.UTC)  # "now" at the start of each test
HEARING = dt.datetime(2030, 3, 4, 5, 0, tzinfo=dt.UTC)  # 10:00 in Almaty (UTC+05:00)


async def make_hearing(db: Database, case: int, starts_at: dt.datetime = HEARING) -> Event:
    async with db.session() as session:
        event = Event(case_id=case, kind="appeal_hearing", date=starts_at.date(),
                      starts_at=starts_at, status="scheduled", origin="coordinator",
                      text="Appeal hearing", court="Almaty City Court", city="Almaty")
        session.add(event)
        await session.flush()
        await plan_reminders(session, event, OFFSETS, T0)
    return event


async def planned(db: Database, event_id: int) -> list[tuple[int, dt.datetime]]:
    async with db.session() as session:
        rows = (await session.exec(select(Reminder).where(
            Reminder.event_id == event_id, Reminder.status == "planned")
            .order_by(Reminder.due_at))).all()
    return [(row.offset_minutes, row.due_at) for row in rows]


async def statuses(db: Database, event_id: int) -> dict[tuple[int, dt.datetime], str]:
    async with db.session() as session:
        rows = (await session.exec(select(Reminder).where(Reminder.event_id == event_id))).all()
    return {(row.offset_minutes, row.due_at): row.status for row in rows}


async def alerts(db: Database) -> list[Alert]:
    async with db.session() as session:
        return list((await session.exec(select(Alert).order_by(Alert.id))).all())


async def move(db: Database, event: Event, **changes) -> Event:
    async with db.session() as session:
        row = await session.get(Event, event.id)
        for name, value in changes.items():
            setattr(row, name, value)
        if "starts_at" in changes:
            row.date = changes["starts_at"].date()
    return row


def render_plain(event: Event, case: Case, minutes: int, lang: str = "en") -> str:
    return f"{case.slug}:{minutes}"


# ------------------------------------------------------------------------------- planning
async def test_only_reminders_still_ahead_are_planned_and_planning_is_idempotent(db):
    case = await make_case(db)
    event = await make_hearing(db, case)  # 2 days 23 hours ahead: the 7-day one has passed
    assert await planned(db, event.id) == [
        (1440, HEARING - dt.timedelta(days=1)), (120, HEARING - dt.timedelta(hours=2))]
    async with db.session() as session:
        again = await plan_reminders(session, await session.get(Event, event.id), OFFSETS, T0)
    assert [(row.offset_minutes, row.due_at) for row in again] == await planned(db, event.id)
    async with db.session() as session:
        assert len((await session.exec(select(Reminder))).all()) == 2

    # Offsets are data: a different configuration plans different reminders.
    async with db.session() as session:
        other = Event(case_id=case, kind="hearing", date=HEARING.date(), starts_at=HEARING,
                      status="scheduled", origin="coordinator")
        session.add(other)
        await session.flush()
        rows = await plan_reminders(session, other, (30, 4 * 60), T0)
    assert [row.offset_minutes for row in rows] == [240, 30]

    # A hearing without a time, or not scheduled, gets none.
    async with db.session() as session:
        undated = Event(case_id=case, kind="hearing", date=HEARING.date(), status="scheduled")
        session.add(undated)
        await session.flush()
        assert await plan_reminders(session, undated, OFFSETS, T0) == []


async def test_reminders_fire_at_their_time_once(db):
    case = await make_case(db, "kharkova-like", title="Larisa Kharkova")
    await add_subscribers(db, case, [11, 12, 13])
    event = await make_hearing(db, case)
    one_day, two_hours = HEARING - dt.timedelta(days=1), HEARING - dt.timedelta(hours=2)

    assert await send_due_reminders(db, one_day - dt.timedelta(seconds=1)) == 0
    assert await send_due_reminders(db, one_day) == 1
    assert await send_due_reminders(db, one_day + dt.timedelta(minutes=5)) == 0  # sent already
    [alert] = await alerts(db)
    assert alert.kind == "reminder" and alert.event_id == event.id and alert.recipients == 3
    assert alert.dedupe_key == dedupe_key(event.id, 1440, HEARING)
    assert alert.dedupe_key == f"reminder:{event.id}:1440:2030-03-04T05:00:00+00:00"
    assert "Hearing in 1 day" in alert.text and "Larisa Kharkova" in alert.text
    assert "4 Mar 2030, 10:00 (UTC+05:00)" in alert.text
    assert "Almaty City Court, Almaty" in alert.text

    assert await send_due_reminders(db, two_hours) == 1
    assert "Hearing in 2 hours" in (await alerts(db))[-1].text
    assert set((await statuses(db, event.id)).values()) == {"sent"}
    assert await send_due_reminders(db, HEARING + dt.timedelta(hours=1)) == 0


async def test_postponement_replans_and_no_stale_reminder_is_sent(db):
    case = await make_case(db)
    await add_subscribers(db, case, [21])
    event = await make_hearing(db, case)
    later = HEARING + dt.timedelta(days=14)
    moved = await move(db, event, starts_at=later)
    async with db.session() as session:
        await replan_reminders(session, moved, OFFSETS, T0)
    assert await planned(db, event.id) == [
        (off, later - dt.timedelta(minutes=off)) for off in OFFSETS]
    assert list((await statuses(db, event.id)).values()).count("cancelled") == 2

    # The old dates pass: nothing. The new ones come: the reminders say the new date.
    assert await send_due_reminders(db, HEARING - dt.timedelta(hours=2)) == 0
    assert await send_due_reminders(db, later - dt.timedelta(days=7)) == 1
    [alert] = await alerts(db)
    assert "18 Mar 2030" in alert.text and "in 7 days" in alert.text

    # Moved back to the first date: its reminders are planned again.
    back = await move(db, moved, starts_at=HEARING)
    async with db.session() as session:
        await replan_reminders(session, back, OFFSETS, T0)
    assert await planned(db, event.id) == [
        (1440, HEARING - dt.timedelta(days=1)), (120, HEARING - dt.timedelta(hours=2))]


async def test_a_hearing_moved_or_cancelled_without_replanning_sends_nothing(db):
    case = await make_case(db)
    await add_subscribers(db, case, [31])
    moved = await make_hearing(db, case)
    cancelled = await make_hearing(db, case, HEARING + dt.timedelta(hours=3))
    await move(db, moved, starts_at=HEARING + dt.timedelta(days=30))  # forgot to replan
    await move(db, cancelled, status="cancelled")
    assert await send_due_reminders(db, HEARING + dt.timedelta(hours=2)) == 0
    assert await alerts(db) == []
    assert set((await statuses(db, moved.id)).values()) == {"cancelled"}
    assert set((await statuses(db, cancelled.id)).values()) == {"cancelled"}

    # cancel_reminders is what the cancel command calls.
    other = await make_hearing(db, case, HEARING + dt.timedelta(days=2))
    async with db.session() as session:
        assert await cancel_reminders(session, other.id) == 2
    assert await planned(db, other.id) == []


async def test_missed_reminders_go_out_late_only_while_the_hearing_is_ahead(db):
    case = await make_case(db)
    await add_subscribers(db, case, [41])
    soon = await make_hearing(db, case, T0 + dt.timedelta(days=8))
    over = await make_hearing(db, case, T0 + dt.timedelta(days=2))
    # The bot was down from T0 until 3 hours before `soon`'s hearing: its 7-day and 1-day
    # reminders are overdue (only the nearer one goes, saying the real time left); the whole
    # of `over` happened while the bot was down.
    back_up = soon.starts_at - dt.timedelta(hours=3)
    assert await send_due_reminders(db, back_up, render_plain) == 1
    [alert] = await alerts(db)
    assert alert.event_id == soon.id and alert.text == "test-case:180"
    assert alert.dedupe_key == dedupe_key(soon.id, 1440, soon.starts_at)
    assert sorted((await statuses(db, soon.id)).values()) == ["planned", "sent", "skipped"]
    assert set((await statuses(db, over.id)).values()) == {"skipped"}
    # The 2-hour one still comes on time.
    assert await send_due_reminders(db, soon.starts_at - dt.timedelta(hours=2),
                                    render_plain) == 1


async def test_two_processes_racing_send_one_reminder_alert(database_url):
    first, second = Database(database_url), Database(database_url)
    try:
        case = await make_case(first)
        await add_subscribers(first, case, range(50, 80))
        await make_hearing(first, case)
        due = HEARING - dt.timedelta(days=1)
        results = await asyncio.gather(send_due_reminders(first, due),
                                       send_due_reminders(second, due))
        assert sum(results) == 1
        [_alert] = await alerts(first)
        async with first.session() as session:
            assert len((await session.exec(select(Delivery))).all()) == 30
    finally:
        await first.dispose()
        await second.dispose()


def test_default_renderer_says_what_when_and_where():
    case = Case(slug="x", title="Case <X> & co", timezone="Asia/Almaty", data={},
                content_hash="h")
    event = Event(case_id=1, kind="hearing", date=HEARING.date(), starts_at=HEARING,
                  text="Appeal <hearing>", court="Court", city="Almaty", place="Room 4")
    text = render_reminder(event, case, 120)
    assert text.startswith("⏰ <b>Hearing in 2 hours</b>")
    assert "<b>Case &lt;X&gt; &amp; co</b>" in text and "Appeal &lt;hearing&gt;" in text
    assert "4 Mar 2030, 10:00 (UTC+05:00)" in text and "Court, Almaty, Room 4" in text
    assert [time_left(m) for m in (10080, 1440, 1500, 1380, 120, 60, 45, 0)] == [
        "in 7 days", "in 1 day", "in 1 day", "in 23 hours", "in 2 hours", "in 1 hour", "in 45 minutes",
        "in 1 minute"]


# --------------------------------------------------------------------- through the app
async def test_reminder_job_sends_through_the_bot_and_jobs_are_rebuilt_on_restart(tg):
    alice = tg.user("Alice")
    await alice.send("/start kharkova")
    await alice.reply()
    kharkova = await case_id(tg.db, "kharkova")
    event = await make_hearing(tg.db, kharkova)
    one_day, two_hours = HEARING - dt.timedelta(days=1), HEARING - dt.timedelta(hours=2)

    services = tg.app.bot_data[SERVICES_KEY]
    services.clock = FakeClock(T0)
    await schedule_reminder_jobs(tg.app)
    assert reminder_jobs(tg.app) == sorted([
        f"reminder@{one_day.isoformat()}", f"reminder@{two_hours.isoformat()}", SWEEP_JOB])
    job = tg.app.job_queue.get_jobs_by_name(f"reminder@{one_day.isoformat()}")[0]
    assert job.data == one_day

    # The job's time comes: what the job runs sends the reminder to every subscriber.
    services.clock.set(one_day)
    assert await run_due_reminders(tg.app) == 1
    message = await alice.reply()
    assert message.text.startswith("⏰ Hearing in 1 day")
    assert message.button_texts == ["🙋 I'll attend", "💻 I'll follow online",
                                    "🗓 Add to calendar", "✍️ Write a letter", "📂 Open case",
                                    "🔕 Unsubscribe"]
    assert message.find_button("Add to calendar")["callback_data"] == f"ic:{event.id}"
    [alert] = await alerts(tg.db)
    await wait_finished(tg.db, alert.id)

    # A restart rebuilds the jobs from the table: the 2-hour one is still there.
    await tg.restart()
    names = reminder_jobs(tg.app)
    assert f"reminder@{two_hours.isoformat()}" in names and SWEEP_JOB in names
    assert f"reminder@{one_day.isoformat()}" not in names
    assert event.id is not None
