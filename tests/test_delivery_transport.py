"""The seams of the delivery engine: Telegram's answers mapped to SendResults in one place, and a
worker that sends through any transport and knows nothing of Telegram."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
from pathlib import Path

import httpx
import pytest
from helpers_delivery import add_subscribers, make_case, wait_finished
from sqlmodel import select
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.alerts import enqueue_alert
from bot.delivery import DeliveryWorker, RetryPolicy, SendOutcome, SendResult
from bot.delivery.transport import result_of_error
from storage.models import Delivery, DeliveryChannel

ROOT = Path(__file__).resolve().parents[1]
FIRST_MESSAGE_ID = 2**33  # message ids need 64 bits


@pytest.mark.parametrize(("error", "outcome"), [
    (Forbidden("Forbidden: bot was blocked by the user"), SendOutcome.BLOCKED),
    (Forbidden("Forbidden: user is deactivated"), SendOutcome.BLOCKED),
    (BadRequest("Chat not found"), SendOutcome.BLOCKED),
    (BadRequest("Bad Request: PEER_ID_INVALID"), SendOutcome.BLOCKED),
    (BadRequest("Can't parse entities: unclosed start tag at byte offset 3"),
     SendOutcome.MALFORMED),
    (BadRequest("Message is too long"), SendOutcome.MALFORMED),
    (BadRequest("Button_data_invalid"), SendOutcome.MALFORMED),
    (BadRequest("Message thread not found"), SendOutcome.FAILED),
    (ChatMigrated(-100123), SendOutcome.FAILED),
    (NetworkError("Bad Gateway"), SendOutcome.RETRY),
    (TimedOut(), SendOutcome.RETRY),
    (httpx.ConnectError("connection refused"), SendOutcome.RETRY),
])
def test_telegram_errors_map_to_one_outcome_each(error, outcome):
    result = result_of_error(error)
    assert result.outcome is outcome
    assert result.error and result.message_id is None and not result.ok


@pytest.mark.parametrize("retry_after", [7, dt.timedelta(seconds=7)])
def test_flood_control_carries_its_wait(retry_after):
    result = result_of_error(RetryAfter(retry_after))
    assert result.outcome is SendOutcome.RETRY_AFTER and result.retry_after == 7.0


def test_network_errors_keep_their_kind_in_the_error_text():
    assert result_of_error(NetworkError("Bad Gateway")).error == "NetworkError: Bad Gateway"
    assert result_of_error(BadRequest("Message thread not found")).error == \
        "Message thread not found"


def test_retry_policy_backs_off_exponentially_up_to_its_cap_then_gives_up():
    policy = RetryPolicy(max_attempts=5, base=2.0, cap=5.0)
    assert [policy.delay(attempts) for attempts in range(1, 6)] == [2.0, 4.0, 5.0, 5.0, None]


class ScriptedTransport:
    """A channel that is not Telegram: answers per chat from a script, then SENT."""

    channel = DeliveryChannel.TELEGRAM  # the only channel rows can have today

    def __init__(self, script: dict[int, list[SendResult]]) -> None:
        self.script = script
        self.calls: list[tuple[float, int, str, object]] = []
        self.closed = False

    async def send(self, chat_id: int, text: str, markup: object = None) -> SendResult:
        self.calls.append((asyncio.get_running_loop().time(), chat_id, text, markup))
        answers = self.script.get(chat_id)
        if answers:
            return answers.pop(0)
        return SendResult.sent(FIRST_MESSAGE_ID + chat_id)

    async def edit(self, chat_id: int, message_id: int, text: str,
                   markup: object = None) -> SendResult:
        return SendResult.sent(message_id)

    async def close(self) -> None:
        self.closed = True


async def test_the_worker_acts_on_send_results_from_any_transport(db):
    case = await make_case(db)
    chats = await add_subscribers(db, case, range(1, 7))
    transport = ScriptedTransport({
        1: [SendResult.rate_limited(0.4)],  # everybody waits, then chat 1 is sent again
        2: [SendResult.retry("Bad Gateway"), SendResult.retry("Bad Gateway")],
        3: [SendResult.blocked("blocked the bot")],
        4: [SendResult.failed("thread not found")],
    })
    buttons = object()  # whatever the wiring builds; the worker passes it through untouched
    async with db.session() as session:
        alert = await enqueue_alert(session=session, case_id=case, kind="news", text="Hello")
    worker = DeliveryWorker(transport, db, rate=100.0, per_chat_interval=0.0, retry_base=0.05,
                            poll_interval=0.2, markup_for=lambda _alert, _lang: buttons)
    worker.start()
    try:
        assert await wait_finished(db, alert.id) == {
            "pending": 0, "sent": 4, "blocked": 1, "failed": 1, "total": 6}
    finally:
        await worker.stop()
    async with db.session() as session:
        rows = {row.supporter_id: row for row in (await session.exec(select(Delivery))).all()}
    assert {chat: (rows[chat].status, rows[chat].attempts, rows[chat].message_id)
            for chat in chats} == {
        1: ("sent", 1, FIRST_MESSAGE_ID + 1),  # the wait was not counted as an attempt
        2: ("sent", 3, FIRST_MESSAGE_ID + 2),
        3: ("blocked", 1, None),
        4: ("failed", 1, None),
        5: ("sent", 1, FIRST_MESSAGE_ID + 5),
        6: ("sent", 1, FIRST_MESSAGE_ID + 6),
    }
    assert rows[4].error == "thread not found"
    assert {markup for _t, _c, _text, markup in transport.calls} == {buttons}
    assert worker.stats["rate_limited"] == 1 and worker.stats["retried"] == 2
    limited = next(moment for moment, chat, *_ in transport.calls if chat == 1)
    later = [moment - limited for moment, *_ in transport.calls if moment > limited]
    assert later and min(later) >= 0.39, "a RETRY_AFTER pauses every sender"


async def test_a_malformed_alert_fails_every_row_after_one_answer(db):
    case = await make_case(db)
    await add_subscribers(db, case, range(1, 41))
    transport = ScriptedTransport({chat: [SendResult.malformed("Can't parse entities")]
                                   for chat in range(1, 41)})
    async with db.session() as session:
        alert = await enqueue_alert(session=session, case_id=case, kind="news", text="<b>")
    worker = DeliveryWorker(transport, db, rate=1000.0, concurrency=2, poll_interval=0.2)
    worker.start()
    try:
        assert (await wait_finished(db, alert.id))["failed"] == 40
    finally:
        await worker.stop()
    assert len(transport.calls) <= worker.concurrency + 1


# ------------------------------------------------------------------------------- layers
def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_the_wiring_and_the_sandbox_import_handlers():
    wiring = {ROOT / "bot" / "app.py", ROOT / "bot" / "__main__.py"}
    offenders = [
        str(path.relative_to(ROOT)) for path in sorted((ROOT / "bot").rglob("*.py"))
        if path not in wiring and "sandbox" not in path.parts
        and any(name == "handlers" or name.startswith("handlers.")
                for name in imported_modules(path))
    ]
    assert offenders == []


@pytest.mark.parametrize("module", ["worker", "pacing", "results", "report", "retry"])
def test_the_delivery_engine_knows_telegram_only_in_its_transport(module):
    names = imported_modules(ROOT / "bot" / "delivery" / f"{module}.py")
    assert not [name for name in names if name == "telegram" or name.startswith("telegram.")
                or name == "bot.delivery.transport"]
