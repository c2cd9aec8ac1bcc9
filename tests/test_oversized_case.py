"""A case with far more text than a message holds: every message about it still fits (card from
/cases and from a deep link, timeline, sources, the letter's draft), and the schema refuses such
a case file with the file and the field. End to end on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import yaml
from sqlmodel import select

from bot import render
from bot import wizard as wz
from bot.fitting import TEXT_LIMIT, telegram_length
from bot.letters import Letter
from bot.sandbox.formatting import parse_html
from content.loader import CONTENT_ROOT, load_authorities, load_library, parse_case
from content.schema import Case, Person
from storage.library_sync import upsert_case
from storage.models import Case as CaseRow
from storage.models import Event

SLUG = "oversized"


def oversized_case(slug: str) -> Case:
    """The shape from the report: 60 people with long roles, a 5,000-character court on the
    newest entry, 150 codes of 50 characters (model_copy: no validation on the way)."""
    library, _ = load_library()
    base = library.cases["kharkova"]
    timeline = list(base.timeline)
    timeline[-1] = timeline[-1].model_copy(update={"court": "Court " + "of appeal " * 555})
    return base.model_copy(update={
        "slug": slug, "title": "A case of very many people",
        "people": [Person(name=f"Person number {n}", role="Member of the union " * 15)
                   for n in range(60)],
        "codes": [f"KAZ {n:03d} / " + "X" * 40 for n in range(150)],
        "timeline": timeline,
    })


async def _store(tg) -> None:
    """As a deployment may hold it: stored before the schema bounded its fields. The restart
    cuts the stored document to today's bounds (a list of 20 people still overflows a card)."""
    async with tg.db.session() as session:
        await upsert_case(session=session, case=oversized_case(SLUG))
    await tg.restart()
    async with tg.db.session() as session:
        stored = (await session.exec(select(CaseRow).where(CaseRow.slug == SLUG))).one()
    assert len(stored.data["people"]) == 20 and len(stored.data["codes"]) == 10


def _fits(message) -> None:
    assert telegram_length(message.text) <= TEXT_LIMIT, len(message.text)
    assert not message.text.startswith("Sorry"), message.text


async def _reply_with(user, needle: str):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        message = await user.reply(timeout=max(0.01, deadline - loop.time()))
        assert not message.text.startswith("Sorry"), message.text
        if needle in message.text:
            return user.message(message.message_id)


async def test_card_from_the_list_and_from_a_link_fit(tg):
    await _store(tg)
    alice = tg.user("Alice")
    await alice.send("/cases")
    await _reply_with(alice, "Cases")
    await alice.press("A case of very many people")
    card = await _reply_with(alice, "Who:")
    _fits(card)
    assert card.has_button("Timeline") and card.has_button("Write a letter")
    assert card.text.rstrip().endswith("Subscribe to hear about hearings and outcomes.")

    await alice.press("Timeline", card)
    timeline = await _reply_with(alice, "Timeline")
    _fits(timeline)
    assert "Court " in timeline.text  # the newest entry is there, its court shortened
    await alice.press("Back to the case", timeline)
    await alice.press("Sources", await _reply_with(alice, "Who:"))
    _fits(await _reply_with(alice, "Sources"))

    await alice.send(f"/start {SLUG}")
    card = await _reply_with(alice, "Who:")
    _fits(card)
    assert "You are subscribed" in card.text


async def test_the_letter_draft_fits_and_keeps_its_buttons(tg):
    await _store(tg)
    bob = tg.user("Bob")
    await bob.send(f"/write {SLUG}")
    await _reply_with(bob, "Who do you want to write to?")
    await bob.press("Kassymov")
    await _reply_with(bob, "In which language")
    await bob.press("English")
    await _reply_with(bob, "How do you want to sign")
    await bob.press("Sign anonymously")
    draft = await _reply_with(bob, "How will you send it?")
    assert draft.has_button("Email")
    await tg.idle()
    for message in bob.messages:
        _fits(message)
    await bob.press("Email", draft)
    helper = await _reply_with(bob, "When you have sent it")
    _fits(helper)
    assert helper.has_button("I sent it")


def test_the_schema_refuses_such_a_case_naming_file_and_fields():
    authorities, errors = load_authorities(CONTENT_ROOT / "authorities.yaml")
    assert errors == []
    document = oversized_case(SLUG).model_dump(mode="json")
    case, errors = parse_case(yaml.safe_dump(document, allow_unicode=True), "oversized.yaml",
                              authorities)
    assert case is None
    fields = {error.field for error in errors}
    assert {"people", "codes"} <= fields, fields
    assert any(field.startswith("timeline[") and field.endswith(".court") for field in fields)
    assert all(error.file == "oversized.yaml" for error in errors)
    assert any("at most" in error.message for error in errors)


# ----- the renderers on their own: every part at its bound, or beyond it ---------------------

def _event(n: int, text: str, **fields) -> Event:
    return Event(id=n, case_id=1, kind="news", date=dt.date(2030, 1, 1) + dt.timedelta(n),
                 text=text, status="held", **fields)


def test_a_card_with_every_part_at_its_longest_fits_and_keeps_its_footer():
    people = [Person(name="N" * 120, role="Role & <title> " * 20) for _ in range(20)]
    case = oversized_case(SLUG).model_copy(update={
        "people": people, "codes": ["C" * 64] * 10, "summary": "😀 solidarity " * 110})
    hearing = Event(id=9, case_id=1, kind="hearing", date=dt.date(2030, 3, 1),
                    status="scheduled", starts_at=dt.datetime(2030, 3, 1, 4, tzinfo=dt.UTC),
                    text="H" * 3000, place="P" * 300)
    latest = [_event(n, "news <b> & " * 300, court="C" * 200, city="Y" * 100) for n in range(3)]
    text = render.case_card(case, is_open=True, closed_note="note " * 600, next_hearing=hearing,
                            latest=latest, subscribed=True, notice="✅ You are subscribed.")
    plain, _entities = parse_html(text)  # valid HTML
    assert telegram_length(text) <= TEXT_LIMIT
    assert plain.startswith("✅ You are subscribed.") and plain.endswith("You follow this case.")
    assert "Next hearing" in plain and plain.count("news <b> &") >= 3


def test_a_subject_longer_than_a_message_is_spread_over_whole_messages():
    subject = " ".join(f"KAZ {n:03d} / OBS {n}" for n in range(800))  # ~14,000 characters
    letter = Letter(subject=subject, body="Dear Sir,\n\n" + "I am writing. " * 600,
                    language="en", to_name="X", case_slug=SLUG, authority_key="kz-president")
    authorities, _ = load_authorities(CONTENT_ROOT / "authorities.yaml")
    messages = wz.draft_messages(letter, authorities["kz-president"], "en")
    for message in messages:
        parse_html(message)
        assert telegram_length(message) <= TEXT_LIMIT
    shown = "".join(parse_html(message)[0] for message in messages)
    assert subject.replace(" ", "") in shown.replace(" ", "").replace("\n", "")
    assert "How will you send it?" in messages[-1]


async def test_an_upload_of_such_a_case_is_refused_naming_the_fields(tg):
    document = oversized_case(SLUG).model_dump(mode="json")
    owner = tg.owner()
    await owner.send_document(f"{SLUG}.yaml", yaml.safe_dump(document, allow_unicode=True).encode())
    answer = await _reply_with(owner, "was not loaded")
    _fits(answer)
    for field in ("people", "codes", "timeline[12].court"):
        assert field in answer.text, field
    async with tg.db.session() as session:
        assert (await session.exec(select(CaseRow).where(CaseRow.slug == SLUG))).first() is None
