"""The people of ``bench/burst_bench.py``, in a process of their own: each sends
``/start <case>`` at the same moment, then they wait for the bot's answers. Prints, as JSON,
when each asked and was first answered, on the Bot API server's clock.

    python bench/burst_people.py CONTROL_URL AFTER_EVENT FIRST_ID PEOPLE CASE
"""

from __future__ import annotations

import asyncio
import json
import sys

import aiohttp


async def drive(control: str, after: int, ids: list[int], case: str) -> None:
    wanted = set(ids)
    asked: dict[int, float] = {}
    answered: dict[int, float] = {}
    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(http.post(f"{control}/users/{chat}/send",
                                         json={"text": f"/start {case}"}) for chat in ids))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while len(answered) < len(ids) and loop.time() < deadline:
            got = await (await http.get(f"{control}/events",
                                        params={"after": after, "timeout": 5})).json()
            after = got["last"]
            for event in got["events"]:
                chat, message = event["chat_id"], event.get("message") or {}
                if event["type"] != "message" or chat not in wanted:
                    continue
                if message.get("from_bot"):
                    answered.setdefault(chat, event["time"])
                else:
                    asked.setdefault(chat, event["time"])
    print(json.dumps([asked, answered]))



if __name__ == "__main__":
    control, after, first, people, case = sys.argv[1:6]
    asyncio.run(drive(control, int(after), list(range(int(first), int(first) + int(people))),
                      case))
