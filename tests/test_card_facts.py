"""What a case card reads, in one statement (storage/card_facts.py): the same facts as the
query of the next hearing (storage.cases.next_hearing), with or without events."""

from __future__ import annotations

import datetime as dt

from helpers_delivery import add_subscribers, make_case

from storage import cases as case_queries
from storage.card_facts import LATEST, card_facts
from storage.models import AuthorityReply, Coordinator, Event, utcnow


async def test_card_facts_match_the_separate_queries(db):
    case = await make_case(db, "facts")
    other = await make_case(db, "other")
    await add_subscribers(db, case, [501])
    now = utcnow()
    async with db.session() as session:
        for day in (3, 1, 7, 5, 2):  # held events, out of order
            session.add(Event(case_id=case, kind="news", date=dt.date(2020, 1, day),
                              text=f"held {day}"))
        for hours in (48, 24):  # the next hearing is the sooner one
            session.add(Event(case_id=case, kind="hearing", date=(now + dt.timedelta(hours=hours)).date(),
                              starts_at=now + dt.timedelta(hours=hours), status="scheduled",
                              text=f"in {hours} h"))
        session.add(Event(case_id=case, kind="hearing", date=now.date(), status="scheduled",
                          starts_at=now - dt.timedelta(hours=1), text="already begun"))
        session.add(Event(case_id=other, kind="news", date=dt.date(2021, 1, 1), text="elsewhere"))
        session.add(AuthorityReply(case_id=case, kind="text", text="An answer"))
        session.add(Coordinator(user_id=77, added_by=1))
    async with db.session() as session:
        facts = await card_facts(session=session, case_id=case, chat_id=501, user_id=77, now=now)
        hearing = await case_queries.next_hearing(session=session, case_id=case, now=now)
        stranger = await card_facts(session=session, case_id=case, chat_id=502, user_id=502,
                                    now=now)
    # the newest held events first, as many as a card lists
    assert [e.text for e in facts.latest] == ["held 7", "held 5", "held 3"][:LATEST]
    assert facts.next_hearing.id == hearing.id and facts.next_hearing.text == "in 24 h"
    assert (facts.subscribed, facts.replies, facts.coordinator) == (True, 1, True)
    assert (stranger.subscribed, stranger.replies, stranger.coordinator) == (False, 1, False)


async def test_a_case_without_events_still_gets_its_counts(db):
    case = await make_case(db, "empty")
    await add_subscribers(db, case, [601])
    async with db.session() as session:
        facts = await card_facts(session=session, case_id=case, chat_id=601, user_id=None)
    assert facts.latest == [] and facts.next_hearing is None
    assert (facts.subscribed, facts.replies, facts.coordinator) == (True, 0, False)
