"""The bot token never appears in a log line, at any level (httpx logs full URLs at INFO)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
async def test_bot_run_logs_no_token(server, tmp_path, level):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=server.token,
        TELEGRAM_API_BASE_URL=server.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        LOG_LEVEL=level,
    )
    log_path = tmp_path / "bot.log"
    log_file = log_path.open("wb")  # a file, not a pipe: a full pipe would stall the bot
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=log_file, stderr=asyncio.subprocess.STDOUT)
    try:
        alice = server.user("Alice")
        await asyncio.sleep(0)
        await alice.send("/start kharkova")
        reply = await alice.reply(timeout=60)
        assert "Larisa Kharkova" in reply.text
        server.fail(method="sendMessage", status=500, times=1)  # an error path logs too
        await alice.send("/cases")
        while not any(call.status == 500 for call in server.calls_to("sendMessage")):
            await asyncio.sleep(0.02)
        await server.idle()  # the bot has taken the error and logged it
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), timeout=30)
        log_file.close()
    log = log_path.read_text()
    assert "getUpdates" in log or level == "INFO"
    assert log.strip(), "the bot logged nothing at all"
    secret = server.token.split(":", 1)[1]
    assert server.token not in log
    assert secret not in log
