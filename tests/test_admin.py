"""Coordinators, end to end through the Bot API server: who may coordinate, hearings, outcomes,
news and closing a case with a preview and [Send]/[Cancel], reports, and case files in chat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import yaml
from conftest import OWNER_ID
from helpers_cases import turn_to
from sqlalchemy import func, update
from sqlmodel import select

from bot.clock import FakeClock
from bot.render import format_local_time
from bot.services import SERVICES_KEY
from storage.models import (
    Alert,
    AuditEntry,
    Case,
    Coordinator,
    Delivery,
    Event,
    LetterAction,
    PendingBroadcast,
    Reminder,
    Subscription,
    Supporter,
)

CONTENT = Path(__file__).resolve().parent.parent / "content"
TABLES = (Alert, AuditEntry, Case, Coordinator, Delivery, Event, PendingBroadcast, Reminder,
          Subscription, Supporter)
FUTURE = dt.datetime.now(dt.UTC).year + 2  # a year every test treats as "still to come"


async def counts(tg) -> dict[str, int]:
    async with tg.db.session() as session:
        return {table.__name__: (await session.exec(select(func.count()).select_from(table))).one()
                for table in TABLES}


async def rows(tg, model, *where):
    async with tg.db.session() as session:
        return list((await session.exec(select(model).where(*where))).all())


async def follow(user, slug: str = "kharkova") -> None:
    await user.send(f"/start {slug}")
    assert "subscribed" in (await user.reply()).text


async def preview(owner, command: str):
    """Send a broadcasting command; return (the alert as subscribers will see it, the question)."""
    await owner.send(command)
    alert, question = await owner.replies(2)
    assert question.has_button("Send") and question.has_button("Cancel"), question
    return alert, question


async def answer(tg, user, query_id: str):
    """Wait for the bot's answer to one button press (the popup text, if any)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        seq = tg.server.last_event_seq
        for answered in user.callback_answers:
            if answered.query_id == query_id:
                return answered
        assert loop.time() < deadline, f"no answer to {query_id}\n{user.dump()}"
        await tg.server.wait_events(seq, deadline - loop.time())


async def final_status(owner, message_id: int) -> str:
    """Wait (on the bot's next messages and edits) until the status message has the final
    report of the delivery worker; its text."""
    while True:
        text = owner.message(message_id).text
        if "✅ Delivered to" in text:  # under the header that names the case and the alert
            return text
        await owner.reply(timeout=10)


async def send(tg, owner, question) -> str:
    """Press [Send] and wait for delivery to finish; the status message's final text."""
    await owner.press("Send", question)
    return await final_status(owner, question.message_id)


def alerts_for(user) -> list[str]:
    """Texts of the alerts the user got (an alert has Unsubscribe but, unlike a card, no
    Timeline button)."""
    return [m.text for m in user.messages
            if m.has_button("Unsubscribe") and not m.has_button("Timeline")]


# ------------------------------------------------------------------------------------------

async def test_admin_commands_are_refused_to_everyone_else(tg):
    alice = tg.user("Alice")
    await follow(alice)
    before = await counts(tg)
    commands = [
        "/coordinators", f"/addcoordinator {alice.id}", f"/removecoordinator {OWNER_ID}",
        f"/hearing kharkova {FUTURE}-12-01 10:00 Court", f"/appeal kharkova {FUTURE}-12-01 10:00",
        f"/postpone 1 {FUTURE}-12-02 10:00", "/cancelhearing 1", "/outcome 1 Acquitted",
        "/news kharkova Hello", "/closecase kharkova Done", "/upcoming", "/stats", "/audit",
    ]
    for command in commands:
        await alice.send(command)
        assert (await alice.reply()).text == "This command is not available.", command
    await alice.send_document("kharkova.yaml", (CONTENT / "cases" / "kharkova.yaml").read_bytes())
    assert "can't do anything with that" in (await alice.reply()).text
    pressed = await alice.press_data("bc:1:send")
    assert (await answer(tg, alice, pressed)).text == "This command is not available."
    assert await counts(tg) == before
    # a supporter's command menu is the default one, without coordinator commands
    names = {c["command"] for c in tg.server.commands_for(alice.id)}
    assert "cases" in names and "hearing" not in names


