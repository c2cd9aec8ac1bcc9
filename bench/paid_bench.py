"""Paid-broadcast benchmark: the worker with the limit lifted against a plain PTB loop, same run.

Prints messages/s (first → last accepted send, on the server's record) for

1. a plain PTB loop ``for chat in chats: await bot.send_message(...)`` (the baseline);
2. the delivery worker (rate 1000, every result recorded durably by group commits) with PTB's
   ``Bot`` as transport (:class:`bot.delivery.TelegramTransport`);
3. the same worker with the lean transport (:class:`bot.delivery.lean.LeanTelegramTransport`,
   ``allow_paid_broadcast`` on), at concurrency 8 and 32;
4. the lean worker without the 1000 msg/s cap (what the worker itself can do: on loopback a
   plain loop may run faster than 1000 msg/s, and no capped worker can be 1.3× that);

and each worker's ratio to the baseline, and how many results each group commit recorded. The Bot API server runs in another process (without
flood limits). With ``--profile FILE`` the lean run at concurrency 8 is profiled (cProfile).

Run from the repository root::

    .venv/bin/python bench/paid_bench.py                 # 3,000 subscribers, SQLite
    .venv/bin/python bench/paid_bench.py --subscribers 10000 --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from delivery_bench import (
    BASELINE,
    BIG,
    TOKEN,
    ServerProcess,
    drop_database,
    enqueue,
    fresh_database,
    make_bot,
    plain_loop,
    seed_case,
    steady_rate,
    wait_finished,
)

from bot.delivery import DeliveryWorker, TelegramTransport
from bot.delivery.lean import LeanTelegramTransport
from storage.db import Database


class Timed:
    """Wraps a transport: notes when each successful send came back."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.channel = inner.channel
        self.sent_at: list[float] = []

    async def send(self, chat_id, text, markup=None):
        result = await self.inner.send(chat_id, text, markup)
        if result.ok:
            self.sent_at.append(time.monotonic())
        return result

    async def edit(self, *args, **kwargs):
        return await self.inner.edit(*args, **kwargs)

    async def close(self) -> None:
        await self.inner.close()


async def worker_run(db: Database, transport, alert_id: int, concurrency: int,
                     profile: str | None = None, rate: float = 1000.0) -> dict:
    timed = Timed(transport)
    worker = DeliveryWorker(timed, db, rate=rate, concurrency=concurrency)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    started = time.monotonic()
    worker.start()
    try:
        await wait_finished(db, alert_id, 3600)
    finally:
        wall = time.monotonic() - started
        await worker.stop()
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        await timed.close()
    return {"steady": steady_rate(timed.sent_at), "wall": wall, "sent": worker.stats["sent"],
            "commits": worker.stats["commits"]}


async def main(args: argparse.Namespace) -> None:
    n = args.subscribers
    server = ServerProcess([(BIG, n), (BASELINE, n)], flood=False)
    workdir = Path(tempfile.mkdtemp(prefix="appeal-paid-bench-"))
    kind = "postgres" if args.postgres_url else "sqlite"
    url, name = await fresh_database(kind, args.postgres_url or None, workdir)
    db = Database(url)
    print(f"paid broadcast bench: {n} subscribers, {kind}, server in another process")
    try:
        case = await seed_case(db, "paid", BIG, n)
        plain = await plain_loop(server.base_url, range(BASELINE, BASELINE + n))
        print(f"  plain PTB loop           {plain['steady']:7.1f} msg/s")
        runs = [("worker, PTB transport", 8, None, 1000.0),
                ("worker, lean, paid", 8, args.profile, 1000.0),
                ("worker, lean, paid", 32, None, 1000.0),
                ("lean, paid, no cap", 8, None, 1e6), ("lean, paid, no cap", 32, None, 1e6)]
        for label, concurrency, profile, rate in runs:
            alert, _, _ = await enqueue(db, case, f"Paid <b>{label} {concurrency}</b>")
            if "lean" in label:
                transport = await LeanTelegramTransport.connect(
                    TOKEN, server.base_url, connections=concurrency + 2, paid_broadcast=True)
            else:
                bot = make_bot(server.base_url, pool=concurrency + 2, timed=False)
                await bot.initialize()
                transport = TelegramTransport(bot, owns_bot=True)
            figures = await worker_run(db, transport, alert, concurrency, profile, rate)
            print(f"  {label:<22} c={concurrency:<2} {figures['steady']:7.1f} msg/s   "
                  f"{figures['steady'] / plain['steady']:.2f}× the plain loop   "
                  f"({figures['sent']} sent, {n / figures['wall']:.1f} msg/s enqueue→finished, "
                  f"{figures['sent'] / max(figures['commits'], 1):.1f} results/commit)",
                  flush=True)
    finally:
        await db.dispose()
        if name:
            await drop_database(args.postgres_url, name)
        server.close()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=3000)
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--profile", default="", help="cProfile the lean run into FILE")
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
