"""An answer Telegram holds back with a short "retry after" (more than a message a second to
one chat) is sent once that has passed: the person gets it late, not never."""

from __future__ import annotations

from bot import log_throttle
from bot.telegram_bot import ANSWER_RETRY_LIMIT


async def test_an_answer_held_back_by_the_per_chat_limit_comes_after_the_wait(tg):
    tg.server.flood_limit_per_chat = 1.0  # Telegram's: about one message a second per chat
    alice = tg.user("Alice")
    await alice.send("/start kharkova")
    await alice.reply()
    await alice.send("/cases")  # at once: the answer would be the chat's second in a second
    listing = await alice.reply(timeout=ANSWER_RETRY_LIMIT + 3)
    assert "Cases" in listing.text
    sends = [call for call in tg.server.calls_to("sendMessage") if call.chat_id == alice.id]
    assert [call.status for call in sends] == [200, 429, 200]
    assert sends[2].time - sends[1].time >= 0.9  # it waited as told, then sent again


async def test_a_long_retry_after_is_not_waited_for(tg, caplog, monkeypatch):
    monkeypatch.setattr(log_throttle, "THROTTLE", log_throttle.Throttle())  # a fresh minute
    tg.server.flood_limit_per_chat = 1 / (ANSWER_RETRY_LIMIT + 5)  # "retry after 10 s"
    alice = tg.user("Alice")
    await alice.send("/start")
    await alice.reply()
    await alice.send("/cases")
    await tg.idle()
    sends = [call for call in tg.server.calls_to("sendMessage") if call.chat_id == alice.id]
    assert [call.status for call in sends] == [200, 429]  # one try: no 10 s wait in a handler
    # a routine line, not a traceback, and no "something went wrong" into a chat held back
    assert any(getattr(r, "kind", "") == "answer_rate_limited" for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records if r.levelname == "ERROR")
