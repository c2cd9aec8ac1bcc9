"""The parsing boundary, end to end: what people type or forge is checked once, before it reaches
the database or a date calculation, and gets a clear answer on SQLite and PostgreSQL alike.

Each test here reproduces a failure seen before the boundary existed: dates at the edge of the
calendar (OverflowError), ids above 2³¹ (PostgreSQL's integer), NUL characters (PostgreSQL's
text), digits from other scripts read as ids, Telegram user ids no account can have.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select
from test_admin import answer

from bot.parsing import DB_ID_MAX, PAGE_MAX
from handlers import keyboards as kb
from storage.models import (
    Alert,
    AuditEntry,
    Case,
    Coordinator,
    Event,
    EventStatus,
    PendingBroadcast,
    Subscription,
    Supporter,
)

TABLES = (Alert, AuditEntry, Case, Coordinator, Event, PendingBroadcast, Subscription, Supporter)
SORRY = "something went wrong"
CONTENT = Path(__file__).resolve().parent.parent / "content"
FUTURE = dt.datetime.now(dt.UTC).year + 2


async def counts(tg) -> dict[str, int]:
    async with tg.db.session() as session:
        return {table.__name__: (await session.exec(select(func.count()).select_from(table))).one()
                for table in TABLES}


async def scheduled_hearing(tg, slug: str = "kharkova") -> Event:
    """A hearing of ``slug`` two years ahead, written straight to the database."""
    starts_at = dt.datetime(FUTURE, 6, 1, 5, 0, tzinfo=dt.UTC)
    async with tg.db.session() as session:
        case = (await session.exec(select(Case).where(Case.slug == slug))).one()
        event = Event(case_id=case.id, kind="hearing", date=starts_at.date(),
                      starts_at=starts_at, status=EventStatus.SCHEDULED, origin="coordinator",
                      text="Hearing")
        session.add(event)
        await session.flush()
    return event


async def answers(user, commands: list[str]) -> list[str]:
    texts = []
    for command in commands:
        await user.send(command)
        texts.append((await user.reply()).text)
    return texts


def assert_calm(caplog, texts: list[str], commands: list[str]) -> None:
    """No handler failed: no apology sent, nothing logged at ERROR."""
    for command, text in zip(commands, texts, strict=True):
        assert SORRY not in text, (command, text)
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert not errors, [record.getMessage() for record in errors]


# ------------------------------------------------------------------------ dates at the edge

EDGES = ["9999-12-31 23:59Z", "9999-12-31 23:59-12:00", "0001-01-01 00:00",
         "0001-01-01 00:00+14:00", "9999-12-31 23:59", "9999-12-31T23:59+14:00"]


async def test_dates_at_the_edge_of_the_calendar_are_refused_clearly(tg, caplog):
    owner = tg.owner()
    hearing = await scheduled_hearing(tg)
    before = await counts(tg)
    cases = [(command, "in the past" if when.startswith("0001") else "more than 10 years ahead")
             for when in EDGES
             for command in (f"/hearing kharkova {when} Court", f"/appeal kharkova {when}",
                             f"/postpone {hearing.id} {when}")]
    commands = [command for command, _ in cases]
    texts = await answers(owner, commands)
    assert_calm(caplog, texts, commands)
    for (command, expected), text in zip(cases, texts, strict=True):
        assert expected in text, (command, text)
    assert await counts(tg) == before


async def test_hearings_are_scheduled_within_ten_years_and_the_limit_is_stated(tg):
    owner = tg.owner()
    now = dt.datetime.now(dt.UTC)
    too_far = f"{now.year + 11}-01-01 10:00"
    await owner.send(f"/hearing kharkova {too_far}")
    text = (await owner.reply()).text
    assert "more than 10 years ahead" in text and str(now.year + 10) in text
    assert "Usage: /hearing" in text
    # Just inside the window is fine.
    await owner.send(f"/hearing kharkova {now.year + 9}-06-01 10:00")
    alert, question = await owner.replies(2)
    assert "Hearing scheduled" in alert.text and question.has_button("Send")


async def test_a_date_long_past_is_not_printed_with_a_historical_offset(tg):
    owner = tg.owner()
    await owner.send("/hearing kharkova 1900-01-01 10:00")
    text = (await owner.reply()).text
    assert "in the past" in text
    assert "0748" not in text  # Almaty's local mean time of 1900 was UTC+05:07:48


# -------------------------------------------------------------------------------- ids

async def test_ids_beyond_the_database_range_are_no_such_event(tg, caplog):
    owner = tg.owner()
    await scheduled_hearing(tg)
    before = await counts(tg)
    commands = ["/outcome 2147483648 The court adjourned.", "/cancelhearing 99999999999",
                f"/postpone 9223372036854775807 {FUTURE}-07-01 10:00",
                "/outcome #2147483648 Text"]
    texts = await answers(owner, commands)
    assert_calm(caplog, texts, commands)
    assert "There is no event #2147483648" in texts[0]
    assert "There is no event #99999999999" in texts[1]
    assert "There is no event #9223372036854775807" in texts[2]
    assert "There is no event #2147483648" in texts[3]
    assert await counts(tg) == before


async def test_a_case_name_with_a_control_character_is_no_such_case(tg, caplog):
    """The case editor's commands look up only names a case can have, and show what was
    typed with its control characters made visible (PostgreSQL refuses a NUL outright)."""
    owner = tg.owner()
    before = await counts(tg)
    commands = ["/editcase \x00", "/exportcase khar\x00kova"]
    texts = await answers(owner, commands)
    assert_calm(caplog, texts, commands)
    assert "There is no case \N{REPLACEMENT CHARACTER}." in texts[0]
    assert "There is no case khar\N{REPLACEMENT CHARACTER}kova." in texts[1]
    assert all("\x00" not in text for text in texts)
    assert await counts(tg) == before


async def test_a_forged_broadcast_button_with_a_huge_id_is_not_valid(tg, caplog):
    owner = tg.owner()
    await owner.send("/upcoming")  # a message in the owner's chat to press on
    await owner.reply()
    before = await counts(tg)
    for forged in ("bc:999999999999999999:send", "bc:2147483648:cancel", "bc:١:send",
                   "bc:１:send"):
        pressed = await owner.press_data(forged)
        assert "not valid" in (await answer(tg, owner, pressed)).text, forged
    assert_calm(caplog, [], [])
    assert await counts(tg) == before


@pytest.mark.parametrize("digits", ["١", "１", "۱", "१"])
async def test_digits_of_other_scripts_are_not_read_as_ids(tg, digits):
    owner = tg.owner()
    await scheduled_hearing(tg)  # event #1 on a fresh database: a hearing to hit by mistake
    before = await counts(tg)
    await owner.send(f"/cancelhearing {digits}")
    assert "Usage: /cancelhearing" in (await owner.reply()).text
    await owner.send(f"/outcome {digits} Acquitted")
    assert "Usage: /outcome" in (await owner.reply()).text
    await owner.send(f"/hearing kharkova {FUTURE}-12-0{digits} 10:00")
    assert "could not read" in (await owner.reply()).text
    await owner.send(f"/hearing kharkova {FUTURE}-12-01 1{digits}:00")
    assert "could not read" in (await owner.reply()).text
    await owner.send(f"/addcoordinator {digits}2345")
    assert "Usage: /addcoordinator" in (await owner.reply()).text
    assert await counts(tg) == before


async def test_other_scripts_digits_in_supporter_buttons(tg):
    alice = tg.user("Alice")
    await alice.send("/cases")
    await alice.reply()
    for forged in ("cc:١", "cs:１", "ct:۱", "cr:1" + "0" * 12, "cs:2147483648"):
        await alice.press_data(forged)
        answer = await alice.reply()
        assert "no longer exists" in answer.text, forged
    async with tg.db.session() as session:
        assert (await session.exec(select(Subscription))).all() == []


async def test_telegram_user_ids_outside_telegram_range_are_refused(tg):
    owner = tg.owner()
    before = await counts(tg)
    for number in ("9223372036854775807", str(2**52), "0"):
        await owner.send(f"/addcoordinator {number}")
        assert "Usage: /addcoordinator" in (await owner.reply()).text, number
        await owner.send(f"/removecoordinator {number}")
        assert "Usage: /removecoordinator" in (await owner.reply()).text, number
    await owner.send(f"/addcoordinator {2**52 - 1}")
    assert "is now a coordinator" in (await owner.reply()).text
    after = await counts(tg)
    assert after["Coordinator"] == before["Coordinator"] + 1


# ------------------------------------------------------------------------ control characters

async def test_nul_in_a_supporters_slug_gets_an_answer(tg, caplog):
    alice = tg.user("Alice")
    await alice.send("/start kharkova")
    await alice.reply()
    before = await counts(tg)
    commands = ["/unsubscribe kharkova\x00", "/start kharkova\x00", "/write kharkova\x00",
                "/unsubscribe \x00"]
    texts = await answers(alice, commands)
    assert_calm(caplog, texts, commands)
    assert "You do not follow a case called" in texts[0]
    assert "\x00" not in texts[0]
    assert "could not find the case" in texts[1]
    assert "could not find a case" in texts[2]
    after = await counts(tg)
    assert after["Subscription"] == before["Subscription"] == 1


async def test_nul_in_coordinator_slugs_and_texts_is_refused_before_anything_is_stored(tg,
                                                                                   caplog):
    owner = tg.owner()
    hearing = await scheduled_hearing(tg)
    before = await counts(tg)
    commands = [
        "/news kharkova\x00 Hello", f"/hearing kharkova\x00 {FUTURE}-12-01 10:00",
        "/stats kharkova\x00", "/closecase kharkova\x00 Over",
        "/news kharkova Hello\x00world", f"/hearing kharkova {FUTURE}-12-01 10:00 Court\x00",
        f"/outcome {hearing.id} Adjourned\x00", "/closecase kharkova Served\x07",
    ]
    texts = await answers(owner, commands)
    assert_calm(caplog, texts, commands)
    for text in texts[:4]:
        assert "There is no case" in text and "\x00" not in text
    for text in texts[4:]:
        assert "control character" in text or "cannot be stored" in text, text
    assert "U+0000" in texts[4] and "U+0007" in texts[7]
    assert await counts(tg) == before


async def test_line_breaks_and_tabs_are_kept_in_a_news_text(tg):
    owner = tg.owner()
    await owner.send("/news kharkova First line\r\nSecond\tline")
    alert, question = await owner.replies(2)
    assert "First line\nSecond\tline" in alert.text
    assert question.has_button("Send")
    await owner.press("Send", question)
    assert "Nobody follows this case" in (await owner.reply()).text  # committed by now
    async with tg.db.session() as session:
        [news] = (await session.exec(select(Event).where(Event.kind == "news"))).all()
    assert news.text == "First line\nSecond\tline"


async def test_control_characters_in_an_uploaded_case_file_are_refused(tg, caplog):
    owner = tg.owner()
    text = (CONTENT / "cases" / "kharkova.yaml").read_text()
    text = text.replace("slug: kharkova", "slug: new-case").replace(
        'en: "Larisa Kharkova:', 'en: "Up\\0loaded Person:')  # a YAML escape: NUL
    before = await counts(tg)
    await owner.send_document("new-case.yaml", text.encode())
    refused = (await owner.reply()).text
    assert "new-case.yaml was not loaded" in refused
    assert "title.en: contains a control character (U+0000)" in refused
    await owner.send_document("new\x00case.yaml", text.replace("\\0", "").encode())
    assert "control character (U+0000)" in (await owner.reply()).text
    assert_calm(caplog, [refused], ["upload"])
    assert await counts(tg) == before
    await owner.send_document("new-case.yaml", text.replace("\\0", "").encode())
    assert "Case added" in (await owner.reply()).text


# ------------------------------------------------------------------------ callback data

CASE_PREFIXES = (kb.CASE_CARD, kb.SUBSCRIBE, kb.UNSUBSCRIBE, kb.TIMELINE, kb.SOURCES, kb.WRITE)


@given(st.text(max_size=64))
def test_callback_parsers_read_only_what_fits(data):
    for prefix in CASE_PREFIXES:
        case_id = kb.parse_case_id(data, prefix)
        assert case_id is None or 1 <= case_id <= DB_ID_MAX
    page = kb.parse_case_page(data)
    assert page is None or 0 <= page <= PAGE_MAX
    broadcast = kb.parse_broadcast(data)
    assert broadcast is None or (1 <= broadcast[0] <= DB_ID_MAX and broadcast[1] in {
        kb.BROADCAST_SEND, kb.BROADCAST_CANCEL})
    assert kb.parse_forget(data) in (None, True, False)
    press = kb.parse_wizard_data(data)
    if press is not None and press.arg is not None:
        assert press.arg.isascii()


@given(st.integers(min_value=1, max_value=DB_ID_MAX))
def test_callback_data_the_bot_makes_reads_back(number):
    for prefix in CASE_PREFIXES:
        assert kb.parse_case_id(kb.data(prefix, number), prefix) == number
    assert kb.parse_broadcast(kb.data(kb.BROADCAST, number, kb.BROADCAST_SEND)) == (
        number, kb.BROADCAST_SEND)
    assert kb.parse_case_id(kb.data(kb.CASE_CARD, number + DB_ID_MAX), kb.CASE_CARD) is None