async def test_owner_adds_and_removes_a_coordinator(tg):
    owner, carol = tg.owner(), tg.user("Carol")
    owner_menu = {c["command"] for c in tg.server.commands({"type": "chat", "chat_id": OWNER_ID})}
    assert {"hearing", "stats", "addcoordinator", "cases"} <= owner_menu

    await owner.send("/addcoordinator carol")
    assert "Usage:" in (await owner.reply()).text
    await owner.send(f"/addcoordinator {carol.id}")
    assert "is now a coordinator" in (await owner.reply()).text
    await owner.send(f"/addcoordinator {carol.id}")
    assert "already a coordinator" in (await owner.reply()).text
    menu = {c["command"] for c in tg.server.commands({"type": "chat", "chat_id": carol.id})}
    assert {"hearing", "appeal", "news", "upcoming", "stats", "audit", "cases"} <= menu
    assert "addcoordinator" not in menu  # managing coordinators stays with the owners
    assert "hearing" not in {c["command"] for c in tg.server.commands_for(tg.user("Al").id)}

    await carol.send("/upcoming")
    assert "No hearings are scheduled" in (await carol.reply()).text
    await carol.send("/addcoordinator 42")
    assert (await carol.reply()).text == "This command is not available."
    await owner.send("/coordinators")
    assert str(carol.id) in (await owner.reply()).text

    await owner.send(f"/removecoordinator {carol.id}")
    assert "no longer a coordinator" in (await owner.reply()).text
    assert tg.server.commands({"type": "chat", "chat_id": carol.id}) == []
    await carol.send("/upcoming")
    assert (await carol.reply()).text == "This command is not available."

    # Coordinators added earlier get their menu again when the bot starts.
    async with tg.db.session() as session:
        session.add(Coordinator(user_id=4242, added_by=OWNER_ID))
    await tg.restart()
    menu = {c["command"] for c in tg.server.commands({"type": "chat", "chat_id": 4242})}
    assert "hearing" in menu

    await owner.send("/audit")
    log = (await owner.reply()).text
    assert "add_coordinator" in log and "remove_coordinator" in log and str(OWNER_ID) in log
    assert log.index("remove_coordinator") < log.index("add_coordinator")  # newest first


async def test_hearing_input_is_checked(tg):
    owner = tg.owner()
    expectations = [
        ("/hearing", "/hearing: pick the case."),  # a walk (tests/test_coordinator_walks.py)
        ("/hearing kharkova", "Usage: /hearing"),
        (f"/hearing kharkov {FUTURE}-12-01 10:00", "Did you mean: kharkova"),
        (f"/appeal xyzzy-nothing {FUTURE}-12-01 10:00", "The cases are:"),
        ("/hearing kharkova tomorrow 10am", "could not read"),
        (f"/hearing kharkova {FUTURE}-02-30 10:00", "not a real date"),
        ("/hearing kharkova 2020-01-01 10:00", "is in the past"),
        (f"/hearing zhagiparov {FUTURE}-12-01 10:00", "is closed"),
        ("/postpone 99999 2030-01-01 10:00", "There is no event #99999"),
        ("/cancelhearing abc", "Usage: /cancelhearing"),
        ("/outcome 5", "Usage: /outcome"),
        ("/news kharkova", "Usage: /news"),
        ("/closecase kharkova", "Usage: /closecase"),
        (f"/news kharkova {'x' * 3200}", "at most 3000"),
    ]
    for command, expected in expectations:
        await owner.send(command)
        answer = await owner.reply()
        assert expected in answer.text, (command, answer.text)
    assert await rows(tg, PendingBroadcast) == []


