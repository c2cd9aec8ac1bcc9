"""The outbox and the delivery worker, through the project's Bot API server (SQLite and PostgreSQL).

The fake Telegram answers 429 / 403 / 5xx / "chat not found" exactly as Telegram does, so these
tests show how a broadcast behaves in production: who gets it, how fast, what is retried.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import pytest
from helpers_delivery import (
    add_subscribers,
    case_id,
    gaps,
    make_case,
    report,
    running_worker,
    sends,
    sends_per_chat,
    wait_finished,
    wait_until,
)
from sqlmodel import select

from bot.alerts import alert_report, count_audience, enqueue_alert
from bot.delivery import format_report
from bot.services import SERVICES_KEY
from storage.db import Database
from storage.models import Alert, Delivery, DeliveryChannel, Subscription, Supporter, utcnow

FAST = {"rate": 200.0, "retry_base": 0.05, "poll_interval": 0.2, "progress_interval": 0.2}


def worker_of(tg):
    return tg.app.bot_data[SERVICES_KEY].delivery


async def enqueue(db, case: int, text: str, **kwargs) -> Alert:
    async with db.session() as session:
        alert = await enqueue_alert(session=session, case_id=case, kind="news", text=text,
                                    **kwargs)
    assert alert is not None
    return alert


# ----------------------------------------------------------------------------------- outbox
async def test_enqueue_writes_one_delivery_per_active_subscriber_in_one_transaction(db):
    case = await make_case(db, "one")
    other = await make_case(db, "two")
    await add_subscribers(db, case, [1, 2, 3, 4], blocked=[4])
    await add_subscribers(db, other, [3, 5])
    async with db.session() as session:
        assert await count_audience(session, case) == 3
        alert = await enqueue_alert(session=session, case_id=case, kind="news", text="Hi",
                                    dedupe_key="news:1", created_by=77)
    assert alert is not None and alert.recipients == 3 and alert.created_by == 77
    async with db.session() as session:
        rows = (await session.exec(select(Delivery).where(Delivery.alert_id == alert.id))).all()
        assert sorted(row.supporter_id for row in rows) == [1, 2, 3]
        assert {row.status for row in rows} == {"pending"}
        assert await alert_report(session, alert.id) == {
            "pending": 3, "sent": 0, "blocked": 0, "failed": 0, "total": 3}

    # The same dedupe key writes nothing, not even deliveries for new subscribers.
    await add_subscribers(db, case, [6])
    async with db.session() as session:
        again = await enqueue_alert(session=session, case_id=case, kind="news", text="Hi",
                                    dedupe_key="news:1")
    assert again is None
    async with db.session() as session:
        assert len((await session.exec(select(Alert))).all()) == 1
        assert len((await session.exec(select(Delivery))).all()) == 3

    # All or nothing: a failure later in the transaction leaves no alert and no delivery.
    with pytest.raises(RuntimeError):
        async with db.session() as session:
            await enqueue_alert(session=session, case_id=case, kind="news", text="Lost")
            raise RuntimeError("the coordinator's transaction fails after the enqueue")
    async with db.session() as session:
        assert len((await session.exec(select(Alert))).all()) == 1
        assert len((await session.exec(select(Delivery))).all()) == 3


async def test_unsubscribing_drops_the_alerts_still_queued_for_that_person(db):
    from storage.alerts import drop_pending_deliveries

    case, other = await make_case(db, "one"), await make_case(db, "two")
    await add_subscribers(db, case, [1, 2])
    await add_subscribers(db, other, [1])
    first, second = await enqueue(db, case, "A"), await enqueue(db, other, "B")
    async with db.session() as session:
        assert await drop_pending_deliveries(session=session, chat_id=1, case_id=case) == 1
    assert (await report(db, first.id))["total"] == 1
    assert (await report(db, second.id))["total"] == 1


async def test_concurrent_enqueues_with_one_dedupe_key_make_one_alert(database_url):
    first, second = Database(database_url), Database(database_url)
    try:
        case = await make_case(first, "race")
        await add_subscribers(first, case, range(10, 30))

        async def enqueue_with(db):
            async with db.session() as session:
                return await enqueue_alert(session=session, case_id=case, kind="reminder",
                                           text="Soon", dedupe_key="reminder:1:120:x")

        results = await asyncio.gather(enqueue_with(first), enqueue_with(second))
        assert sum(result is not None for result in results) == 1
        async with first.session() as session:
            assert len((await session.exec(select(Delivery))).all()) == 20
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_claim_takes_at_most_its_batch(db):
    from storage.alerts import claim_due

    case = await make_case(db)
    await add_subscribers(db, case, range(50))
    await enqueue(db, case, "Batch test")
    now = utcnow()
    async with db.engine.begin() as conn:
        first = await claim_due(conn=conn, now=now, limit=10,
                                lease_until=now + dt.timedelta(seconds=30))
    async with db.engine.begin() as conn:
        second = await claim_due(conn=conn, now=now, limit=10,
                                 lease_until=now + dt.timedelta(seconds=30))
    assert len(first) == len(second) == 10
    assert not {row.id for row in first} & {row.id for row in second}
    async with db.session() as session:
        statuses = (await session.exec(select(Delivery.status))).all()
    assert statuses.count("sending") == 20 and statuses.count("pending") == 30


# --------------------------------------------------------------------------- wake on commit
async def test_outbox_listeners_hear_each_commit_that_enqueued_and_nothing_else(db):
    heard: list[str] = []
    case = await make_case(db)
    await add_subscribers(db, case, [1, 2])

    def broken_listener() -> None:
        raise RuntimeError("a listener with a bug")

    db.add_outbox_listener(broken_listener)  # must not undo the commit nor silence the others
    db.add_outbox_listener(lambda: heard.append("woken"))

    async with db.session() as session:  # a transaction that queued nothing
        await session.exec(select(Alert))
    assert heard == []
    with pytest.raises(RuntimeError, match="coordinator"):
        async with db.session() as session:
            await enqueue_alert(session=session, case_id=case, kind="news", text="Lost")
            raise RuntimeError("the coordinator's transaction fails after the enqueue")
    assert heard == []  # rolled back: nothing was queued

    async with db.session() as session:
        await enqueue_alert(session=session, case_id=case, kind="news", text="One")
        assert heard == []  # not before the data is committed
    assert heard == ["woken"]
    async with db.session() as session:  # an explicit commit works the same
        await enqueue_alert(session=session, case_id=case, kind="news", text="Two")
        await session.commit()
        assert heard == ["woken", "woken"]
    assert heard == ["woken", "woken"]  # once per commit
    async with db.session() as session:
        assert len((await session.exec(select(Alert))).all()) == 2

    db.remove_outbox_listener(broken_listener)
    async with db.session() as session:
        await enqueue_alert(session=session, case_id=case, kind="news", text="Three")
    assert heard == ["woken"] * 3


async def test_an_alert_committed_to_the_outbox_is_sent_at_once_without_a_wake(
        database_url, server):
    db, elsewhere = Database(database_url), Database(database_url)  # elsewhere: another process
    try:
        case = await make_case(db)
        chats = await add_subscribers(db, case, [700, 701, 702], server=server)
        # Polling once a minute: only the commit's own wake-up can make sending start at once.
        async with running_worker(server, db, **(FAST | {"poll_interval": 60.0})) as worker:
            await asyncio.sleep(0.5)  # the first look found nothing; the worker sleeps
            foreign = await enqueue(elsewhere, case, "From another process")
            await asyncio.sleep(1.5)
            assert (await report(db, foreign.id))["pending"] == 3  # left for the next poll
            assert worker.stats["claimed"] == 0

            loop = asyncio.get_running_loop()
            committed = loop.time()
            async with db.session() as session:  # a plain commit; nobody calls wake()
                ours = await enqueue_alert(session=session, case_id=case, kind="news",
                                           text="Woken by the commit")
            await wait_finished(db, ours.id, timeout=10)
            assert loop.time() - committed < 5  # far from the minute-long poll
            # Woken, the worker also takes what the other process had queued (each person
            # gets the two alerts a second apart, in either order).
            await wait_finished(db, foreign.id, timeout=10)
        assert sends_per_chat(server, text="Woken by the commit") == {chat: 1 for chat in chats}
        assert sends_per_chat(server, text="From another process") == {chat: 1 for chat in chats}
    finally:
        await db.dispose()
        await elsewhere.dispose()


# ------------------------------------------------------------------------- end to end (app)
async def test_the_bots_worker_paces_leases_and_polls_as_its_settings_say(tg):
    worker, settings = worker_of(tg), tg.settings
    assert (worker.pacer.rate, worker.pacer.per_chat_interval) == (
        settings.send_rate, settings.send_chat_interval)
    assert (worker.lease, worker.poll_interval) == (
        settings.delivery_lease, settings.delivery_poll_interval)


async def test_alert_reaches_every_subscriber_and_nobody_else(tg):
    alice, bob = tg.user("Alice"), tg.user("Bob")
    carol, dave = tg.user("Carol"), tg.user("Dave")
    for person, command in ((alice, "/start kharkova"), (bob, "/start kharkova"),
                            (carol, "/start mamay"), (dave, "/start")):
        await person.send(command)
        await person.reply()
    kharkova = await case_id(tg.db, "kharkova")

    alert = await enqueue(tg.db, kharkova, "📰 <b>Appeal hearing</b> set for 12 May",
                          created_by=1)
    assert await wait_finished(tg.db, alert.id) == {
        "pending": 0, "sent": 2, "blocked": 0, "failed": 0, "total": 2}

    for person in (alice, bob):
        message = await person.reply()
        assert message.text == "📰 Appeal hearing set for 12 May"
        assert message.parse_mode == "HTML" and message.entities[0]["type"] == "bold"
        assert [b["callback_data"] for b in message.flat_buttons] == [
            f"wr:{kharkova}", f"cc:{kharkova}", f"au:{kharkova}"]
        assert message.button_texts == ["✍️ Write a letter", "📂 Open case", "🔕 Unsubscribe"]
    await carol.assert_no_reply(0.1)
    await dave.assert_no_reply(0.1)
    assert sends_per_chat(tg.server, text="Appeal hearing") == {alice.id: 1, bob.id: 1}

    # Every alert carries its own way out.
    await alice.press("Unsubscribe")
    await alice.reply()
    async with tg.db.session() as session:
        followers = (await session.exec(select(Subscription.supporter_id).where(
            Subscription.case_id == kharkova))).all()
    assert followers == [bob.id]


async def test_each_sent_delivery_keeps_its_channel_and_telegram_message_id(tg):
    kharkova = await case_id(tg.db, "kharkova")
    chats = await add_subscribers(tg.db, kharkova, range(7100, 7104), server=tg.server)
    tg.server.block(7103)
    alert = await enqueue(tg.db, kharkova, "Kept for editing")
    await wait_finished(tg.db, alert.id)
    async with tg.db.session() as session:
        rows = {row.supporter_id: row for row in (await session.exec(
            select(Delivery).where(Delivery.alert_id == alert.id))).all()}
    assert {row.channel for row in rows.values()} == {DeliveryChannel.TELEGRAM}
    for chat in chats[:3]:
        delivered = tg.server.get_user(chat).last_message()
        assert delivered.text == "Kept for editing"
        assert rows[chat].message_id == delivered.message_id
    assert rows[7103].status == "blocked" and rows[7103].message_id is None


async def test_closed_case_alert_offers_only_the_case_and_unsubscribe(tg):
    closed = await case_id(tg.db, "zhagiparov")
    [chat] = await add_subscribers(tg.db, closed, [7001], server=tg.server)
    alert = await enqueue(tg.db, closed, "✅ The case is closed: released.")
    await wait_finished(tg.db, alert.id)
    message = tg.server.get_user(chat).last_message()
    assert message.button_texts == ["📂 Open case", "🔕 Unsubscribe"]
    assert [b["callback_data"] for b in message.flat_buttons] == [f"cc:{closed}",
                                                                  f"au:{closed}"]


async def test_429_pauses_all_sending_then_resumes_with_nothing_lost(tg):
    kharkova = await case_id(tg.db, "kharkova")
    chats = await add_subscribers(tg.db, kharkova, range(8000, 8012), server=tg.server)
    tg.server.fail("sendMessage", 429, retry_after=1, times=1)

    alert = await enqueue(tg.db, kharkova, "Flood test")
    assert (await wait_finished(tg.db, alert.id))["sent"] == 12

    calls = sends(tg.server, ok=False, text="Flood test")
    [limited] = [call for call in calls if call.status == 429]
    after = [call.time - limited.time for call in calls if call.time > limited.time]
    # Requests already on the wire when the 429 came back may land at once; after that,
    # nothing until retry_after has passed.
    assert not [gap for gap in after if 0.15 < gap < 0.95], after
    assert sends_per_chat(tg.server, text="Flood test") == {chat: 1 for chat in chats}
    async with tg.db.session() as session:
        attempts = (await session.exec(select(Delivery.attempts).where(
            Delivery.alert_id == alert.id))).all()
    assert set(attempts) == {1}  # the 429 was not counted as a failed attempt
    assert worker_of(tg).stats["rate_limited"] == 1


async def test_blocked_and_unknown_chats_are_marked_and_never_retried(tg):
    kharkova = await case_id(tg.db, "kharkova")
    chats = await add_subscribers(tg.db, kharkova, range(8100, 8105), server=tg.server)
    [ghost] = await add_subscribers(tg.db, kharkova, [8199], known=False)  # "chat not found"
    tg.server.block(8101)

    first = await enqueue(tg.db, kharkova, "First alert")
    assert await wait_finished(tg.db, first.id) == {
        "pending": 0, "sent": 4, "blocked": 2, "failed": 0, "total": 6}
    async with tg.db.session() as session:
        blocked = (await session.exec(select(Supporter.chat_id).where(
            Supporter.blocked_at.is_not(None)).order_by(Supporter.chat_id))).all()
        assert blocked == [8101, ghost]
        errors = (await session.exec(select(Delivery.error).where(
            Delivery.status == "blocked"))).all()
        assert any("blocked" in error for error in errors)
        assert any("not found" in error for error in errors)

    second = await enqueue(tg.db, kharkova, "Second alert")
    assert second.recipients == 4
    await wait_finished(tg.db, second.id)
    attempted = [call.chat_id for call in sends(tg.server, ok=False)]
    assert attempted.count(8101) == 1 and attempted.count(ghost) == 1
    assert sends_per_chat(tg.server) == {chat: 2 for chat in chats if chat != 8101}


async def test_a_person_who_blocked_the_bot_and_writes_again_gets_alerts_again(tg):
    kharkova = await case_id(tg.db, "kharkova")
    alice = tg.user("Alice")
    await alice.send("/start kharkova")
    await alice.reply()
    tg.server.block(alice.id)
    while_blocked = await enqueue(tg.db, kharkova, "While blocked")
    assert (await wait_finished(tg.db, while_blocked.id))["blocked"] == 1
    tg.server.unblock(alice.id)
    await alice.send("/mycases")  # writing again is the sign the block is over
    await alice.reply()
    async with tg.db.session() as session:
        assert (await session.get(Supporter, alice.id)).blocked_at is None
    after = await enqueue(tg.db, kharkova, "After unblocking")
    assert after.recipients == 1
    final = await wait_finished(tg.db, after.id)
    assert final["sent"] == 1, final  # not taken for blocked still (the worker's memory)
    await tg.idle()
    assert any("After unblocking" in message.text for message in alice.messages)


async def test_status_message_shows_progress_and_final_report(tg):
    owner = tg.owner()
    await owner.send("/start")
    status = await owner.reply()
    kharkova = await case_id(tg.db, "kharkova")
    await add_subscribers(tg.db, kharkova, range(8200, 8225), server=tg.server)
    tg.server.block(8200)

    alert = await enqueue(tg.db, kharkova, "Progress test", status_chat_id=owner.id,
                          status_message_id=status.message_id)
    final = await wait_finished(tg.db, alert.id)
    await tg.idle()
    edited = owner.message(status.message_id)
    assert format_report(final) == "✅ Delivered to 24 of 25 · 🚫 1 blocked the bot"
    assert edited.text.endswith("✅ Delivered to 24 of 25\n🚫 1 blocked the bot"), edited.text
    assert "Progress test" not in edited.text and "Kharkova" in edited.text  # names the case
    assert edited.edited >= 2  # at least one "Sending…" on the way, then the end


# ------------------------------------------------------------------ worker in isolation
async def test_5xx_is_retried_with_backoff_then_succeeds_or_fails(db, server):
    case = await make_case(db)
    chats = await add_subscribers(db, case, range(100, 110), server=server)
    server.fail("sendMessage", 500, times=2, chat_id=101)  # recovers on the third try
    server.fail("sendMessage", 502, times=None, chat_id=102)  # never recovers
    server.fail("sendMessage", 400, times=1, chat_id=103,
                description="Bad Request: message thread not found")  # not retryable
    alert = await enqueue(db, case, "Retry test")
    options = FAST | {"retry_base": 0.2, "per_chat_interval": 0.0}  # backoff alone decides
    async with running_worker(server, db, max_attempts=3, **options):
        assert await wait_finished(db, alert.id) == {
            "pending": 0, "sent": 8, "blocked": 0, "failed": 2, "total": 10}
    async with db.session() as session:
        rows = {row.supporter_id: row for row in (await session.exec(select(Delivery))).all()}
    assert (rows[101].status, rows[101].attempts) == ("sent", 3)
    assert (rows[102].status, rows[102].attempts) == ("failed", 3)
    assert "Bad Gateway" in rows[102].error
    assert (rows[103].status, rows[103].attempts) == ("failed", 1)
    assert "thread not found" in rows[103].error
    attempted = [call.chat_id for call in sends(server, ok=False)]
    assert attempted.count(101) == 3 and attempted.count(102) == 3
    assert attempted.count(103) == 1
    assert sends_per_chat(server) == {chat: 1 for chat in chats if chat not in (102, 103)}
    retries = [call.time for call in sends(server, ok=False) if call.chat_id == 102]
    first_wait, second_wait = gaps(retries)
    assert first_wait >= 0.2 and second_wait >= 0.4  # exponential backoff: 0.2 s, then 0.4 s


async def test_per_chat_pace_and_global_rate_under_telegrams_flood_limits(db, server):
    server.flood_limit_per_chat = 1.0  # the server answers 429 if we go faster
    server.flood_limit_global = 50.0
    case = await make_case(db)
    chats = await add_subscribers(db, case, [201, 202, 203], server=server)
    alerts = [await enqueue(db, case, f"Pace test {n}") for n in range(2)]
    async with running_worker(server, db, **(FAST | {"rate": 50.0})):
        for alert in alerts:
            await wait_finished(db, alert.id)
    assert server.stats.rate_limited == 0
    for chat in chats:
        times = [call.time for call in sends(server) if call.chat_id == chat]
        assert len(times) == 2
        assert min(gaps(times)) >= 1.0, gaps(times)


async def test_malformed_alert_fails_at_once_instead_of_per_subscriber(db, server):
    case = await make_case(db)
    await add_subscribers(db, case, range(300, 360), server=server)
    alert = await enqueue(db, case, "<b>unclosed bold")
    async with running_worker(server, db, **FAST) as worker:
        assert (await wait_finished(db, alert.id))["failed"] == 60
    assert len(sends(server, ok=False)) <= worker.concurrency + 1


async def test_two_workers_on_one_database_never_double_send(database_url, server):
    first, second = Database(database_url), Database(database_url)
    try:
        case = await make_case(first)
        chats = await add_subscribers(first, case, range(1000, 1150), server=server)
        alert = await enqueue(first, case, "Two workers")
        options = FAST | {"rate": 100.0, "batch": 10, "concurrency": 4}
        async with running_worker(server, first, **options) as one, \
                running_worker(server, second, **options) as two:
            assert (await wait_finished(first, alert.id, timeout=20))["sent"] == 150
        print(f"\nsplit between the two workers: {one.stats['sent']} + {two.stats['sent']}")
        assert sends_per_chat(server) == {chat: 1 for chat in chats}
        assert len(sends(server, ok=False)) == 150
        assert one.stats["sent"] > 0 and two.stats["sent"] > 0
    finally:
        await first.dispose()
        await second.dispose()


async def test_stop_gives_back_unsent_rows_and_a_new_worker_finishes(db, server):
    case = await make_case(db)
    chats = await add_subscribers(db, case, range(400, 430), server=server)
    alert = await enqueue(db, case, "Stop test")
    async with running_worker(server, db, rate=10.0, batch=50) as worker:
        async def some_sent() -> bool:
            return worker.stats["sent"] >= 3

        await wait_until(some_sent, what="the first sends")  # then stop mid-broadcast
    assert 3 <= worker.stats["sent"] < 30
    async with db.session() as session:
        statuses = (await session.exec(select(Delivery.status).where(
            Delivery.alert_id == alert.id))).all()
    assert "sending" not in statuses
    assert statuses.count("sent") == worker.stats["sent"]
    async with running_worker(server, db, **FAST):
        await wait_finished(db, alert.id)
    assert sends_per_chat(server) == {chat: 1 for chat in chats}


async def test_rows_of_a_dead_worker_are_sent_when_their_lease_runs_out(db, server):
    case = await make_case(db)
    chats = await add_subscribers(db, case, range(500, 506), server=server)
    alert = await enqueue(db, case, "Lease test")
    now = utcnow()
    async with db.session() as session:
        rows = (await session.exec(select(Delivery).order_by(Delivery.supporter_id))).all()
        for row in rows[:3]:  # a crashed worker's claim, already expired
            row.status, row.claimed_until = "sending", now - dt.timedelta(seconds=1)
        for row in rows[3:]:  # a live worker's claim: not ours to send
            row.status, row.claimed_until = "sending", now + dt.timedelta(seconds=1.5)
    async with running_worker(server, db, lease=0.8, **FAST):
        await asyncio.sleep(0.5)
        assert sorted(sends_per_chat(server)) == chats[:3]
        await wait_finished(db, alert.id)
    assert sends_per_chat(server) == {chat: 1 for chat in chats}


async def test_progress_callback_is_throttled_and_reports_the_end_once(db, server):
    case = await make_case(db)
    await add_subscribers(db, case, range(600, 660), server=server)
    alert = await enqueue(db, case, "Callback test")
    reports: list[tuple[float, dict]] = []

    async def on_progress(alert_id: int, progress: dict) -> None:
        assert alert_id == alert.id
        reports.append((asyncio.get_running_loop().time(), progress))

    async with running_worker(server, db, rate=40.0, on_progress=on_progress,
                              progress_interval=0.5):
        await wait_finished(db, alert.id)
        await asyncio.sleep(0.1)
    finals = [progress for _t, progress in reports if progress["pending"] == 0]
    assert finals == [{"pending": 0, "sent": 60, "blocked": 0, "failed": 0, "total": 60}]
    assert len(reports) >= 2
    assert min(gaps([moment for moment, _p in reports[:-1]]) or [1.0]) >= 0.45
    assert all(p["sent"] <= q["sent"] for (_a, p), (_b, q) in itertools.pairwise(reports))


async def test_alert_with_no_audience_finishes_with_an_empty_report(db, server):
    case = await make_case(db)
    alert = await enqueue(db, case, "Nobody")
    assert alert.recipients == 0
    async with running_worker(server, db, **FAST):
        assert await wait_finished(db, alert.id) == {
            "pending": 0, "sent": 0, "blocked": 0, "failed": 0, "total": 0}
    assert await report(db, alert.id) == {
        "pending": 0, "sent": 0, "blocked": 0, "failed": 0, "total": 0}
