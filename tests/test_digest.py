"""News as a daily digest, end to end: a reader who chose it gets the day's news in one message
at 19:00 their time (through the outbox), others as it comes. Time is the bot's FakeClock."""

from __future__ import annotations

import datetime as dt

from test_settings import answer_with, follow, rows, tap, use_clock
from test_thanks import send_broadcast

from bot.digest import run_due_digests
from storage.models import DigestItem

MORNING = dt.datetime(2030, 3, 1, 6, 0, tzinfo=dt.UTC)  # 11:00 in Almaty
DIGEST_AT = dt.datetime(2030, 3, 1, 14, 0, tzinfo=dt.UTC)  # 19:00 in Almaty


async def test_news_digest_comes_once_a_day_in_one_message(tg):
    alice, bob, owner = tg.user("Alice"), tg.user("Bob"), tg.owner()
    await follow(alice)
    await follow(bob)
    await alice.send("/settings")
    screen = await answer_with(alice, "Settings")
    screen = await tap(alice, "📰 News: as it comes", "daily digest at 19:00 (Almaty, Astana)",
                       screen)
    assert screen.has_button("📰 News: daily digest")

    clock = use_clock(tg, MORNING)
    await send_broadcast(owner, "/news kharkova First: a family visit was allowed.")
    await answer_with(bob, "family visit")
    await send_broadcast(owner, "/news kharkova Second: the appeal was filed.")
    await answer_with(bob, "appeal was filed")
    await tg.idle()
    await alice.assert_no_reply(wait=3 * tg.settings.delivery_poll_interval)
    items = await rows(tg, DigestItem)
    assert len(items) == 2 and {item.due_at for item in items} == {DIGEST_AT}

    clock.set(DIGEST_AT - dt.timedelta(minutes=1))
    assert await run_due_digests(tg.app) == 0
    clock.set(DIGEST_AT + dt.timedelta(minutes=1))
    assert await run_due_digests(tg.app) == 1
    digest = await answer_with(alice, "Your daily news digest")
    assert "family visit" in digest.text and "appeal was filed" in digest.text
    assert digest.has_button("Larisa Kharkova") and digest.has_button("⚙️ Settings")
    assert await run_due_digests(tg.app) == 0 and await rows(tg, DigestItem) == []
    await tg.idle()
    await alice.assert_no_reply(wait=0.5)  # one message, not one per news

    # Back to news as it comes: the next news arrives at once.
    screen = await tap(alice, "⚙️ Settings", "Settings", digest)
    await tap(alice, "📰 News: daily digest", "News: as it comes", screen)
    await send_broadcast(owner, "/news kharkova Third: a new lawyer.")
    assert "new lawyer" in (await answer_with(alice, "new lawyer")).text
