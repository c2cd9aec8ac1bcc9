"""An outcome or closure alert thanks each recipient who wrote on the case — in their copy only,
naming the addressee and the day — and gives the case's total letters; end to end."""

from __future__ import annotations

import datetime as dt

from test_mystats import write_letter
from test_settings import answer_with, follow, rows

from bot.clock import FakeClock
from bot.render import format_day
from bot.services import SERVICES_KEY
from storage.models import Event


async def send_broadcast(owner, command: str) -> None:
    await owner.send(command)
    question = await answer_with(owner, "subscribers")
    await owner.press("Send", question)


async def test_writers_are_thanked_in_their_own_copy(tg):
    alice, bob, owner = tg.user("Alice"), tg.user("Bob"), tg.owner()
    await follow(alice)
    await follow(bob)
    await write_letter(alice)
    today = format_day(tg.app.bot_data[SERVICES_KEY].clock.now().date(), "en")

    await send_broadcast(owner, "/news kharkova A family visit was allowed.")
    news = await answer_with(alice, "family visit")
    assert "thank you" not in news.text  # news is not an outcome

    await send_broadcast(owner, "/hearing kharkova 2030-11-01 10:00 Shymkent City Court")
    await answer_with(alice, "Shymkent City Court")
    [hearing] = await rows(tg, Event, Event.origin == "coordinator", Event.kind == "hearing")
    # An outcome is taken only once the hearing has begun (10:00 in Shymkent is 05:00 UTC).
    tg.app.bot_data[SERVICES_KEY].clock = FakeClock(dt.datetime(2030, 11, 1, 12, tzinfo=dt.UTC))
    await send_broadcast(owner, f"/outcome {hearing.id} The court upheld the sentence.")
    outcome = await answer_with(alice, "upheld the sentence")
    assert f"🙏 You wrote to Kalmukhanbet Kassymov on {today} — thank you." in outcome.text
    assert "You wrote" not in (await answer_with(bob, "upheld the sentence")).text

    await send_broadcast(owner, "/closecase kharkova The sentence was served.")
    closed = await answer_with(alice, "sentence was served")
    assert (f"🙏 You wrote to Kalmukhanbet Kassymov on {today} — thank you. "
            "1 letter has been sent on this case.") in closed.text
    bobs = await answer_with(bob, "sentence was served")
    assert "thank you" not in bobs.text and "You wrote" not in bobs.text
