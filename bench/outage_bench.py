"""Outage benchmark: a broadcast while the Bot API fails, with and without the circuit breaker.

Two outages, each ``--outage`` seconds long, starting once a fifth of the broadcast is sent:

- **5xx**: every call answers 502. Figures: rows marked failed, requests refused, how long
  the broadcast took;
- **lost replies**: Telegram accepts each message but its answer arrives after the worker has
  given up waiting (the server answers after ``--timeout`` + 0.5 s), so the worker cannot know
  it was delivered and sends it again. Figure: people who got the alert twice.

``without breaker`` is the worker as it was (five attempts with backoff from 2 s, no breaker);
``with breaker`` is the worker as it is (retries by a time budget; after 5 failures in a row
everyone waits while one probe tests the API). The Bot API server runs in another process;
the worker here with SQLite.

Run from the repository root::

    .venv/bin/python bench/outage_bench.py                  # 600 people, 10 s outages
    .venv/bin/python bench/outage_bench.py --people 2000 --outage 60
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import aiohttp
from burst_bench import TOKEN, ServerProcess
from delivery_bench import enqueue, seed_case, wait_finished

from bot.delivery import CircuitBreaker, DeliveryWorker
from bot.delivery.lean import LeanTelegramTransport
from storage.db import Database, upgrade_schema_async


async def run(server: ServerProcess, http: aiohttp.ClientSession, workdir: Path, *,
              people: int, first: int, outage: float, kind: str, breaker: bool,
              timeout: float, rate: float) -> dict:
    await http.delete(f"{server.control}/faults")  # the previous run's outage is over
    url = f"sqlite+aiosqlite:///{workdir / f'outage-{first}.db'}"
    await upgrade_schema_async(url)
    db = Database(url)
    for chat in range(first, first + people):
        await http.post(f"{server.control}/users", json={"first_name": "S", "user_id": chat,
                                                          "started": True})
    info = await (await http.get(f"{server.control}/info")).json()
    after = info["last_event"]
    case = await seed_case(db, f"outage{first}", first, people)
    transport = LeanTelegramTransport(TOKEN, server.base_url, connections=10, timeout=timeout)
    options = ({} if breaker else
               {"max_attempts": 5, "breaker": CircuitBreaker(threshold=10 ** 9)})
    worker = DeliveryWorker(transport, db, rate=rate, concurrency=8, **options)
    alert, _, _ = await enqueue(db, case, "Outage <b>bench</b>")
    started = time.monotonic()
    worker.start()
    try:
        while worker.stats["sent"] + worker.stats["blocked"] < people // 5:
            await asyncio.sleep(0.05)
        fault = ({"method": "sendMessage", "status": 502, "seconds": outage} if kind == "5xx"
                 else {"method": "sendMessage", "answer_delay": timeout + 0.5,
                       "seconds": outage})
        await http.post(f"{server.control}/faults", json=fault)
        await wait_finished(db, alert, 3600)
    finally:
        wall = time.monotonic() - started
        await worker.stop()
        await transport.close()
        await db.dispose()
    await asyncio.sleep(timeout + 1)  # late answers of the lost-reply outage land
    copies: Counter[int] = Counter()
    while True:
        got = await (await http.get(f"{server.control}/events",
                                    params={"after": after, "timeout": 0.5})).json()
        if not got["events"]:
            break
        after = got["last"]
        for event in got["events"]:
            message = event.get("message") or {}
            if event["type"] == "message" and message.get("from_bot") \
                    and first <= event["chat_id"] < first + people:
                copies[event["chat_id"]] += 1
    return {"failed": worker.stats["failed"], "received": len(copies),
            "twice": sum(1 for n in copies.values() if n > 1), "wall": wall,
            "opened": worker.breaker.opened, "held": worker.stats["held_by_breaker"]}


async def main(args: argparse.Namespace) -> None:
    server = ServerProcess()
    print(f"outage bench: {args.people} people, {args.outage:g} s outage after a fifth is sent,"
          f" worker at {args.rate:g} msg/s, answer time-out {args.timeout:g} s")
    try:
        with tempfile.TemporaryDirectory() as workdir:
            async with aiohttp.ClientSession() as http:
                first = 20_000_000
                for kind in ("5xx", "lost replies"):
                    for breaker in (False, True):
                        figures = await run(server, http, Path(workdir), people=args.people,
                                            first=first, outage=args.outage, kind=kind,
                                            breaker=breaker, timeout=args.timeout,
                                            rate=args.rate)
                        first += 1_000_000
                        label = "with breaker" if breaker else "without breaker"
                        print(f"  {kind:<12} {label:<16} received {figures['received']:>5}"
                              f"/{args.people}  failed {figures['failed']:>5}  got it twice "
                              f"{figures['twice']:>4}  took {figures['wall']:5.1f} s  "
                              f"(breaker opened {figures['opened']}×)", flush=True)
    finally:
        server.close()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--timeout", type=float, default=1.0)
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
