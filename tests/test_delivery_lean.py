"""The lean transport answers exactly like PTB's (same outcomes for the same Bot API answers),
and PAID_BROADCAST=true sends every broadcast with allow_paid_broadcast."""

from __future__ import annotations

import pytest
from conftest import Harness, make_settings
from helpers_delivery import add_subscribers, case_id, sends, wait_finished
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.alerts import enqueue_alert
from bot.delivery import SendOutcome, TelegramTransport
from bot.delivery.lean import LeanTelegramTransport

CASES = [  # (fault, outcome)
    (None, SendOutcome.SENT),
    ({"status": 429, "retry_after": 3}, SendOutcome.RETRY_AFTER),
    ({"status": 403}, SendOutcome.BLOCKED),
    ({"status": 400}, SendOutcome.BLOCKED),  # "chat not found"
    ({"status": 400, "description": "Bad Request: can't parse entities: unclosed tag"},
     SendOutcome.MALFORMED),
    ({"status": 400, "description": "Bad Request: message thread not found"},
     SendOutcome.FAILED),
    ({"status": 500}, SendOutcome.RETRY),
    ({"status": 502}, SendOutcome.RETRY),
]


async def test_lean_and_ptb_transports_agree_on_every_answer(server):
    lean = await LeanTelegramTransport.connect(server.token, server.base_url, connections=2)
    ptb = await TelegramTransport.connect(server.token, server.base_url, connections=2)
    person = server.user("Reader", user_id=4242, started=True)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data="cc:1")]])
    try:
        for fault, outcome in CASES:
            answers = []
            for transport in (lean, ptb):
                if fault is not None:
                    server.fail("sendMessage", chat_id=person.id, **fault)
                answers.append(await transport.send(person.id, "<b>Hello</b>", keyboard))
            assert [answer.outcome for answer in answers] == [outcome, outcome], fault
            if outcome is SendOutcome.RETRY_AFTER:
                assert answers[0].retry_after == answers[1].retry_after == 3.0
        sent = [message for message in person.messages if message.text == "Hello"]
        assert len(sent) == 2 and all(m.has_button("Open") for m in sent)
        first = sent[0]
        assert (await lean.edit(person.id, first.message_id, "<i>Edited</i>")).ok
        assert person.message(first.message_id).text == "Edited"
        # Not modified: it already says exactly this, which is success.
        assert (await lean.edit(person.id, first.message_id, "<i>Edited</i>")).ok
    finally:
        await lean.close()
        await ptb.close()
    await server.stop()  # the Bot API is gone: a network failure, to be retried
    gone = await LeanTelegramTransport.connect(server.token, server.base_url, connections=1)
    try:
        assert (await gone.send(person.id, "Anyone?")).outcome is SendOutcome.RETRY
    finally:
        await gone.close()


@pytest.fixture
async def paid_tg(server, database_url):
    harness = Harness(server, database_url,
                      make_settings(server, database_url, paid_broadcast=True))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_paid_broadcast_sends_allow_paid_broadcast(paid_tg):
    tg = paid_tg
    kharkova = await case_id(tg.db, "kharkova")
    chats = await add_subscribers(tg.db, kharkova, range(7700, 7710), server=tg.server)
    async with tg.db.session() as session:
        alert = await enqueue_alert(session=session, case_id=kharkova, kind="news",
                                    text="Paid <b>broadcast</b>")
    assert await wait_finished(tg.db, alert.id) == {
        "pending": 0, "sent": len(chats), "blocked": 0, "failed": 0, "total": len(chats)}
    calls = sends(tg.server, text="Paid <b>broadcast</b>")
    assert len(calls) == len(chats)
    assert all(call.params.get("allow_paid_broadcast") in (True, "true") for call in calls)
    assert tg.app.bot_data["services"].delivery.pacer.rate == 1000.0


async def test_a_lost_answer_is_a_retry_though_telegram_delivered_it(server):
    """Telegram accepted the message but its answer never came in time: the transport cannot
    tell, so it says "retry" (a second copy may follow; the outage bench counts them)."""
    person = server.user("Waiting", user_id=4343, started=True)
    server.fail("sendMessage", answer_delay=1.0, times=1)
    lean = LeanTelegramTransport(server.token, server.base_url, connections=1, timeout=0.2)
    try:
        result = await lean.send(person.id, "Did it arrive?")
    finally:
        await lean.close()
    assert result.outcome is SendOutcome.RETRY and "TimedOut" in (result.error or "")
    assert [message.text for message in person.messages] == ["Did it arrive?"]
