"""/settings end to end through the Bot API server: reminders on or off, quiet hours that hold an
alert until they end (a reminder for a hearing less than 2 hours away still comes through),
protected letters, and /forget deleting the settings. Time is the bot's FakeClock."""

from __future__ import annotations

import asyncio
import datetime as dt

from helpers_delivery import add_subscribers, make_case
from sqlmodel import select

from bot.alerts import enqueue_alert
from bot.clock import FakeClock
from bot.reminders import plan_reminders, run_due_reminders
from bot.services import SERVICES_KEY
from storage import preferences
from storage.models import Case, Delivery, Event, Preference, ReminderOptOut

# 23:00 in Almaty (UTC+05:00): inside quiet hours 22:00–07:00, which end at 02:00 UTC.
NIGHT = dt.datetime(2030, 3, 1, 18, 0, tzinfo=dt.UTC)
QUIET_ENDS = dt.datetime(2030, 3, 2, 2, 0, tzinfo=dt.UTC)


async def answer_with(user, wanted: str, timeout: float = 10.0):
    """The first message sent or edited since the user's action that contains ``wanted``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        message = await user.reply(timeout=max(0.01, deadline - loop.time()))
        if wanted in message.text:
            return user.message(message.message_id)


async def tap(user, label: str, wanted: str, message=None):
    await user.press(label, message)
    return await answer_with(user, wanted)


async def rows(tg, model, *where):
    async with tg.db.session() as session:
        return list((await session.exec(select(model).where(*where))).all())


async def follow(user, slug: str = "kharkova") -> None:
    await user.send(f"/start {slug}")
    await answer_with(user, "subscribed")


def use_clock(tg, moment: dt.datetime) -> FakeClock:
    clock = FakeClock(moment)
    tg.app.bot_data[SERVICES_KEY].clock = clock
    return clock


async def hearing(tg, starts_at: dt.datetime, now: dt.datetime) -> Event:
    """A scheduled hearing of kharkova with its reminders planned (7 days, 1 day, 2 hours)."""
    async with tg.db.session() as session:
        case = (await session.exec(select(Case).where(Case.slug == "kharkova"))).one()
        event = Event(case_id=case.id, kind="hearing", date=starts_at.date(),
                      starts_at=starts_at, status="scheduled", origin="coordinator",
                      court="Shymkent City Court")
        session.add(event)
        await session.flush()
        await plan_reminders(session, event, tg.settings.reminder_offsets, now)
    return event


async def test_settings_screen_reminders_quiet_hours_and_forget(tg):
    alice, bob, owner = tg.user("Alice"), tg.user("Bob"), tg.owner()
    poll = tg.settings.delivery_poll_interval  # the worker's look for due rows
    await follow(alice)
    await follow(bob)

    await alice.send("/settings")
    screen = await answer_with(alice, "Settings")
    assert "Quiet hours: off" in screen.text
    assert "✅ 7 days before, ✅ 1 day before, ✅ 2 hours before" in screen.text
    assert await rows(tg, Preference) == []  # looking stores nothing

    screen = await tap(alice, "✅ 7 days before", "🚫 7 days before", screen)
    assert [(r.supporter_id, r.offset_minutes) for r in await rows(tg, ReminderOptOut)] == [
        (alice.chat_id, 7 * 24 * 60)]
    quiet = await tap(alice, "🌙 Quiet hours", "No alerts between these hours", screen)
    assert "Now: off" in quiet.text
    quiet = await tap(alice, "22:00", "22:00–07:00 (Almaty, Astana)", quiet)
    quiet = await tap(alice, "08:00", "22:00–08:00", quiet)
    quiet = await tap(alice, "Berlin", "22:00–08:00 (Berlin)", quiet)
    quiet = await tap(alice, "Almaty, Astana", "22:00–08:00 (Almaty, Astana)", quiet)
    quiet = await tap(alice, "07:00", "22:00–07:00 (Almaty, Astana)", quiet)
    [pref] = await rows(tg, Preference)
    assert (pref.supporter_id, pref.timezone, pref.quiet_start, pref.quiet_end) == (
        alice.chat_id, "Asia/Almaty", 22, 7)
    screen = await tap(alice, "⬅️ Back", "Settings", quiet)
    assert "Quiet hours: 22:00–07:00 (Almaty, Astana)" in screen.text
    assert screen.has_button("🚫 7 days before")

    # News at 23:00 in Almaty: Bob gets it now, Alice when her quiet hours end.
    clock = use_clock(tg, NIGHT)
    await owner.send("/news kharkova She was allowed a family visit.")
    question = await answer_with(owner, "subscribers")
    await owner.press("Send", question)
    await answer_with(bob, "family visit")
    await tg.idle()
    await alice.assert_no_reply(wait=3 * poll)  # longer than the worker's poll
    [held] = await rows(tg, Delivery, Delivery.supporter_id == alice.chat_id)
    assert held.status == "pending" and held.not_before == QUIET_ENDS

    clock.set(QUIET_ENDS + dt.timedelta(minutes=1))
    tg.app.bot_data[SERVICES_KEY].delivery.wake()
    assert "family visit" in (await answer_with(alice, "family visit")).text

    # Reminders: the 7-day one Alice turned off does not come; the 2-hour one comes through
    # her quiet hours (the hearing is less than 2 hours away by then).
    starts = dt.datetime(2030, 3, 9, 19, 30, tzinfo=dt.UTC)  # 00:30 in Almaty
    clock.set(NIGHT)
    await hearing(tg, starts, NIGHT)
    clock.set(starts - dt.timedelta(days=7))  # 00:30 in Almaty: quiet hours
    assert await run_due_reminders(tg.app) == 1
    await answer_with(bob, "in 7 days")
    await tg.idle()
    await alice.assert_no_reply(wait=3 * poll)
    assert [d.supporter_id for d in await rows(tg, Delivery, Delivery.status == "pending")] == []

    clock.set(starts - dt.timedelta(days=1))  # quiet hours: held until 07:00
    assert await run_due_reminders(tg.app) == 1
    await answer_with(bob, "in 1 day")
    await alice.assert_no_reply(wait=3 * poll)
    [held] = await rows(tg, Delivery, Delivery.status == "pending")
    assert held.supporter_id == alice.chat_id

    # 22:30 in Almaty: quiet again, but the hearing is 2 hours away. (The 1-day reminder held
    # since the night went out at 07:00, which the clock has passed.)
    clock.set(starts - dt.timedelta(hours=2))
    assert await run_due_reminders(tg.app) == 1
    assert "in 2 hours" in (await answer_with(alice, "in 2 hours")).text
    await answer_with(bob, "in 2 hours")

    # /forget deletes the settings with the person.
    await alice.send("/forget")
    question = await answer_with(alice, "cannot be undone")
    await tap(alice, "Yes, delete my data", "I deleted everything", question)
    assert await rows(tg, Preference) == [] and await rows(tg, ReminderOptOut) == []


async def test_protected_letters_and_language_from_settings(tg):
    alice = tg.user("Alice")
    await alice.send("/settings")
    screen = await answer_with(alice, "Settings")
    await tap(alice, "🌐 Language", "Which language shall I write to you in?", screen)
    screen = await tap(alice, "🛡 Protect letters: off", "saving): on", screen)
    assert screen.has_button("🛡 Protect letters: on")

    await alice.send("/write kharkova")
    await answer_with(alice, "Who do you want to write to?")
    await tap(alice, "Kalmukhanbet Kassymov", "In which language")
    await tap(alice, "English", "How do you want to sign")
    await alice.send("Jane Doe, Berlin")
    draft = await answer_with(alice, "How will you send it?")
    assert draft.has_protected_content
    helper = await tap(alice, "Email", "When you have sent it", draft)
    assert helper.has_protected_content
    document = next(m for m in reversed(alice.messages) if m.document)
    assert document.has_protected_content

    # Turned off again: the next draft can be forwarded.
    await alice.send("/settings")
    screen = await answer_with(alice, "Settings")
    await tap(alice, "🛡 Protect letters: on", "saving): off", screen)
    await alice.send("/write kharkova")
    await answer_with(alice, "Who do you want to write to?")
    await tap(alice, "Kalmukhanbet Kassymov", "In which language")
    await tap(alice, "English", "How do you want to sign")
    await alice.send("Jane Doe, Berlin")
    assert not (await answer_with(alice, "How will you send it?")).has_protected_content


async def test_forged_settings_buttons_change_nothing(tg):
    alice = tg.user("Alice")
    await alice.send("/settings")
    screen = await answer_with(alice, "Settings")
    for data in ("st:r:5", "st:z:99", "st:f:13", "st:e:23", "st:x", "st:r:", "st:r:abc"):
        await alice.press_data(data, screen)
    await tg.idle()
    assert await rows(tg, Preference) == [] and await rows(tg, ReminderOptOut) == []


async def test_quiet_hours_never_hold_a_reminder_past_its_hearing(db):
    """A reminder offset of 3 hours, sent at 23:00 in Almaty for a hearing at 02:00: quiet
    hours (22–07) would end after the hearing, so it goes now; the same alert for a hearing
    after 07:00 waits. (Plain calls: the fan-out is what is tested.)"""
    case = await make_case(db)
    await add_subscribers(db, case, [501])
    async with db.session() as session:
        await preferences.update_settings(session=session, chat_id=501, timezone="Asia/Almaty",
                                          quiet_start=22, quiet_end=7)
    for key, hearing_at, held in (("soon", NIGHT + dt.timedelta(hours=3), None),
                                  ("later", QUIET_ENDS + dt.timedelta(hours=3), QUIET_ENDS)):
        async with db.session() as session:
            alert = await enqueue_alert(session=session, case_id=case, kind="reminder",
                                        text="x", dedupe_key=key, now=NIGHT,
                                        reminder_offset=180, hold_until_before=hearing_at)
        async with db.session() as session:
            [row] = (await session.exec(select(Delivery).where(
                Delivery.alert_id == alert.id))).all()
        assert row.not_before == held, key
