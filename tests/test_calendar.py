"""Hearings into people's calendars, end to end: [🗓 Add to calendar] under hearing alerts and
on cards, /calendar, and the .ics files parsed back with icalendar, field by field."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar
from test_admin import FUTURE, follow, preview, rows, send

from storage.models import Event

ALMATY = ZoneInfo("Asia/Almaty")  # DEFAULT_TIMEZONE; the shipped cases name no zone of their own


async def calendar_of(user, message=None) -> tuple[Calendar, object]:
    """Press [Add to calendar] (on ``message`` or the latest keyboard); the file, parsed."""
    await user.press("Add to calendar", message)
    sent = await user.reply()
    assert sent.document is not None, sent
    assert sent.document.filename.endswith(".ics")
    assert sent.document.mime_type == "text/calendar"
    return Calendar.from_ical(sent.document.content), sent


def only_event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


async def test_hearing_alert_card_and_postponement_give_one_calendar_entry(tg):
    owner, alice = tg.owner(), tg.user("Alice")
    await follow(alice)
    _, question = await preview(owner, f"/hearing kharkova {FUTURE}-11-01 10:00 Shymkent "
                                       "City Court, room 3")
    await send(tg, owner, question)
    [hearing] = await rows(tg, Event, Event.origin == "coordinator")
    username = (await tg.app.bot.get_me()).username
    link = f"https://t.me/{username}?start=kharkova"

    alert = alice.last_message()
    assert "Hearing scheduled" in alert.text
    assert alert.find_button("Add to calendar")["callback_data"] == f"ic:{hearing.id}"
    calendar, sent = await calendar_of(alice, alert)
    assert alice.message(alert.message_id).text == alert.text  # the alert stays as it was
    assert "Open the file to add it to your calendar" in sent.text
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    entry = only_event(calendar)
    uid = str(entry["UID"])
    assert str(hearing.id) in uid and username.lower() in uid
    start = entry.decoded("DTSTART")
    assert start == dt.datetime(FUTURE, 11, 1, 10, 0, tzinfo=ALMATY)
    assert entry["DTSTART"].params["TZID"] == "Asia/Almaty"
    [zone] = calendar.walk("VTIMEZONE")  # the zone the start refers to is described
    assert str(zone["TZID"]) == "Asia/Almaty"
    assert str(entry["LOCATION"]) == "Shymkent City Court, room 3"
    assert link in str(entry["DESCRIPTION"])
    assert str(entry["URL"]) == link
    assert int(entry["SEQUENCE"]) == 0
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert "Larisa Kharkova" in str(entry["SUMMARY"])

    # The card of a case with a scheduled hearing offers the same file.
    await alice.send("/start kharkova")
    card = await alice.reply()
    assert card.find_button("Add to calendar")["callback_data"] == f"ic:{hearing.id}"
    calendar, _ = await calendar_of(alice, card)
    assert str(only_event(calendar)["UID"]) == uid

    # A postponement: same UID (the calendar updates its entry), a higher SEQUENCE, new start.
    _, question = await preview(owner, f"/postpone {hearing.id} {FUTURE}-11-20 11:30")
    await send(tg, owner, question)
    moved = alice.last_message()
    assert "postponed" in moved.text
    calendar, _ = await calendar_of(alice, moved)
    entry = only_event(calendar)
    assert str(entry["UID"]) == uid
    assert int(entry["SEQUENCE"]) == 1
    assert entry.decoded("DTSTART") == dt.datetime(FUTURE, 11, 20, 11, 30, tzinfo=ALMATY)

    # A cancellation: the file that removes it (STATUS:CANCELLED, SEQUENCE raised again).
    _, question = await preview(owner, f"/cancelhearing {hearing.id}")
    await send(tg, owner, question)
    cancelled = alice.last_message()
    assert "cancelled" in cancelled.text
    calendar, sent = await calendar_of(alice, cancelled)
    entry = only_event(calendar)
    assert str(entry["UID"]) == uid
    assert str(entry["STATUS"]) == "CANCELLED"
    assert int(entry["SEQUENCE"]) == 2
    assert "remove it from your calendar" in sent.text


async def test_calendar_command_holds_every_hearing_ahead_of_the_cases_i_follow(tg):
    owner, alice, bob = tg.owner(), tg.user("Alice"), tg.user("Bob", language_code="ru")
    await bob.send("/calendar")  # follows nothing: a friendly answer, no file
    answer = await bob.reply()
    assert answer.document is None and "/calendar" in answer.text and "🗓" in answer.text

    await follow(alice)
    await follow(alice, "mamay")
    await follow(tg.user("Dave"), "tokmadi")
    for command in (f"/hearing kharkova {FUTURE}-11-01 10:00 Court one",
                    f"/appeal mamay {FUTURE}-10-05 09:00+06:00 Court two",
                    f"/hearing tokmadi {FUTURE}-09-01 10:00 Not followed"):
        _, question = await preview(owner, command)
        await send(tg, owner, question)
    events = {event.case_id: event for event in await rows(tg, Event,
                                                           Event.origin == "coordinator")}
    assert len(events) == 3

    await alice.send("/calendar")
    sent = await alice.reply()
    assert sent.document is not None and sent.document.filename == "hearings.ics"
    assert "2 hearings ahead" in sent.text
    calendar = Calendar.from_ical(sent.document.content)
    entries = calendar.walk("VEVENT")
    assert [str(entry["LOCATION"]) for entry in entries] == ["Court two", "Court one"]
    assert entries[0].decoded("DTSTART") == dt.datetime(FUTURE, 10, 5, 3, 0, tzinfo=dt.UTC)
    assert "Appeal hearing" in str(entries[0]["SUMMARY"])
    assert len({str(entry["UID"]) for entry in entries}) == 2
    assert all(str(entry["STATUS"]) == "CONFIRMED" for entry in entries)
    assert "?start=mamay" in str(entries[0]["DESCRIPTION"])

    # In Russian for a Russian reader.
    await bob.send("/start kharkova")
    assert "Вы подписались" in (await bob.reply()).text
    await bob.send("/calendar")
    sent = await bob.reply()
    entry = only_event(Calendar.from_ical(sent.document.content))
    assert str(entry["SUMMARY"]).startswith("Судебное заседание: Лариса Харькова")


async def test_a_forged_or_stale_calendar_button_changes_nothing(tg):
    alice = tg.user("Alice")
    await follow(alice)
    for data in ("ic:999999", "ic:abc", "ic:"):
        query = await alice.press_data(data)
        answered = await alice.answer_to(query)
        await tg.idle()
        assert answered.show_alert and "no longer" in answered.text
    assert all(message.document is None for message in alice.messages)
