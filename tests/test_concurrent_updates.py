"""Updates of different chats are handled side by side; one chat's updates stay in order, and
SQLite (one writer at a time) keeps up with concurrent handlers."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import func, select

from bot.update_processor import PerChatUpdateProcessor
from storage.models import Subscription


async def test_one_chat_waits_for_nobody_else(tg):
    """A slow answer in one chat does not hold up another chat's answer."""
    assert isinstance(tg.app.update_processor, PerChatUpdateProcessor)
    slow, quick = tg.user("Slow"), tg.user("Quick")
    # Telegram takes long to accept the answer to Slow: sequential handling would make Quick
    # wait for it too.
    tg.server.fail("sendMessage", chat_id=slow.id, delay=3.0, times=1)
    await slow.send("/help")
    await asyncio.sleep(0)  # Slow's update reaches the server first
    await quick.send("/help")
    await quick.reply(timeout=2.5)
    assert slow.messages == [], "Quick was answered only after Slow"
    await slow.reply(timeout=5)


async def test_each_persons_updates_keep_their_order_under_a_burst(tg, caplog):
    """40 people each tap the same deep link twice at once: the first tap subscribes, the
    second says they already follow: never the other way round, never two rows."""
    caplog.set_level(logging.WARNING)
    people = [tg.user(f"Person {n}") for n in range(40)]
    for person in people:
        await person.send("/start kharkova")
        await person.send("/start kharkova")
    for person in people:
        first, second = await person.replies(2, timeout=20)
        assert "You are subscribed" in first.text, person.dump()
        assert "already follow" in second.text, person.dump()
    async with tg.db.session() as session:
        rows = (await session.exec(select(func.count()).select_from(Subscription))).scalar_one()
    assert rows == len(people)
    problems = [r.getMessage() for r in caplog.records
                if "locked" in r.getMessage().lower() or r.levelno >= logging.ERROR]
    assert problems == []
