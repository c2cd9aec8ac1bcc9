"""`appeal-bot web` and `appeal-bot worker` as real processes on one PostgreSQL, against the
project's Bot API server (in this test's process) delivering updates by webhook.

One set of processes serves every check of ``test_scaled_deployment``: started before the
database is reachable; webhook secret; subscribers through two web processes behind a
round-robin proxy; a broadcast while one worker is SIGKILLed; a letter wizard whose presses
alternate processes; a web process SIGKILLed while people write, and started again; /healthz across a database outage; a database partition. PostgreSQL only:
several processes on one SQLite file is not a supported deployment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections import Counter

import aiohttp
import pytest
from conftest import (
    DATABASES,
    OWNER_ID,
    drop_postgres_database,
    ensure_postgres_running,
    fresh_postgres_database,
)
from helpers_delivery import add_subscribers, make_case
from helpers_processes import BotProcess, RoundRobin, TcpProxy, free_port, get, until
from sqlalchemy import func
from sqlmodel import select

from bot.sandbox import BotApiServer
from storage.db import Database, upgrade_schema_async
from storage.models import Alert, Delivery, Event, Reminder, Subscription, WizardState

pytestmark = pytest.mark.skipif("postgres" not in DATABASES,
                                reason="several processes on one database need PostgreSQL")

SECRET = "test-secret_0123456789"
SUBSCRIBERS = 300  # people who subscribe through the webhook
NEWCOMERS = 60  # people who write while a web process is killed
UNAVAILABLE = "temporarily unavailable"


def _env(server: BotApiServer, db_port: int, database: str, **extra: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": server.token, "TELEGRAM_API_BASE_URL": server.base_url,
            "DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{db_port}/{database}",
            "ADMIN_IDS": str(OWNER_ID), "DB_TIMEOUT": "1.5", "SEND_RATE": "80",
            # the killed worker's claimed rows are sent by the other after 4 s, not 10 s; the
            # processes waiting for the database try it again within a second of its return
            "DELIVERY_LEASE": "4", "STARTUP_RETRY_DELAY": "0.1",
            "LOG_LEVEL": "INFO", **extra}


def _lines(log: str, pattern: str) -> int:
    return sum(1 for line in log.splitlines() if re.search(pattern, line))


async def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, data=body,
                                                                headers=headers) as answer:
        return answer.status


async def _reply_containing(user, text: str, timeout: float = 10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for message in reversed(user.messages):
            if text in message.text:
                return message
        await user.reply(timeout=max(0.05, deadline - loop.time()))


async def test_scaled_deployment(tmp_path):
    ensure_postgres_running()
    url, name = await fresh_postgres_database()
    await upgrade_schema_async(url)
    database = url.rsplit("/", 1)[1]
    proxy = TcpProxy(5432)  # down: the processes start before their database is reachable
    server = BotApiServer()
    await server.start()
    webs = [f"127.0.0.1:{free_port()}" for _ in range(2)]
    balancer = RoundRobin([f"http://{listen}" for listen in webs])
    await balancer.start()
    hook = f"{balancer.url}/telegram"
    processes = [BotProcess("web", _env(server, proxy.port, database, WEBHOOK_URL=hook,
                                        WEBHOOK_LISTEN=listen, WEBHOOK_SECRET=SECRET),
                            tmp_path / f"web{i}.log", listen) for i, listen in enumerate(webs)]
    processes += [BotProcess("worker", _env(server, proxy.port, database,
                                            WORKER_LISTEN=f"127.0.0.1:{free_port()}"),
                             tmp_path / f"worker{i}.log") for i in range(2)]
    for process in processes[2:]:
        process.listen = process.env["WORKER_LISTEN"]
    db = Database(url)
    try:
        # A reminder that came due while no worker ran: both workers race to send it at start.
        race = [900_001, 900_002]
        await _overdue_reminder(db, server, race)
        for process in processes:
            process.start()
        for process in processes:  # they wait for the database, they do not exit
            await until(lambda p=process: "waiting for the database" in p.log(), timeout=30,
                        what=f"{process.role} to wait for the database")
        await asyncio.sleep(1)
        assert all(p.proc.poll() is None for p in processes), [p.log() for p in processes]
        assert [(await get(p.url + "/healthz"))[0] for p in processes] == [0] * 4  # not yet

        # ---- the database comes up: every process becomes ready and serves
        await proxy.up()
        for process in processes:
            await until(lambda p=process: _status_is(p, 200), timeout=40,
                        what=f"{process.role} healthz")
            status, body = await get(process.url + "/healthz")
            assert status == 200 and json.loads(body)["database"] == "ok", body
        # both set it (one may be told to retry after 1 s: setWebhook is rate-limited)
        assert [c.status for c in server.calls_to("setWebhook")].count(200) == 2
        assert all(c.params.get("secret_token") == SECRET for c in server.calls_to("setWebhook"))
        status, body = await get(processes[2].url + "/healthz")
        assert json.loads(body)["worker"] == "alive"

        # ---- exactly one reminder per hearing × offset, though two workers raced for it
        reminded = [server.user("", user_id=chat) for chat in race]
        await until(lambda: all(u.messages for u in reminded), timeout=30, what="the reminder")
        await asyncio.sleep(2)
        assert [len(u.messages) for u in reminded] == [1, 1]
        async with db.session() as session:
            alerts = (await session.exec(select(Alert).where(Alert.kind == "reminder"))).all()
        assert len(alerts) == 1

        # ---- the webhook refuses requests without the right secret token
        update = json.dumps({"update_id": 1, "message": {
            "message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "X"}, "text": "/start"}}).encode()
        target = f"http://{webs[0]}/telegram"
        assert await _post(target, update, {}) == 403
        assert await _post(target, update, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
        assert await _post(target, b"{not json", {"X-Telegram-Bot-Api-Secret-Token":
                                                 SECRET}) == 400
        assert await _post(target, b"x" * (2 << 20), {"X-Telegram-Bot-Api-Secret-Token":
                                                     SECRET}) == 413

        # ---- N people subscribe through the webhook, spread over both web processes
        people = [server.user(f"P{i}", user_id=800_000 + i) for i in range(SUBSCRIBERS)]
        loop = asyncio.get_running_loop()
        started = loop.time()
        for person in people:
            await person.send("/start kharkova")
        for person in people:
            await _reply_containing(person, "subscribed", timeout=60)
        assert min(balancer.counts) > SUBSCRIBERS // 3, balancer.counts
        print(f"figures: {SUBSCRIBERS} subscribed through 2 web processes in "
              f"{loop.time() - started:.1f} s; requests per web process {balancer.counts}")

        # ---- a coordinator broadcasts; one worker is SIGKILLed mid-way
        owner = server.user("Owner", user_id=OWNER_ID)
        await owner.send("/news kharkova Kill test: the hearing was moved.")
        _, question = await owner.replies(2, timeout=15)
        assert question.has_button("Send"), question
        await owner.press("Send", question)

        def got_alert() -> int:
            return sum(1 for p in people if any("Kill test" in m.text for m in p.messages))

        await until(lambda: got_alert() >= SUBSCRIBERS // 4, timeout=30, what="a quarter sent")
        processes[2].kill()
        await until(lambda: got_alert() == SUBSCRIBERS, timeout=60, what="every subscriber")
        copies = Counter(sum(1 for m in p.messages if "Kill test" in m.text) for p in people)
        duplicates = sum((n - 1) * k for n, k in copies.items() if n > 1)
        assert duplicates <= 8, copies  # DELIVERY_CONCURRENCY: the in-flight window
        print(f"figures: worker SIGKILLed mid-broadcast; {SUBSCRIBERS} got the alert, "
              f"{duplicates} duplicate(s)")
        # the report, under the heading that names the alert
        await until(lambda: "✅ Delivered" in owner.message(question.message_id).text,
                    timeout=30, what="the final report in the status message")
        async with db.session() as session:
            unsent = (await session.exec(select(func.count()).select_from(Delivery).where(
                Delivery.status != "sent"))).one()
        assert unsent == 0

        # ---- /metrics: updates handled and timed by the webs, sends counted by the workers
        status, text = await get(processes[0].url + "/metrics")
        handled = re.search(r'^appeal_updates_handled_total\{outcome="ok"\} (\S+)', text, re.MULTILINE)
        assert status == 200 and handled and float(handled.group(1)) >= SUBSCRIBERS // 3, text
        assert re.search(r"^appeal_update_seconds_count \S+", text, re.MULTILINE)
        status, text = await get(processes[3].url + "/metrics")
        sent = re.search(r'^appeal_delivery_sends_total\{outcome="sent"\} (\S+)', text, re.MULTILINE)
        assert status == 200 and sent and float(sent.group(1)) > 0, text
        assert "appeal_telegram_429_total" in text and "appeal_outbox_depth" in text

        # ---- a letter wizard whose presses alternate between the two web processes
        alice = people[0]
        before = list(balancer.counts)
        await alice.send("/write kharkova")
        step = await _reply_containing(alice, "Who do you want to write to?")
        await alice.press("Kalmukhanbet Kassymov", step)
        step = await _reply_containing(alice, "In which language")
        await alice.press("English", alice.message(step.message_id))
        step = await _reply_containing(alice, "How do you want to sign")
        await alice.press("Sign anonymously", alice.message(step.message_id))
        step = await _reply_containing(alice, "How will you send it?")
        await alice.press("Email", alice.message(step.message_id))
        step = await _reply_containing(alice, "When you have sent it")
        await alice.press("I sent it", alice.message(step.message_id))
        await _reply_containing(alice, "Thank you!")
        assert all(after - b >= 2 for after, b in zip(balancer.counts, before, strict=True))

        # ---- a web process SIGKILLed while people write, then started again: everyone is
        # answered. A web answers Telegram only once it has handled the update, so what the
        # killed one held is sent again by Telegram, to the other web.
        newcomers = [server.user(f"N{i}", user_id=880_000 + i) for i in range(NEWCOMERS)]
        for person in newcomers:
            await person.send("/start kharkova")
        await until(lambda: any(p.messages for p in newcomers), timeout=10, what="an answer")
        processes[1].kill()
        for person in newcomers:  # the card ("subscribed", or "already follow" when the killed
            # web had stored the subscription but not yet answered)
            await _reply_containing(person, "Larisa Kharkova", timeout=30)
        twice = sum(1 for p in newcomers if len(p.messages) > 1)
        assert twice <= 12, twice  # DEFAULT_CONCURRENCY: handled, but killed before its 200
        print(f"figures: web SIGKILLed while {NEWCOMERS} people wrote; all answered, {twice} "
              "twice")
        processes[1].start()
        await until(lambda: _status_is(processes[1], 200), timeout=40, what="the web again")

        # ---- /healthz: 503 while the database is away, 200 when it is back
        await proxy.down()
        for process in (processes[0], processes[3]):
            await until(lambda p=process: _status_is(p, 503), timeout=15, what="503")
        await proxy.up()
        for process in (processes[0], processes[3]):
            await until(lambda p=process: _status_is(p, 200), timeout=30, what="200 again")

        # ---- a partition: people get "temporarily unavailable" within 10 s; nothing is lost
        await proxy.blackhole()
        # (each update waits 2 × DB_TIMEOUT at most for the database before its answer)
        partitioned = people[1:5]
        started = loop.time()
        for person in partitioned:
            await person.send("/cases")
        for person in partitioned:
            await _reply_containing(person, UNAVAILABLE, timeout=10 - (loop.time() - started))
        assert loop.time() - started < 10
        print(f"figures: partition: {len(partitioned)} people told 'temporarily unavailable' "
              f"within {loop.time() - started:.1f} s")
        ru = server.user("Rus", user_id=870_001, language_code="ru")
        await ru.send("/cases")
        assert "временно недоступен" in (await _reply_containing(ru, "недоступен", 10)).text
        await proxy.up()
        for person in partitioned:
            await person.send("/mycases")
            await _reply_containing(person, "Larisa Kharkova", timeout=20)
        async with db.session() as session:
            wizard = await session.get(WizardState, alice.id)
            subscribed = (await session.exec(select(func.count()).select_from(
                Subscription))).one()
        assert wizard is not None and subscribed == SUBSCRIBERS + NEWCOMERS + len(race)
        logs = "\n".join(p.log() for p in processes[:2])
        assert _lines(logs, "Traceback") == 0, logs[-3000:]
        # one line per minute per process for the outage, not one per update
        assert _lines(logs, "kind=database_unreachable") <= 2 * 2, logs[-3000:]
    finally:
        await asyncio.gather(*(process.stop() for process in processes))  # SIGTERM all at once
        await db.dispose()
        await balancer.stop()
        await proxy.close()
        await server.stop()
        await drop_postgres_database(name)


async def _overdue_reminder(db: Database, server: BotApiServer, chats: list[int]) -> None:
    case = await make_case(db, "reminder-race")
    await add_subscribers(db, case, chats, server=server)
    now = dt.datetime.now(dt.UTC)
    async with db.session() as session:
        event = Event(case_id=case, kind="hearing", date=now.date(), origin="coordinator",
                      starts_at=now + dt.timedelta(minutes=239), status="scheduled",
                      text="Hearing", court="Almaty City Court", city="Almaty")
        session.add(event)
        await session.flush()
        session.add(Reminder(event_id=event.id, offset_minutes=240,  # due a minute ago
                             due_at=event.starts_at - dt.timedelta(minutes=240)))


async def _status_is(process: BotProcess, status: int) -> bool:
    return (await get(process.url + "/healthz"))[0] == status
