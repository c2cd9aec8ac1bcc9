"""Delivery benchmark: how fast, how exactly paced and how lean the alert outbox drains.

Prints figures (it is not a test):

1. **Paced at the default limit (30 msg/s)** against a Bot API server that enforces Telegram's
   flood limits (30/s overall, 1/s per chat) and answers 429 beyond them: achieved messages/s,
   efficiency (achieved ÷ limit) and the number of 429s (should be 0).
2. **Limit lifted** (``rate=1000``, server without flood limits): messages/s of the worker at
   concurrency 8 (the default) and 32, on SQLite and (if reachable) PostgreSQL.
3. **Baseline**: a plain PTB loop ``for chat in chats: await bot.send_message(...)`` in the same
   run — its messages/s without limits, and how many of its messages Telegram's flood limits
   would reject (429) when it is pointed at the limited server.
4. **Enqueue** an alert for 100,000 subscribers (one ``INSERT … SELECT``): seconds, on SQLite
   and PostgreSQL.
5. **Memory while delivering to 100,000** (a fresh process, SQLite, limit lifted): RSS at the
   start, sampled during the run, and ``ru_maxrss`` at the end; with ``--tracemalloc`` also
   the peak of Python allocations (tracemalloc makes the run several times slower).

The Bot API server (``bot.sandbox.BotApiServer``) runs in a separate process so it does not
share a CPU core with the worker being measured.

Run from the repository root::

    .venv/bin/python bench/delivery_bench.py            # everything (~6–10 minutes)
    .venv/bin/python bench/delivery_bench.py --quick    # smaller numbers (~1–2 minutes)
    .venv/bin/python bench/delivery_bench.py --postgres-url ''   # skip PostgreSQL
    .venv/bin/python bench/delivery_bench.py --subscribers 20000 --no-memory
    .venv/bin/python bench/delivery_bench.py --quick --tracemalloc   # + Python heap peak

PostgreSQL defaults to ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``; the bench
creates and drops its own database there. Figures depend on the machine (and on whatever else
runs on it): read them as orders of magnitude and ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text
from telegram import Bot
from telegram.error import RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.alerts import enqueue_alert
from bot.delivery import DeliveryWorker, TelegramTransport
from storage.db import Database, make_engine, upgrade_schema_async
from storage.models import Alert, Case, Subscription, Supporter, utcnow

TOKEN = "123456:BENCH-TOKEN"
BIG = 1_000_000  # chat ids of the 100k audience (and of the smaller unlimited runs)
PACED = 2_000_000  # chat ids for the runs against the flood-limited server
BASELINE = 3_000_000


# ---------------------------------------------------------------------------- the server
def serve(args: argparse.Namespace) -> None:
    """Child process: a Bot API server with started users; prints its port; stops on EOF."""
    from bot.sandbox import BotApiServer

    async def main() -> None:
        server = BotApiServer(TOKEN, flood_limit_global=args.flood_global or None,
                              flood_limit_per_chat=args.flood_per_chat or None,
                              max_calls=2000, max_events=2000)
        await server.start()
        for start, count in json.loads(args.ranges):
            for chat in range(start, start + count):
                server.user("Supporter", user_id=chat, started=True)
        print(f"PORT {server.port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await server.stop()

    asyncio.run(main())


class ServerProcess:
    def __init__(self, ranges: list[tuple[int, int]], flood: bool) -> None:
        command = [sys.executable, __file__, "serve", "--ranges", json.dumps(ranges)]
        if flood:
            command += ["--flood-global", "30", "--flood-per-chat", "1"]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"bench server did not start: {line!r}")
        self.base_url = f"http://127.0.0.1:{int(line.split()[1])}/bot"

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class TimedBot(Bot):
    """A Bot that notes when each sendMessage came back."""

    __slots__ = ("sent_at",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "sent_at", [])  # PTB freezes its objects after __init__

    async def send_message(self, *args, **kwargs):
        result = await super().send_message(*args, **kwargs)
        self.sent_at.append(time.monotonic())
        return result


def make_bot(base_url: str, pool: int = 8, timed: bool = True) -> Bot:
    cls = TimedBot if timed else Bot
    return cls(TOKEN, base_url=base_url,
               request=HTTPXRequest(connection_pool_size=pool, read_timeout=30,
                                    write_timeout=30, pool_timeout=30))


# ------------------------------------------------------------------------------- the data
async def fresh_database(kind: str, postgres_url: str | None, workdir: Path) -> tuple[str, str]:
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        await upgrade_schema_async(url)
        return url, ""
    name = "appeal_bench_" + uuid.uuid4().hex[:10]
    admin = make_engine(postgres_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/" + name
    await upgrade_schema_async(url)
    return url, name


async def drop_database(postgres_url: str, name: str) -> None:
    if not name:
        return
    admin = make_engine(postgres_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def seed_case(db: Database, slug: str, first_chat: int, count: int) -> int:
    """A case with ``count`` subscribers (bulk inserts of 10,000 rows)."""
    now = utcnow()
    async with db.session() as session:
        case = Case(slug=slug, title=slug, data={}, content_hash="bench")
        session.add(case)
        await session.flush()
        case_id = case.id
    for start in range(first_chat, first_chat + count, 10_000):
        chunk = range(start, min(start + 10_000, first_chat + count))
        async with db.session() as session:
            await session.exec(insert(Supporter.__table__).prefix_with("OR IGNORE", dialect="sqlite"),
                               params=[{"chat_id": c, "language": "en", "joined_at": now}
                                       for c in chunk])
            await session.exec(insert(Subscription.__table__), params=[
                {"supporter_id": c, "case_id": case_id, "created_at": now} for c in chunk])
    return case_id


async def enqueue(db: Database, case_id: int, text_: str) -> tuple[int, float, int]:
    started = time.perf_counter()
    async with db.session() as session:
        alert = await enqueue_alert(session=session, case_id=case_id, kind="news", text=text_)
    return alert.id, time.perf_counter() - started, alert.recipients


async def wait_finished(db: Database, alert_id: int, timeout: float,
                        on_tick=None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        async with db.session() as session:
            alert = await session.get(Alert, alert_id, populate_existing=True)
        if alert.finished_at is not None:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"alert {alert_id} not delivered within {timeout}s")
        if on_tick is not None:
            await on_tick()
        await asyncio.sleep(0.25)


def steady_rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


async def run_worker(db: Database, base_url: str, alert_id: int, *, rate: float,
                     concurrency: int = 8, timeout: float = 3600, on_tick=None) -> dict:
    bot = make_bot(base_url, pool=concurrency + 2)
    await bot.initialize()
    worker = DeliveryWorker(TelegramTransport(bot), db, rate=rate, concurrency=concurrency)
    started = time.monotonic()
    worker.start()  # the alert is queued already: the first look finds it
    try:
        await wait_finished(db, alert_id, timeout, on_tick)
    finally:
        wall = time.monotonic() - started
        await worker.stop()
        await bot.shutdown()
    return {"sent": worker.stats["sent"], "rate_limited": worker.stats["rate_limited"],
            "failed": worker.stats["failed"], "wall": wall, "steady": steady_rate(bot.sent_at)}


async def plain_loop(base_url: str, chats: range) -> dict:
    """The baseline: what a bot without an outbox typically does."""
    bot = make_bot(base_url, pool=1)
    await bot.initialize()
    rejected = failed = 0
    started = time.monotonic()
    for chat in chats:
        try:
            await bot.send_message(chat, "Plain loop <b>baseline</b>", parse_mode="HTML")
        except RetryAfter:
            rejected += 1  # a real loop would crash here, or lose the message
        except TelegramError:
            failed += 1
    wall = time.monotonic() - started
    await bot.shutdown()
    return {"sent": len(bot.sent_at), "rejected": rejected, "failed": failed, "wall": wall,
            "rate": len(chats) / wall, "steady": steady_rate(bot.sent_at)}


# ----------------------------------------------------------------------- the scenarios
def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def memory_run(args: argparse.Namespace) -> None:
    """Child process: deliver one queued alert and print memory figures as JSON."""
    gc.collect()
    db = Database(args.db)
    samples: list[tuple[int, float]] = []
    baseline_rss = rss_mb()
    if args.tracemalloc:
        tracemalloc.start()

    async def tick() -> None:
        async with db.session() as session:
            from storage.alerts import alert_report

            report = await alert_report(session, args.alert)
        samples.append((report["total"] - report["pending"], rss_mb()))

    result = await run_worker(db, args.base_url, args.alert, rate=1000, timeout=3600,
                              on_tick=tick)
    peak = 0
    if args.tracemalloc:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    await db.dispose()
    print(json.dumps({"baseline_rss": baseline_rss, "samples": samples,
                      "maxrss": maxrss_mb(), "tracemalloc_peak": peak / 2**20 if peak else None,
                      **result}))


def show(title: str, lines: list[str]) -> None:
    print(f"\n== {title}")
    for line in lines:
        print("   " + line)
    sys.stdout.flush()


async def main(args: argparse.Namespace) -> None:
    quick = args.quick
    paced_n = 300 if quick else 600
    lifted_n = 2000 if quick else 5000
    baseline_n = 1000 if quick else 2000
    big_n = args.subscribers or (20_000 if quick else 100_000)
    workdir = Path(tempfile.mkdtemp(prefix="appeal-bench-"))
    print(f"delivery bench: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; data in {workdir}")

    databases = ["sqlite"]
    if args.postgres_url:
        try:
            url, name = await fresh_database("postgres", args.postgres_url, workdir)
            await drop_database(args.postgres_url, name)
            databases.append("postgres")
        except Exception as error:  # noqa: BLE001
            print(f"(PostgreSQL not reachable, skipped: {error})")

    limited = ServerProcess([(PACED, paced_n), (BASELINE, 300)], flood=True)
    unlimited = ServerProcess([(BIG, big_n), (BASELINE, baseline_n)], flood=False)
    try:
        url, _ = await fresh_database("sqlite", None, workdir)
        db = Database(url)

        # 1. Paced at Telegram's limit, against a server enforcing it.
        case = await seed_case(db, "paced", PACED, paced_n)
        alert, _, _ = await enqueue(db, case, "Paced <b>alert</b>")
        paced = await run_worker(db, limited.base_url, alert, rate=30.0)
        show(f"1. default limit 30 msg/s, {paced_n} subscribers, server enforcing 30/s + 1/s "
             "per chat", [
                 (f"achieved {paced['steady']:.2f} msg/s (first→last send); "
                 f"{paced_n / paced['wall']:.2f} msg/s enqueue→finished"),
                 (f"efficiency {paced['steady'] / 30:.1%} of the limit "
                 f"({paced_n / paced['wall'] / 30:.1%} including start-up and the last commit)"),
                 f"429 answers: {paced['rate_limited']}"])

        # 3b. The plain loop against the same limits.
        plain_limited = await plain_loop(limited.base_url, range(BASELINE, BASELINE + 300))
        # 2. Limit lifted.
        lifted_lines = []
        for kind in databases:
            url_k, name_k = await fresh_database(kind, args.postgres_url, workdir)
            db_k = Database(url_k)
            case_k = await seed_case(db_k, "lifted", BIG, lifted_n)
            for concurrency in (8, 32):
                alert_k, _, _ = await enqueue(db_k, case_k, f"Lifted <b>{concurrency}</b>")
                lifted = await run_worker(db_k, unlimited.base_url, alert_k, rate=1000.0,
                                          concurrency=concurrency)
                lifted_lines.append(
                    f"{kind:8} concurrency {concurrency:2}: {lifted['steady']:7.1f} msg/s "
                    f"(first→last send), {lifted_n / lifted['wall']:7.1f} msg/s "
                    f"enqueue→finished, 429s {lifted['rate_limited']}")
            await db_k.dispose()
            await drop_database(args.postgres_url, name_k)
        show(f"2. limit lifted (rate=1000), {lifted_n} subscribers, server without limits",
             lifted_lines)

        # 3a. The plain loop without limits.
        plain = await plain_loop(unlimited.base_url, range(BASELINE, BASELINE + baseline_n))
        show("3. baseline: plain PTB loop `for chat in chats: await bot.send_message(...)`", [
            f"no limits, {baseline_n} chats: {plain['rate']:.1f} msg/s",
            (f"against Telegram's flood limits, 300 chats: {plain_limited['rejected']} of 300 "
            f"rejected with 429 ({plain_limited['rate']:.1f} attempts/s); "
            f"the worker above: {paced['rate_limited']} rejected")])

        # 4. Enqueue for 100k subscribers.
        enqueue_lines = []
        big_sqlite_url = url
        big_alert = None
        for kind in databases:
            if kind == "sqlite":
                url_k, name_k, db_k = url, "", db
            else:
                url_k, name_k = await fresh_database(kind, args.postgres_url, workdir)
                db_k = Database(url_k)
            seeded = time.perf_counter()
            case_k = await seed_case(db_k, "big", BIG, big_n)
            seeded = time.perf_counter() - seeded
            alert_k, seconds, recipients = await enqueue(db_k, case_k, "The <b>big</b> one")
            enqueue_lines.append(f"{kind:8} {recipients:,} deliveries in {seconds:.2f} s "
                                 f"({recipients / seconds:,.0f} rows/s; seeding the "
                                 f"subscribers took {seeded:.1f} s)")
            if kind == "sqlite":
                big_alert = alert_k
            else:
                await db_k.dispose()
                await drop_database(args.postgres_url, name_k)
        show(f"4. enqueue an alert for {big_n:,} subscribers (one INSERT … SELECT, committed)",
             enqueue_lines)
        await db.dispose()

        # 5. Memory while delivering to 100k (fresh process).
        if not args.no_memory:
            child = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "memory", "--db", big_sqlite_url, "--alert",
                str(big_alert), "--base-url", unlimited.base_url,
                *(["--tracemalloc"] if args.tracemalloc else []),
                stdout=asyncio.subprocess.PIPE)
            out, _ = await child.communicate()
            figures = json.loads(out.decode().strip().splitlines()[-1])
            samples = figures["samples"]
            picks = [samples[int(len(samples) * f)] for f in (0.1, 0.5) if samples]
            if samples:
                picks.append(samples[-1])
            traced = figures["tracemalloc_peak"]
            show(f"5. memory while delivering to {big_n:,} (SQLite, rate=1000"
                 + (", tracemalloc on)" if traced else ")"), [
                f"RSS at start {figures['baseline_rss']:.0f} MB; during the run: "
                + ", ".join(f"{done:,} done → {rss:.0f} MB" for done, rss in picks),
                f"peak RSS (ru_maxrss) {figures['maxrss']:.0f} MB"
                + (f"; tracemalloc peak {traced:.1f} MB" if traced else ""),
                (f"delivered {figures['sent']:,} in {figures['wall']:.0f} s "
                 f"({figures['steady']:.0f} msg/s"
                 + (", tracemalloc slows Python down)" if traced else ")"))])
    finally:
        limited.close()
        unlimited.close()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    serve_p = sub.add_parser("serve")
    serve_p.add_argument("--ranges", required=True)
    serve_p.add_argument("--flood-global", type=float, default=0)
    serve_p.add_argument("--flood-per-chat", type=float, default=0)
    memory_p = sub.add_parser("memory")
    memory_p.add_argument("--db", required=True)
    memory_p.add_argument("--alert", type=int, required=True)
    memory_p.add_argument("--base-url", required=True)
    memory_p.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--subscribers", type=int, default=0)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python allocations in the 100k run (much slower)")
    parser.add_argument("--postgres-url",
                        default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args)
    elif args.command == "memory":
        asyncio.run(memory_run(args))
    else:
        asyncio.run(main(args))


if __name__ == "__main__":
    cli()