async def test_hearing_preview_send_reaches_every_subscriber_once(tg):
    owner, alice, bob, dave = tg.owner(), tg.user("Alice"), tg.user("Bob"), tg.user("Dave")
    await follow(alice)
    await follow(bob)
    await follow(dave, "mamay")
    blocked = tg.user("Blocked")
    await follow(blocked)
    blocked.block()

    place = "Shymkent <City> Court & Co"
    alert, question = await preview(owner, f"/hearing kharkova {FUTURE}-12-01 10:00 {place}")
    starts_at = dt.datetime(FUTURE, 12, 1, 5, 0, tzinfo=dt.UTC)  # Asia/Almaty is UTC+5
    assert "Hearing scheduled" in alert.text and "Larisa Kharkova" in alert.text
    assert format_local_time(starts_at, "Asia/Almaty") in alert.text
    assert place in alert.text and "&lt;City&gt; Court &amp; Co" in alert.html
    assert alert.has_button("Write a letter") and alert.has_button("Unsubscribe")
    assert "3 subscribers" in question.text  # blocked is not yet known to be blocked
    assert await rows(tg, Alert) == []

    # Two quick presses: exactly one sends.
    await owner.press("Send", question)
    second = await owner.press("Send", question)
    assert "already sent" in (await answer(tg, owner, second)).text
    status = await final_status(owner, question.message_id)
    assert "Delivered to 2 of 3" in status and "1 blocked the bot" in status
    report = owner.message(question.message_id)  # [Send]/[Cancel] gone; the report's own
    assert report.button_texts == ["✏️ Correct", "📊 Stats"]

    for person in (alice, bob):
        got = [m for m in person.messages if "Hearing scheduled" in m.text]
        assert len(got) == 1, person.dump()
        assert got[0].text == alert.text
        assert got[0].has_button("Write a letter") and got[0].has_button("Unsubscribe")
    assert not any("Hearing scheduled" in m.text for m in dave.messages)
    assert not any("Hearing scheduled" in m.text for m in owner.messages[2:])

    [alert_row] = await rows(tg, Alert)
    assert alert_row.recipients == 3 and alert_row.status_message_id == question.message_id
    [event] = await rows(tg, Event, Event.origin == "coordinator")
    assert (event.kind, event.status, event.place) == ("hearing", "scheduled", place)
    assert event.starts_at == starts_at
    assert await rows(tg, Reminder, Reminder.event_id == event.id)
    [draft] = await rows(tg, PendingBroadcast)
    assert draft.status == "sent" and draft.alert_id == alert_row.id

    # A later press of the same (stale) button sends nothing either.
    pressed = await owner.press_data(f"bc:{draft.id}:send", question.message_id)
    assert "already sent" in (await answer(tg, owner, pressed)).text
    assert len(await rows(tg, Alert)) == 1

    # A new subscriber hears about the hearing in the confirmation.
    erin = tg.user("Erin")
    await erin.send("/start kharkova")
    assert "The next hearing" in (await erin.reply()).text

    await owner.send("/upcoming")
    upcoming = (await owner.reply()).text
    assert f"#{event.id}" in upcoming and "kharkova" in upcoming and "Shymkent" in upcoming

    async with tg.db.session() as session:
        for key in ("kz-prosecutor-general", "kz-prosecutor-general", "kz-president"):
            session.add(LetterAction(case_id=event.case_id, authority_key=key, channel="email",
                                     language="en", supporter_id=alice.id))
    await owner.send("/stats")
    overall = (await owner.reply()).text
    assert "Subscribers: 5" in overall and "2 delivered" in overall and "1 blocked" in overall
    await owner.send("/stats kharkova")
    detail = (await owner.reply()).text
    assert "kharkova" in detail and "Subscribers: 4" in detail and "+4 in the last 7" in detail
    assert "Letters: 3" in detail
    assert "kz-prosecutor-general: 2" in detail and "kz-president: 1" in detail
    await owner.send("/stats kharkov")
    assert "Did you mean: kharkova" in (await owner.reply()).text

    await owner.send("/audit")
    assert "hearing" in (await owner.reply()).text


async def test_offset_and_appeal(tg):
    owner, alice = tg.owner(), tg.user("Alice")
    await follow(alice)
    alert, question = await preview(owner, f"/appeal kharkova {FUTURE}-12-01T10:00+06:00")
    assert "Appeal hearing scheduled" in alert.text
    starts_at = dt.datetime(FUTURE, 12, 1, 4, 0, tzinfo=dt.UTC)
    assert format_local_time(starts_at, "Asia/Almaty") in alert.text
    assert "not announced yet" in alert.text
    await send(tg, owner, question)
    [event] = await rows(tg, Event, Event.origin == "coordinator")
    assert event.kind == "appeal_hearing" and event.starts_at == starts_at
    assert any("Appeal hearing scheduled" in text for text in alerts_for(alice))


