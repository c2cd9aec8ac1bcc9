"""[I'll attend] / [I'll follow online] under a hearing's reminder, end to end: one answer per
person per hearing, toggled; coordinators see the counts in /stats."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select
from test_settings import answer_with, follow, hearing, rows, use_clock

from bot.reminders import run_due_reminders
from storage.models import Attendance

NOW = dt.datetime(2030, 3, 1, 6, 0, tzinfo=dt.UTC)
STARTS = dt.datetime(2030, 3, 20, 5, 0, tzinfo=dt.UTC)


async def test_attendance_answers_are_toggled_and_counted(tg):
    alice, bob, owner = tg.user("Alice"), tg.user("Bob"), tg.owner()
    await follow(alice)
    await follow(bob)
    clock = use_clock(tg, NOW)
    event = await hearing(tg, STARTS, NOW)
    clock.set(STARTS - dt.timedelta(days=7))
    assert await run_due_reminders(tg.app) == 1
    reminder = await answer_with(alice, "in 7 days")
    bob_reminder = await answer_with(bob, "in 7 days")
    assert reminder.has_button("🙋 I'll attend") and reminder.has_button("💻 I'll follow online")
    assert reminder.has_button("Unsubscribe")

    await alice.press("I'll attend", reminder)
    edited = await answer_with(alice, "in 7 days")
    assert edited.has_button("✅ 🙋 I'll attend") and not edited.has_button("✅ 💻")
    await alice.press("I'll follow online", edited)
    edited = await answer_with(alice, "in 7 days")
    assert edited.has_button("✅ 💻 I'll follow online") and not edited.has_button("✅ 🙋")
    await bob.press("I'll attend", bob_reminder)
    await answer_with(bob, "in 7 days")
    assert sorted((a.supporter_id, a.mode) for a in await rows(tg, Attendance)) == sorted(
        [(alice.chat_id, "o"), (bob.chat_id, "a")])

    await owner.send("/stats")
    stats = await answer_with(owner, "Statistics")
    assert f"#{event.id} kharkova" in stats.text
    assert "1 will attend, 1 will follow online" in stats.text

    # Pressing one's answer again takes it back; a forged button changes nothing.
    await alice.press("✅ 💻 I'll follow online", edited)
    edited = await answer_with(alice, "in 7 days")
    assert not edited.has_button("✅")
    for data in ("at:abc:a", f"at:{event.id}:x", "at:99999:a"):
        await alice.press_data(data, edited)
    await tg.idle()
    async with tg.db.session() as session:
        answers = (await session.exec(select(Attendance))).all()
    assert [(a.supporter_id, a.mode) for a in answers] == [(bob.chat_id, "a")]
    await owner.send("/stats kharkova")
    assert "1 will attend, 0 will follow online" in (await answer_with(owner, "Statistics")).text
