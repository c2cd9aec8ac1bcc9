"""Log lines per minute of one `appeal-bot run` process through outages (prints figures).

Phases of ``--seconds`` each, while a few people write to the bot every second: steady, the
database refused (a TCP proxy in front of PostgreSQL closed), steady, the Bot API answering 502
to everything, steady, and a second `appeal-bot run` on the same token (409 Conflict). For each
phase: log lines per minute of the first process, of them tracebacks, and how many people got
an answer. ``--bin`` runs another checkout's `appeal-bot` (e.g. main's) for a before/after.

    .venv/bin/python bench/outage_logs.py [--seconds 30] [--bin /path/to/appeal-bot]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from tempfile import mkdtemp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import (
    OWNER_ID,
    drop_postgres_database,
    ensure_postgres_running,
    fresh_postgres_database,
)
from helpers_processes import APPEAL_BOT, TcpProxy

from bot.sandbox import BotApiServer


def _count(log: str, start: int) -> tuple[int, int]:
    part = log[start:]
    return part.count("\n"), part.count("Traceback")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--bin", default=APPEAL_BOT)
    args = parser.parse_args()
    ensure_postgres_running()
    url, name = await fresh_postgres_database()  # the bot brings its schema up (any checkout)
    proxy = TcpProxy(5432)
    await proxy.up()
    server = BotApiServer()
    await server.start()
    tmp = Path(mkdtemp(prefix="outage-logs-"))
    env = {"TELEGRAM_BOT_TOKEN": server.token, "TELEGRAM_API_BASE_URL": server.base_url,
           "DATABASE_URL": url.replace(":5432/", f":{proxy.port}/"),
           "ADMIN_IDS": str(OWNER_ID), "LOG_LEVEL": "INFO"}
    log_path = tmp / "bot.log"
    log_file = open(log_path, "ab")  # noqa: SIM115, ASYNC230 - open while the bot runs
    proc = subprocess.Popen(  # noqa: ASYNC220 - a benchmark: blocking a moment is fine
        [args.bin, "run"], env={**os.environ, **env}, cwd=tmp, stdout=log_file,
        stderr=subprocess.STDOUT)

    def read_log() -> str:
        return log_path.read_text(errors="replace")

    people = [server.user(f"P{i}") for i in range(3)]
    try:
        deadline = time.monotonic() + 90
        while "Application started" not in read_log():
            if time.monotonic() > deadline or proc.poll() is not None:
                print(read_log()[-2000:])
                raise SystemExit("the bot did not start")
            await asyncio.sleep(0.2)
        second: subprocess.Popen | None = None

        async def phase(label: str, begin, end) -> None:
            await begin()
            start = len(read_log())
            asked = answered = 0
            until = time.monotonic() + args.seconds
            while time.monotonic() < until and proc.poll() is None:
                for person in people:
                    before = len(person.messages)
                    await person.send("/help")
                    asked += 1
                    try:
                        await person.reply(timeout=0.9)
                        answered += len(person.messages) > before
                    except (TimeoutError, AssertionError):
                        pass
                await asyncio.sleep(max(0.0, 1.0 - 0.3 * len(people)))
            lines, tracebacks = _count(read_log(), start)
            per_minute = 60.0 / args.seconds
            exited = "" if proc.poll() is None else f" (exited with {proc.returncode})"
            print(f"{label:<28} {lines * per_minute:8.0f} lines/min {tracebacks * per_minute:7.0f}"
                  f" tracebacks/min  answered {answered}/{asked}{exited}", flush=True)
            await end()

        async def nothing() -> None:
            return None

        async def start_second() -> None:
            nonlocal second
            second = subprocess.Popen(  # noqa: ASYNC220
                [args.bin, "run"], env={**os.environ, **env}, cwd=tmp,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        async def stop_second() -> None:
            if second is not None and second.poll() is None:
                second.terminate()
                second.wait()

        async def api_down() -> None:
            server.fail("*", 502, times=None)

        async def api_up() -> None:
            server.clear_faults()

        print(f"{args.bin}: phases of {args.seconds:.0f} s")
        await phase("steady", nothing, nothing)
        await phase("database refused", proxy.down, proxy.up)
        await phase("steady (database back)", nothing, nothing)
        await phase("Bot API 502 for everything", api_down, api_up)
        await phase("steady (Bot API back)", nothing, nothing)
        await phase("second poller (409)", start_second, stop_second)
        print(f"log: {log_path}")
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
        await server.stop()
        await proxy.close()
        await drop_postgres_database(name)


if __name__ == "__main__":
    asyncio.run(main())