async def test_cancel_and_stale_buttons_send_nothing(tg):
    owner, alice = tg.owner(), tg.user("Alice")
    await follow(alice)
    alert, question = await preview(owner, "/news kharkova A <b>visit</b> was allowed")
    assert "visit" in alert.text and "&lt;b&gt;visit&lt;/b&gt;" in alert.html
    await owner.press("Cancel", question)
    assert "Cancelled" in (await owner.reply()).text
    pressed = await owner.press_data(question.callback_data("Send"), question.message_id)
    assert "cancelled" in (await answer(tg, owner, pressed)).text
    assert await rows(tg, Alert) == [] and await rows(tg, Event, Event.kind == "news") == []
    assert not alerts_for(alice)

    # forged data, an unknown draft, someone else's draft, an expired draft
    for forged in ("bc:abc:send", "bc:1:launch", "bc:99999:send"):
        pressed = await owner.press_data(forged, question.message_id)
        assert "not valid" in (await answer(tg, owner, pressed)).text, forged
    carol = tg.user("Carol")
    async with tg.db.session() as session:
        session.add(Coordinator(user_id=carol.id, added_by=OWNER_ID))
    _, second = await preview(owner, "/news kharkova Second")
    await carol.send("/upcoming")  # a bot message in her own chat to "press" on
    await carol.reply()
    pressed = await carol.press_data(second.callback_data("Send"))
    assert "not valid" in (await answer(tg, carol, pressed)).text
    async with tg.db.session() as session:
        await session.exec(update(PendingBroadcast).values(
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2)))
    await owner.press("Send", second)
    assert "expired" in (await owner.reply()).text
    assert await rows(tg, Alert) == [] and not alerts_for(alice)


async def test_postpone_cancel_and_outcome_reach_subscribers(tg):
    owner, alice, dave = tg.owner(), tg.user("Alice"), tg.user("Dave")
    await follow(alice)
    await follow(dave, "mamay")
    _, question = await preview(owner, f"/hearing kharkova {FUTURE}-11-01 10:00 Court")
    await send(tg, owner, question)
    [hearing] = await rows(tg, Event, Event.origin == "coordinator")

    alert, question = await preview(owner, f"/postpone {hearing.id} {FUTURE}-11-20 11:30")
    assert "postponed" in alert.text and "20 Nov" in alert.text and "1 Nov" in alert.text
    await send(tg, owner, question)
    [hearing] = await rows(tg, Event, Event.id == hearing.id)
    assert hearing.starts_at == dt.datetime(FUTURE, 11, 20, 6, 30, tzinfo=dt.UTC)
    due = {r.due_at for r in await rows(tg, Reminder, Reminder.event_id == hearing.id,
                                         Reminder.status == "planned")}
    assert due and all(moment < hearing.starts_at for moment in due)
    assert max(due) > dt.datetime(FUTURE, 11, 19, tzinfo=dt.UTC)  # moved with the hearing

    # Not yet: a hearing still to come has no outcome, and nothing changes.
    await owner.send(f"/outcome {hearing.id} Acquitted")
    refusal = (await owner.reply()).text
    assert "has not started yet" in refusal and f"/postpone {hearing.id}" in refusal
    assert f"#{hearing.id} · kharkova" in refusal and "20 Nov" in refusal
    assert not await rows(tg, PendingBroadcast, PendingBroadcast.kind == "outcome")
    # Once it began, its outcome can be told.
    tg.app.bot_data[SERVICES_KEY].clock = FakeClock(hearing.starts_at + dt.timedelta(hours=3))
    alert, question = await preview(owner, f"/outcome {hearing.id} The court  adjourned;\n"
                                           "next steps <soon>.")
    assert "Outcome" in alert.text and "next steps <soon>." in alert.text
    await send(tg, owner, question)
    [hearing] = await rows(tg, Event, Event.id == hearing.id)
    assert hearing.status == "held"
    [outcome] = await rows(tg, Event, Event.kind == "outcome")
    assert outcome.parent_id == hearing.id and "adjourned" in outcome.text
    assert not await rows(tg, Reminder, Reminder.event_id == hearing.id,
                          Reminder.status == "planned")

    _, question = await preview(owner, f"/appeal kharkova {FUTURE}-12-01 10:00")
    await send(tg, owner, question)
    [appeal] = await rows(tg, Event, Event.kind == "appeal_hearing")
    await owner.send(f"/postpone {hearing.id} {FUTURE}-12-05 10:00")
    assert "not a scheduled hearing" in (await owner.reply()).text
    alert, question = await preview(owner, f"/cancelhearing {appeal.id}")
    assert "cancelled" in alert.text
    await send(tg, owner, question)
    [appeal] = await rows(tg, Event, Event.id == appeal.id)
    assert appeal.status == "cancelled"
    assert not await rows(tg, Reminder, Reminder.event_id == appeal.id,
                          Reminder.status == "planned")

    received = alerts_for(alice)
    for needle in ("Hearing scheduled", "Hearing postponed", "Outcome",
                   "Appeal hearing scheduled", "Appeal hearing cancelled"):
        assert sum(needle in text for text in received) == 1, (needle, received)
    assert not alerts_for(dave)
    await alice.send("/cases")
    listing = await alice.reply()
    await alice.press("Larisa Kharkova", await turn_to(alice, "Larisa Kharkova", listing))
    await alice.reply()
    await alice.press("Timeline")
    timeline = (await alice.reply()).text
    assert "adjourned" in timeline


