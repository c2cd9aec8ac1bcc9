"""Burst benchmark: 200 people send ``/start <case>`` at the same moment (a shared link).

Prints, for each way of handling updates, how long people waited for their first answer
(p50 / p99 / max, in ms) — measured on the Bot API server's clock from the person's message to
the bot's answer in that chat — and how many got no answer. It is not a test.

- ``one at a time``: PTB's default, one update after another (the processor with one slot);
- ``concurrent``: the bot's :class:`bot.update_processor.PerChatUpdateProcessor` (chats side by
  side, each chat in order).

The Bot API server (``python -m bot.sandbox.server``) runs in another process so it does not
share the bot's event loop, and so do the people (``bench/burst_people.py``: they send at once
and collect the answers); the bot runs here with its real ``Application`` and a
fresh database per run (SQLite file, or PostgreSQL with ``--postgres-url``). "bot CPU" is this
process's CPU time while the people's process ran, "in" the time from the first message to the
last answer.

Run from the repository root::

    .venv/bin/python bench/burst_bench.py                 # 200 people, both modes, SQLite
    .venv/bin/python bench/burst_bench.py --people 500 --modes concurrent
    .venv/bin/python bench/burst_bench.py --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/burst_bench.py --profile burst.prof --modes concurrent
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp
from sqlalchemy import text

import bot.app as wiring
from bot.config import Settings
from bot.runner import running
from bot.startup import settle_memory
from bot.update_processor import PerChatUpdateProcessor
from storage.db import Database, make_engine, upgrade_schema_async

TOKEN = "123456:BURST-BENCH"
CASE = "kharkova"
MODES = {"sequential": 1, "concurrent": None}  # update slots (None: the bot's default)


class ServerProcess:
    """The Bot API server in a child process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from bot.sandbox.server import main; main()", "--port", "0",
             "--token", TOKEN],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()  # "Bot API: http://127.0.0.1:PORT/bot  ..."
        self.base_url = line.split()[2]
        self.control = self.base_url.rsplit("/bot", 1)[0] + "/control"

    def cpu(self) -> float:
        """The server's CPU seconds so far (Linux; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def fresh_database(postgres_url: str | None, workdir: Path) -> tuple[str, str | None]:
    if not postgres_url:
        return f"sqlite+aiosqlite:///{workdir / f'burst-{uuid.uuid4().hex[:6]}.db'}", None
    name = f"burst_{uuid.uuid4().hex[:8]}"
    admin = make_engine(postgres_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}", name


async def drop_database(postgres_url: str, name: str) -> None:
    admin = make_engine(postgres_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def burst(server: ServerProcess, url: str, people: int, first_id: int,
                slots: int | None) -> dict:
    settings = Settings(_env_file=None, telegram_bot_token=TOKEN,
                        telegram_api_base_url=server.base_url, database_url=url,
                        log_level="WARNING")
    await upgrade_schema_async(url)
    db = Database(url)
    real = wiring.PerChatUpdateProcessor
    if slots is not None:
        wiring.PerChatUpdateProcessor = lambda: PerChatUpdateProcessor(slots)
    try:
        app = wiring.build_application(settings, db)
    finally:
        wiring.PerChatUpdateProcessor = real
    ids = list(range(first_id, first_id + people))
    async with aiohttp.ClientSession() as http, running(app, poll_timeout=1):
        for chat in ids:
            await http.post(f"{server.control}/users",
                            json={"first_name": f"P{chat}", "user_id": chat})
        settle_memory()  # as `appeal-bot run` does once it has started (bot/roles.py)
        info = await (await http.get(f"{server.control}/info")).json()
        cpu_before, server_before = time.process_time(), server.cpu()
        # The people are another process too: this one runs only the bot.
        driver = await asyncio.create_subprocess_exec(
            sys.executable, str(Path(__file__).with_name("burst_people.py")), server.control,
            str(info["last_event"]), str(first_id), str(people), CASE, stdout=subprocess.PIPE)
        output, _ = await driver.communicate()
        cpu, server_cpu = time.process_time() - cpu_before, server.cpu() - server_before
    asked, answered = (
        {int(chat): moment for chat, moment in times.items()}
        for times in json.loads(output))
    wall = max(answered.values(), default=0) - min(asked.values(), default=0)
    await db.dispose()
    waits = [(answered[chat] - asked[chat]) * 1000 for chat in answered if chat in asked]
    return {"answered": len(waits), "unanswered": people - len(waits),
            "p50": statistics.median(waits) if waits else float("nan"),
            "p99": percentile(waits, 0.99) if waits else float("nan"),
            "max": max(waits) if waits else float("nan"), "cpu": cpu, "wall": wall,
            "server_cpu": server_cpu}


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    server = ServerProcess()
    print(f"burst: {args.people} people send /start {CASE} at once "
          f"({'PostgreSQL' if args.postgres_url else 'SQLite'}; Bot API server in another "
          "process)")
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for index, mode in enumerate(args.modes):
                url, name = await fresh_database(args.postgres_url, Path(workdir))
                profiler = cProfile.Profile() if args.profile else None
                if profiler:
                    profiler.enable()
                try:
                    figures = await burst(server, url, args.people, 10_000_000 + index * 100_000,
                                          MODES[mode])
                finally:
                    if profiler:
                        profiler.disable()
                        profiler.dump_stats(f"{args.profile}.{mode}")
                    if name:
                        await drop_database(args.postgres_url, name)
                print(f"  {mode:<11} answered {figures['answered']:>4}, "
                      f"no answer {figures['unanswered']:>3}   wait p50 {figures['p50']:7.0f} ms"
                      f"   p99 {figures['p99']:7.0f} ms   max {figures['max']:7.0f} ms"
                      f"   bot CPU {figures['cpu']:.2f} s in {figures['wall']:.2f} s"
                      f"   (server CPU {figures['server_cpu']:.2f} s)",
                      flush=True)
    finally:
        server.close()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--profile", default="", help="write cProfile stats to FILE.<mode>")
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
