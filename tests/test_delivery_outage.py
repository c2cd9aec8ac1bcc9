"""A Telegram outage during a broadcast loses nothing: the circuit breaker pauses every sender
while the Bot API fails for everyone, probes, and resumes; no row spends its retries on the
outage, the coordinator's status message ends with the final count, and the log says what
happened in a few lines instead of a traceback per row."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from conftest import Harness, make_settings
from helpers_delivery import (
    add_subscribers,
    case_id,
    sends,
    sends_per_chat,
    wait_finished,
    wait_until,
)
from sqlmodel import select

from bot.alerts import enqueue_alert
from bot.delivery import CircuitBreaker, RetryPolicy
from bot.sandbox.models import FaultRule
from bot.services import SERVICES_KEY
from storage.models import Delivery

PEOPLE = 200


@pytest.fixture
async def fast_tg(server, database_url):
    """The bot with a send budget high enough that 200 people take about a second."""
    harness = Harness(server, database_url,
                      make_settings(server, database_url, send_rate=300.0))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_bot_api_outage_mid_broadcast_loses_no_alert(fast_tg, caplog):
    tg = fast_tg
    caplog.set_level(logging.INFO)
    owner = tg.owner()
    await owner.send("/start")
    status = await owner.reply()
    kharkova = await case_id(tg.db, "kharkova")
    chats = await add_subscribers(tg.db, kharkova, range(9000, 9000 + PEOPLE), server=tg.server)
    worker = tg.app.bot_data[SERVICES_KEY].delivery

    async with tg.db.session() as session:
        alert = await enqueue_alert(session=session, case_id=kharkova, kind="news",
                                    text="Outage test", status_chat_id=owner.id,
                                    status_message_id=status.message_id)

    async def some_sent() -> bool:
        return len(sends(tg.server, text="Outage test")) >= 20

    await wait_until(some_sent, what="the broadcast to be under way")
    # Telegram answers 502 to everything (sends, edits, getUpdates) for the next 3 seconds.
    tg.server.fail("*", 502, seconds=3.0)
    final = await wait_finished(tg.db, alert.id, timeout=60)

    assert final == {"pending": 0, "sent": PEOPLE, "blocked": 0, "failed": 0, "total": PEOPLE}
    assert sends_per_chat(tg.server, text="Outage test") == {chat: 1 for chat in chats}
    assert worker.breaker.opened >= 1
    refused = [call for call in sends(tg.server, ok=False, text="Outage test")
               if call.status == 502]
    assert refused, "the outage did not hit the broadcast"
    # While the breaker was open only probes went out, not one request per waiting row.
    assert len(refused) <= worker.concurrency + 2 * worker.breaker.threshold + 10
    async with tg.db.session() as session:
        attempts = (await session.exec(select(Delivery.attempts)
                                       .where(Delivery.alert_id == alert.id))).all()
    # Only the failures before the breaker opened count as attempts.
    assert sum(count - 1 for count in attempts) < worker.breaker.threshold

    async def status_final() -> bool:
        # the report's last line, under the alert's heading
        text = owner.message(status.message_id).text
        return text.split("\n")[-1] == f"✅ Delivered to {PEOPLE} of {PEOPLE}"

    await wait_until(status_final, timeout=30, what="the status message to show the end")

    delivery_lines = [r for r in caplog.records if r.name.startswith("bot.delivery")
                      and r.levelno >= logging.WARNING]
    assert not [r for r in delivery_lines if r.exc_info], "a traceback was logged"
    assert len(delivery_lines) <= 10, [r.getMessage() for r in delivery_lines]
    assert any("pausing all sends" in r.getMessage() for r in delivery_lines)
    assert any("answers again" in r.getMessage() for r in delivery_lines)


def test_retry_policy_gives_up_by_time_not_by_count():
    policy = RetryPolicy(base=60.0, cap=600.0, budget=3600.0)
    assert policy.delay(1, age=0) == 60.0
    assert policy.delay(40, age=2000) == 600.0  # many tries, still within the hour
    assert policy.delay(2, age=3500) is None  # the next try would be past the budget
    assert RetryPolicy(max_attempts=3).delay(3) is None  # an explicit cap still holds


async def test_breaker_opens_after_failures_in_a_row_and_one_probe_closes_it():
    breaker = CircuitBreaker(threshold=3, base=0.05, cap=0.2)
    assert [breaker.failure(), breaker.failure()] == [False, False]
    breaker.success()  # a success between resets the count
    assert [breaker.failure(), breaker.failure(), breaker.failure()] == [False, False, True]
    assert breaker.is_open and breaker.opened == 1
    await breaker.admit()  # the first sender to come after the backoff probes
    assert breaker.failure() is True  # the probe failed: still open, longer backoff
    await breaker.admit()
    breaker.success()
    assert not breaker.is_open
    await breaker.admit()  # closed: returns at once


async def test_sandbox_fails_for_a_time_on_command_over_the_control_api(server):
    """An outage is a time, not a number of calls: the server fails everything for as long as
    it was told (here through the control API, as another process would), then answers again."""
    async with aiohttp.ClientSession() as http:
        answer = await http.post(f"{server.control_url}/faults",
                                 json={"method": "sendMessage", "status": 502, "seconds": 0.3})
        assert (await answer.json())["ok"] is True
        rule: FaultRule = server.faults[-1]
        assert rule.matches("sendmessage", {}) and rule.matches("sendmessage", {})  # not once
        await asyncio.sleep(0.35)
        assert rule.expired and not rule.matches("sendmessage", {})
        bad = await http.post(f"{server.control_url}/faults", json={"status": "many"})
        assert bad.status == 400
        await http.post(f"{server.control_url}/faults", json={"status": 500, "times": 2})
        assert server.faults
        await http.delete(f"{server.control_url}/faults")
        assert server.faults == []