async def test_news_and_closing_a_case(tg):
    owner, alice = tg.owner(), tg.user("Alice")
    await follow(alice)
    _, question = await preview(owner, f"/hearing kharkova {FUTURE}-11-01 10:00")
    await send(tg, owner, question)
    alert, question = await preview(owner, "/news kharkova She was allowed a family visit.")
    assert "News" in alert.text
    await send(tg, owner, question)
    [news] = await rows(tg, Event, Event.kind == "news")
    assert news.text == "She was allowed a family visit." and news.status == "held"

    alert, question = await preview(owner, "/closecase kharkova The sentence was served.")
    assert "Case closed" in alert.text and "No further action is needed" in alert.text
    assert alert.has_button("Unsubscribe") and not alert.has_button("Write a letter")
    await send(tg, owner, question)
    [case] = await rows(tg, Case, Case.slug == "kharkova")
    assert not case.is_open and case.closed_note == "The sentence was served."
    assert not await rows(tg, Reminder, Reminder.status == "planned")
    closed = [m for m in alice.messages if "Case closed" in m.text]
    assert len(closed) == 1 and not closed[0].has_button("Write a letter")
    assert any("family visit" in text for text in alerts_for(alice))

    await alice.send("/start kharkova")
    card = await alice.reply()
    assert "closed" in card.text.lower() and "The sentence was served." in card.text
    assert not card.has_button("Write a letter")
    assert "Next hearing" not in card.text
    await owner.send("/upcoming")  # the closed case's hearing is no longer upcoming
    assert "No hearings are scheduled" in (await owner.reply()).text
    await owner.send("/closecase kharkova Again")
    assert "already closed" in (await owner.reply()).text


async def test_case_file_upload(tg):
    owner, alice = tg.owner(), tg.user("Alice")
    data = yaml.safe_load((CONTENT / "cases" / "kharkova.yaml").read_text())
    data["slug"], data["title"]["en"] = "new-case", "Uploaded Person: a case from chat"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    await owner.send_document("new-case.yaml", text.encode())
    answer = (await owner.reply()).text
    assert "Case added" in answer and "new-case" in answer and "start=new-case" in answer
    [case] = await rows(tg, Case, Case.slug == "new-case")
    assert case.origin == "upload"
    await alice.send("/start new-case")
    assert "Uploaded Person" in (await alice.reply()).text

    del data["country"]
    data["status"], data["addressees"] = "maybe", ["kz-nobody", *data["addressees"]]
    broken = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    await owner.send_document("broken.yaml", broken.encode())
    errors = (await owner.reply()).text
    assert "broken.yaml was not loaded" in errors
    assert "status" in errors and "country" in errors and "kz-nobody" in errors
    await owner.send_document("junk.yaml", b"slug: [unclosed")
    assert "YAML syntax error" in (await owner.reply()).text
    await owner.send_document("notes.docx", b"hello")  # .txt, .html, .pdf: an appeal to import
    assert ".yaml file" in (await owner.reply()).text

    await owner.send("/audit")
    assert "upload_case" in (await owner.reply()).text


async def test_a_draft_whose_kind_or_payload_no_longer_fits_sends_nothing(tg):
    """Drafts live in the database; one written by an older version (another payload shape,
    a kind since removed) is refused at Send instead of failing."""
    owner, alice = tg.owner(), tg.user("Alice")
    await follow(alice)
    _, first = await preview(owner, "/news kharkova First")
    _, second = await preview(owner, "/news kharkova Second")
    async with tg.db.session() as session:
        drafts = (await session.exec(select(PendingBroadcast).order_by(PendingBroadcast.id))).all()
        drafts[0].payload = {"text": "<b>an old draft</b>"}  # the shape before the registry
        drafts[1].kind = "poll"
        session.add_all(drafts)
    await owner.press("Send", first)
    assert "can no longer be sent" in (await owner.reply()).text
    await owner.press("Send", second)
    assert "This kind of message can no longer be sent" in (await owner.reply()).text
    assert await rows(tg, Alert) == [] and not alerts_for(alice)
    assert {row.status for row in await rows(tg, PendingBroadcast)} == {"cancelled"}
