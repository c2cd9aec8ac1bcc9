"""A broadcast survives `kill -9`: the real bot process is killed at random points and restarted.

The bot runs as a subprocess (``python -m bot run``) against the project's Bot API server in this
test, on a SQLite file seeded with 600 subscribers and one queued alert. ``sendMessage`` answers
slowly so every kill lands mid-broadcast with messages in flight. After the last restart every
subscriber must have the alert; a duplicate is allowed only for a message that was in flight when
its process died, so duplicates per kill are bounded by the worker's concurrency.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from pathlib import Path

from helpers_delivery import add_subscribers, case_id, report

from bot.alerts import enqueue_alert
from bot.sandbox import BotApiServer
from content.loader import load_library
from storage.db import Database, upgrade_schema_async
from storage.library_sync import sync_library
from storage.models import Alert

ROOT = Path(__file__).resolve().parents[1]
SUBSCRIBERS = 600  # 3 kills × a claimed batch of 200: every kill lands mid-broadcast
KILLS = 3
CONCURRENCY = 8  # the worker's default: messages that can be sent-but-unrecorded at once
TEXT = "📣 Crash-resume broadcast"


async def spawn(server: BotApiServer, url: str, workdir: Path, n: int):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "DATABASE_URL": url,
        "SEND_RATE": "100",
        "DELIVERY_LEASE": "4",  # a killed process's claimed rows are free again after 4 s
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }
    log = open(workdir / f"bot-{n}.log", "wb")  # noqa: SIM115, ASYNC230 — closed with the process
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=workdir, env=env, stdout=log, stderr=log)
    process.log = log  # type: ignore[attr-defined]
    return process


def started_bots(server: BotApiServer) -> int:
    """Bot processes that got through start-up (post_init sets the command menu)."""
    return sum(call.method == "setMyCommands" for call in server.calls)


async def wait_ready(server: BotApiServer, process, before: int, log: Path) -> None:
    deadline = time.monotonic() + 60  # a loaded CI machine can be slow to start Python
    while started_bots(server) == before:
        assert process.returncode is None, log.read_text()
        assert time.monotonic() < deadline, "the bot did not start:\n" + log.read_text()
        await asyncio.sleep(0.02)


def delivered(server: BotApiServer) -> list:
    return [call for call in server.calls if call.method == "sendMessage" and call.ok
            and TEXT in str(call.params.get("text", ""))]


async def test_broadcast_resumes_after_kill_minus_nine(tmp_path, server):
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await upgrade_schema_async(url)
    db = Database(url)
    try:
        library, _errors = load_library()
        async with db.session() as session:
            await sync_library(session=session, library=library)
        kharkova = await case_id(db, "kharkova")
        chats = await add_subscribers(db, kharkova, range(70_000, 70_000 + SUBSCRIBERS),
                                      server=server)
        async with db.session() as session:
            alert = await enqueue_alert(session=session, case_id=kharkova, kind="news",
                                        text=TEXT)
        server.fail("sendMessage", delay=0.05, times=None)  # slow answers: sends in flight

        segments: list[tuple[float, float]] = []  # (started, killed) per killed process
        for n in range(KILLS):
            before = len(delivered(server))
            target = before + rng.randint(10, 60)
            ready_before = started_bots(server)
            process = await spawn(server, url, tmp_path, n)
            started = time.time()
            await wait_ready(server, process, ready_before, tmp_path / f"bot-{n}.log")
            # Kill after a random number of new deliveries (mid-broadcast), or at a random
            # moment if this process has nothing it may send yet (rows still leased by the
            # process killed before it).
            idle_kill = time.monotonic() + rng.uniform(1, 6)
            while len(delivered(server)) < target and time.monotonic() < idle_kill:
                assert process.returncode is None, (tmp_path / f"bot-{n}.log").read_text()
                await asyncio.sleep(0.01)
            process.send_signal(signal.SIGKILL)
            await process.wait()
            process.log.close()
            segments.append((started, time.time()))
            print(f"kill {n + 1}: after {len(delivered(server)) - before} deliveries "
                  f"({len(delivered(server))} so far)")

        final = await spawn(server, url, tmp_path, KILLS)
        try:
            async def finished() -> bool:
                async with db.session() as session:
                    row = await session.get(Alert, alert.id, populate_existing=True)
                return row.finished_at is not None

            deadline = time.monotonic() + 90
            while not await finished():
                log = tmp_path / f"bot-{KILLS}.log"
                assert final.returncode is None, log.read_text()
                assert time.monotonic() < deadline, "not finished:\n" + log.read_text()
                await asyncio.sleep(0.1)
        finally:
            final.send_signal(signal.SIGTERM)  # a graceful stop for the last one
            try:
                await asyncio.wait_for(final.wait(), 20)
            finally:
                if final.returncode is None:
                    final.kill()
                    await final.wait()
                final.log.close()

        calls = delivered(server)
        counts: dict[int, list[float]] = {}
        for call in calls:
            counts.setdefault(call.chat_id, []).append(call.time)
        missing = [chat for chat in chats if chat not in counts]
        assert not missing, f"{len(missing)} subscribers never got the alert (seed {seed})"
        duplicates_per_kill = [0] * KILLS
        after_last = 0
        for times in counts.values():
            if len(times) < 2:
                continue
            first = min(times)
            for index, (started, killed) in enumerate(segments):
                if started <= first <= killed:
                    duplicates_per_kill[index] += len(times) - 1
                    break
            else:
                after_last += len(times) - 1
        final_report = await report(db, alert.id)
        print(f"\ncrash-resume (seed {seed}): {SUBSCRIBERS} subscribers, {len(calls)} messages "
              f"delivered, duplicates per kill {duplicates_per_kill}, final {final_report}")
        assert final_report == {"pending": 0, "sent": SUBSCRIBERS, "blocked": 0, "failed": 0,
                                "total": SUBSCRIBERS}
        assert after_last == 0
        assert all(dups <= CONCURRENCY for dups in duplicates_per_kill), (
            f"seed {seed}: {duplicates_per_kill}")
    finally:
        await db.dispose()
