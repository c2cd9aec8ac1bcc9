"""Urgent alerts go before bulk ones, and two big alerts share the send budget round-robin
(through the project's Bot API server, SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from helpers_delivery import (
    add_subscribers,
    make_case,
    running_worker,
    sends,
    wait_finished,
    wait_until,
)

from bot.alert_priority import BULK, URGENT, alert_priority
from bot.alerts import enqueue_alert
from storage.models import Alert

OPTIONS = {"rate": 60.0, "per_chat_interval": 0.0, "poll_interval": 0.1, "batch": 10,
           "concurrency": 2, "progress_interval": 5.0}


async def enqueue(db, case: int, kind: str, text: str, **kwargs) -> Alert:
    async with db.session() as session:
        alert = await enqueue_alert(session=session, case_id=case, kind=kind, text=text,
                                    **kwargs)
    assert alert is not None
    return alert


def sent_labels(server) -> list[str]:
    """Which alert each successful send belonged to, in the order Telegram accepted them."""
    return [str(call.params["text"]).split()[0] for call in sends(server)]


async def test_urgent_alert_overtakes_bulk_and_bulk_alerts_take_turns(db, server):
    case = await make_case(db)
    await add_subscribers(db, case, range(500, 560), server=server)
    first = await enqueue(db, case, "news", "First bulletin")
    second = await enqueue(db, case, "news", "Second bulletin")
    assert (first.priority, second.priority) == (BULK, BULK)

    async with running_worker(server, db, **OPTIONS):
        async def under_way() -> bool:
            return len(sends(server)) >= 20

        await wait_until(under_way, what="the bulletins to be under way")
        urgent = await enqueue(db, case, "correction", "Correction: the hearing moved")
        assert urgent.priority == URGENT
        for alert in (first, second, urgent):
            await wait_finished(db, alert.id, timeout=30)

    labels = sent_labels(server)
    assert sorted(labels) == sorted(["First"] * 60 + ["Second"] * 60 + ["Correction:"] * 60)
    # Round-robin: in the sends before the correction came, both bulletins had their share.
    before = labels[:20]
    assert before.count("First") >= 7 and before.count("Second") >= 7, before
    # The correction went out before what was left of the bulletins: once its first copy went,
    # only the few rows already in the senders' hands or claimed just before could pass it.
    # On PostgreSQL a claim also skips the chats of those rows (one message per chat at a time,
    # across processes), and fills its place with bulletins for other chats until they are free.
    start = labels.index("Correction:")
    end = len(labels) - labels[::-1].index("Correction:")
    overtaken = [label for label in labels[start:end] if label != "Correction:"]
    in_hand = OPTIONS["batch"] + OPTIONS["concurrency"]
    limit = in_hand if db.is_sqlite else 2 * in_hand
    assert len(overtaken) <= limit, labels[start:end]
    assert labels[end:], "the bulletins were already done: nothing was overtaken"


def test_priority_of_reminders_and_corrections():
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert alert_priority("reminder", hearing_starts_at=now + dt.timedelta(hours=2),
                          now=now) == URGENT
    assert alert_priority("reminder", hearing_starts_at=now + dt.timedelta(days=7),
                          now=now) == BULK
    assert alert_priority("correction") == URGENT
    assert alert_priority("news") == BULK
