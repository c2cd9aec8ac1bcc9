"""`appeal-bot run` as a real process: it waits for Telegram at start-up, and a second poller
on the same token (409 Conflict) gives one clear line and exits non-zero instead of spinning.
The Bot API server runs in this test's process; the database is a SQLite file (one poller
owns it; the second only starts)."""

from __future__ import annotations

import asyncio
import re

from conftest import OWNER_ID
from helpers_processes import BotProcess, until

from bot.roles import EXIT_CONFLICT
from bot.sandbox import BotApiServer


async def test_waits_for_telegram_then_a_second_poller_exits(tmp_path):
    server = BotApiServer()
    await server.start()
    env = {"TELEGRAM_BOT_TOKEN": server.token, "TELEGRAM_API_BASE_URL": server.base_url,
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
           "ADMIN_IDS": str(OWNER_ID), "LOG_LEVEL": "INFO",
           "STARTUP_RETRY_DELAY": "0.1"}  # four retries in 1.5 s, not 7.5 s
    server.fail("getMe", 502, times=4)  # Telegram answers "Bad Gateway" at first
    first = BotProcess("run", env, tmp_path / "first.log").start()
    second = BotProcess("run", env, tmp_path / "second.log")
    try:
        await until(lambda: "kind=ready" in first.log(), timeout=60, what="the first poller")
        log = first.log()
        assert len(re.findall(r"waiting for Telegram \(getMe\)", log)) == 1, log
        assert "Traceback" not in log
        assert first.proc.poll() is None
        alice = server.user("Alice")
        await alice.send("/start")
        assert (await alice.reply(timeout=20)).text

        # A second poller by mistake: Telegram ends the older poll with 409 Conflict.
        second.start()
        await until(lambda: first.proc.poll() is not None or second.proc.poll() is not None,
                    timeout=60, what="one poller to give up")
        await asyncio.sleep(3)  # the survivor goes on polling alone
        exited, survivor = (first, second) if first.proc.poll() is not None else (second, first)
        assert await exited.wait() == EXIT_CONFLICT
        assert survivor.proc.poll() is None, survivor.log()[-2000:]
        conflict_lines = [line for line in exited.log().splitlines()
                          if "409" in line or "Conflict" in line]
        assert len(conflict_lines) == 1, exited.log()[-3000:]
        assert "only one `appeal-bot run` may poll" in conflict_lines[0].lower()
        assert "Traceback" not in exited.log()
        bob = server.user("Bob")
        await bob.send("/start")
        assert (await bob.reply(timeout=20)).text  # the survivor still answers
        assert "409" not in survivor.log() and "Conflict" not in survivor.log()
    finally:
        await first.stop()
        await second.stop()
        await server.stop()
