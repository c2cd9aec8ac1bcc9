"""Dates as precise as their sources, texts in the reader's language, dated addresses, passed
deadlines, the default time zone and the report back — end to end through the Bot API server
(SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
from pathlib import Path

import yaml
from conftest import Harness, make_settings
from sqlmodel import select
from test_letter_wizard import letter_rows, say, tap, until

from bot.render import format_day
from storage.models import Authority, Case

CONTENT = Path(__file__).resolve().parent.parent / "content"
KHARKOVA = yaml.safe_load((CONTENT / "cases" / "kharkova.yaml").read_text(encoding="utf-8"))
CODE = "KAZ 003 / 1017 / OBS 107"
FUTURE = dt.datetime.now(dt.UTC).year + 2


def _case_file(slug: str, **changes) -> bytes:
    data = {**KHARKOVA, "slug": slug, **changes}
    data["title"] = {"en": f"Case {slug}: a test", "ru": f"Дело {slug}: проверка"}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


async def _upload(tg, slug: str, **changes) -> None:
    owner = tg.owner()
    await owner.send_document(f"{slug}.yaml", _case_file(slug, **changes))
    answer = (await owner.reply()).text
    assert "Case added" in answer, answer


DATED_TIMELINE = [
    {"key": "search", "date": "2017-06-14", "kind": "search", "source": 2,
     "text": {"en": "Police search his flat.", "ru": "Полиция проводит обыск в его квартире."}},
    {"key": "arrest", "date": "2017-06-24", "derived": True, "kind": "detention", "source": 2,
     "text": {"en": "Ten days after the search, a court authorises his arrest."}},
    {"key": "month", "date": "2017-07", "precision": "month", "kind": "other", "source": 3,
     "text": {"en": "Officials say his group may not work.",
              "ru": "Власти заявляют, что его организация не может работать."}},
    {"key": "year", "date": "2017", "kind": "other", "source": 3,
     "text": {"en": "He is convicted of libel."}},
]


async def test_timeline_shows_dates_as_the_sources_give_them(tg):
    await _upload(tg, "dated", timeline=DATED_TIMELINE)
    alice = tg.user("Alice")
    card = await say(alice, "/start dated", "Who:")
    assert "<b>Last update:</b> 4 Oct 2017" in card.html  # the newest dated source
    timeline = await tap(alice, "Timeline", "Timeline —", card)
    text = timeline.text
    assert "14 Jun 2017 — Police search his flat." in text
    assert "about 24 Jun 2017 — Ten days after the search" in text
    assert "Jul 2017 — Officials say" in text and "1 Jul 2017" not in text
    assert "2017 — He is convicted of libel." in text and "1 Jan 2017" not in text
    # The timeline's order comes from the sort key: the year (1 Jan) first, never shown.
    assert text.index("He is convicted") < text.index("Police search")

    async with tg.db.session() as session:
        case = (await session.exec(select(Case).where(Case.slug == "dated"))).one()
    assert case.timezone is None  # the file names none: DEFAULT_TIMEZONE applies
    assert case.data["timeline"][3]["date"] == "2017"  # never padded in the stored document


async def test_a_russian_reader_gets_russian_texts_and_english_where_there_is_none(tg):
    await _upload(tg, "dated", timeline=DATED_TIMELINE)
    olga = tg.user("Olga", language_code="ru")
    card = await say(olga, "/start dated", "Дело dated: проверка")
    assert "Case dated: a test" not in card.text
    timeline = await tap(olga, "Хронология", "Полиция проводит обыск", card)
    assert "Ten days after the search" in timeline.text  # no Russian text: English
    listing = await say(olga, "/cases", "Дела")
    titles = " ".join(listing.button_texts)
    assert "Алима Абдирова" in titles and "Alima Abdirova" not in titles


async def test_default_timezone_reaches_file_cases(server, database_url):
    harness = Harness(server, database_url,
                      make_settings(server, database_url, default_timezone="Europe/Berlin"))
    await harness.start()
    try:
        owner, alice = harness.owner(), harness.user("Alice")
        await alice.send("/start kharkova")
        await alice.reply()
        await owner.send(f"/hearing kharkova {FUTURE}-07-01 10:00 Court")
        _, question = await owner.replies(2)
        await owner.press("Send", question)
        await until(lambda: any("Hearing scheduled" in m.text for m in alice.messages),
                    user=alice)
        alert = next(m for m in alice.messages if "Hearing scheduled" in m.text)
        assert f"1 Jul {FUTURE}, 10:00 (UTC+02:00)" in alert.text  # Berlin summer time
        card = await say(alice, "/start kharkova", "Who:")
        assert f"1 Jul {FUTURE}, 10:00 (UTC+02:00)" in card.text
    finally:
        await asyncio.wait_for(harness.stop(), timeout=20)


async def test_a_passed_deadline_turns_the_button_into_a_question(tg):
    await _upload(tg, "late", act_before="2017-10-31")
    alice = tg.user("Alice")
    card = await say(alice, "/start late", "Who:")
    assert "31 Oct 2017 — the appeal's deadline has passed." in card.text
    assert not card.has_button("✍️ Write a letter")
    step = await tap(alice, "deadline has passed — write anyway?", "Who do you want to write to?",
                     card)
    assert step.message_id > card.message_id  # the wizard opens anew; the card stays
    assert alice.message(card.message_id).has_button("deadline has passed")

    await _upload(tg, "early", act_before=f"{FUTURE}-01-31")
    card = await say(alice, "/start early", "Who:")
    assert card.has_button("✍️ Write a letter") and "has passed" not in card.text


async def test_the_wizard_dates_each_address_and_asks_to_check_old_ones(tg):
    alice = tg.user("Alice")
    await say(alice, "/write kharkova", "Who do you want to write to?")
    step = await tap(alice, "Kalmukhanbet Kassymov", "In which language")
    assert "📅 Address as published on 4 Oct 2017." in step.text
    assert "please check that the address is still current" in step.text
    # The source that lists it, by name (the seed gives it no URL, so it is not linked).
    assert "see Observatory for the Protection of Human Rights Defenders" in step.text
    await tap(alice, "English", "How do you want to sign")
    draft = await tap(alice, "Sign anonymously", "How will you send it?")
    helper = await tap(alice, "Email", "When you have sent it", draft)
    assert "Address as published on 4 Oct 2017" in helper.text

    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    async with tg.db.session() as session:  # a coordinator confirmed it in chat
        row = await session.get(Authority, "kz-interior-minister")
        row.verified_at, row.verified_by = yesterday, 7
    await say(alice, "/write kharkova", "Who do you want to write to?")
    step = await tap(alice, "Kalmukhanbet Kassymov", "In which language")
    checked = next(line for line in step.text.splitlines() if "Checked on" in line)
    assert checked == f"✔️ Checked on {format_day(yesterday.date())}."  # no coordinator id
    assert "please check" not in step.text


async def test_after_i_sent_it_the_report_the_appeal_asks_for_is_offered(tg):
    report_to = {"email": "Appeals@fidh-omct.org", "name": "The Observatory"}
    await _upload(tg, "reporting", report_to=report_to)
    alice = tg.user("Alice")
    await say(alice, "/write reporting", "Who do you want to write to?")
    await tap(alice, "Kalmukhanbet Kassymov", "In which language")
    await tap(alice, "English", "How do you want to sign")
    draft = await tap(alice, "Sign anonymously", "How will you send it?")
    helper = await tap(alice, "Email", "When you have sent it", draft)
    letter_eml = next(m.document for m in reversed(alice.messages) if m.document)
    assert CODE in email.message_from_bytes(letter_eml.data, policy=email.policy.default)[
        "Subject"]  # the letter quotes the code in its subject
    thanks = await tap(alice, "I sent it", "Thank you!", helper)
    assert f"The Observatory asks everyone who acts on this appeal to tell them, quoting {CODE}" \
        in thanks.text
    assert thanks.has_button("📨 Tell The Observatory")

    help_message = await tap(alice, "Tell The Observatory", "Your report to The Observatory",
                             thanks)
    assert "Appeals@fidh-omct.org" in help_message.text
    assert f"{CODE}: action taken" in help_message.text
    report = next(m.document for m in reversed(alice.messages) if m.document)
    assert report.filename.endswith(".eml") and report is not letter_eml
    parsed = email.message_from_bytes(report.data, policy=email.policy.default)
    assert parsed["To"] == "Appeals@fidh-omct.org"
    assert parsed["Subject"] == f"{CODE}: action taken"
    assert "Kalmukhanbet Kassymov" in parsed.get_content()
    assert len(await letter_rows(tg)) == 1  # the report is not a letter: nothing recorded

    # A case without report_to offers nothing.
    await _upload(tg, "silent", report_to=None)
    await say(alice, "/write silent", "Who do you want to write to?")
    await tap(alice, "Kalmukhanbet Kassymov", "In which language")
    await tap(alice, "English", "How do you want to sign")
    draft = await tap(alice, "Sign anonymously", "How will you send it?")
    helper = await tap(alice, "Email", "When you have sent it", draft)
    thanks = await tap(alice, "I sent it", "Thank you!", helper)
    assert not thanks.has_button("Tell") and "asks everyone" not in thanks.text
