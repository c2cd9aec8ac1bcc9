"""Case cards and alerts' buttons, end to end: a long summary behind [Read more], titles cut at a
word in lists, how old a historical case is, the slug for coordinators, the one-line welcome of
a first deep-link visit, and an alert's [Open case] and [Unsubscribe] → [Undo]."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_timedelta
from helpers_cases import turn_to
from sqlmodel import select
from test_admin import FUTURE, follow, preview, rows, send

from content.loader import load_library
from storage.models import Case, Subscription

LIBRARY, _ = load_library()
SUMMARY = LIBRARY.cases["kharkova"].summary.en
LAST_UPDATE = dt.date(2017, 10, 4)  # kharkova's newest dated source


async def test_long_card_shows_a_preview_and_read_more_shows_the_rest(tg):
    alice = tg.user("Alice")
    await alice.send("/start kharkova")
    card = await alice.reply()
    tail = SUMMARY.split()[-6:]
    assert " ".join(tail) not in card.text
    assert SUMMARY.split(". ")[0] in card.text  # the first sentence is there
    assert card.has_button("Read more")
    await alice.press("Read more", card)
    full = await alice.reply()
    assert full.message_id == card.message_id  # the card itself grows
    assert " ".join(tail) in full.text
    assert not full.has_button("Read more") and full.has_button("Share")


async def test_historical_case_says_how_old_it_is_and_needs_no_action_badge(tg):
    alice, owner = tg.user("Alice"), tg.owner()
    await alice.send("/start kharkova")
    card = await alice.reply()
    age = format_timedelta(LAST_UPDATE - dt.date.today(), granularity="day",
                           add_direction=True, threshold=1.0, locale="en")
    assert f"Last update: 4 Oct 2017 ({age})" in card.text and "years ago" in age
    assert "Status: 🟢 open" in card.text and "action needed" not in card.text
    assert "Slug:" not in card.text  # a supporter does not type slugs

    ivan = tg.user("Ivan", language_code="ru")
    await ivan.send("/start kharkova")
    ru_card = (await ivan.reply()).text
    assert "4 октября 2017" in ru_card and "лет назад" in ru_card, ru_card

    # A hearing ahead makes it a live case again: the badge comes back.
    _, question = await preview(owner, f"/hearing kharkova {FUTURE}-11-01 10:00")
    await send(tg, owner, question)
    await alice.send("/start kharkova")
    card = await alice.reply()
    assert "action needed" in card.text and "years ago" not in card.text


async def test_coordinators_see_the_slug_on_every_card(tg):
    owner = tg.owner()
    await owner.send("/cases")
    listing = await owner.reply()
    await owner.press("Zhanbolat Mamay", await turn_to(owner, "Zhanbolat Mamay", listing))
    card = await owner.reply()
    assert "Slug: mamay" in card.text and "<code>mamay</code>" in card.html


async def test_titles_in_lists_are_cut_at_a_word(tg):
    alice = tg.user("Alice")
    long_title = "Ainur Example: " + " ".join(["journalist"] * 8)
    async with tg.db.session() as session:
        case = (await session.exec(select(Case).where(Case.slug == "kharkova"))).one()
        case.data = {**case.data, "title": {**case.data["title"], "en": long_title}}
        session.add(case)
        await session.commit()
    await alice.send("/cases")
    listing = await alice.reply()
    listing = await turn_to(alice, "Ainur Example", listing)
    [title] = [b["text"] for b in listing.flat_buttons if b["text"].startswith("Ainur")]
    assert title.endswith("…") and len(title) <= 60
    assert long_title.startswith(title[:-1].rstrip())
    assert title[:-1].endswith("journalist")  # a whole word before the "…"


async def test_first_deep_link_visit_gets_one_line_of_welcome_above_the_case(tg):
    alice = tg.user("Alice")
    await alice.send("/start kharkova")
    card = await alice.reply()
    first_line, second_line = card.text.split("\n")[:2]
    assert "Welcome" in first_line and "/privacy" in first_line
    assert "You are subscribed" in second_line
    assert card.text.index("/privacy") < card.text.index("Larisa Kharkova")
    await alice.send("/start mamay")  # no longer a first visit
    assert "Welcome" not in (await alice.reply()).text


async def test_alert_opens_its_case_and_unsubscribe_can_be_undone(tg):
    owner, alice = tg.owner(), tg.user("Alice")
    await follow(alice)
    _, question = await preview(owner, "/news kharkova She was allowed a family visit.")
    await send(tg, owner, question)
    alert = alice.last_message()
    assert "family visit" in alert.text
    case_id = int(alert.find_button("Open case")["callback_data"].removeprefix("cc:"))

    await alice.press("Open case", alert)
    card = await alice.reply()
    assert card.message_id != alert.message_id and "Larisa Kharkova" in card.text
    assert alice.message(alert.message_id).text == alert.text  # the alert stays

    await alice.press("Unsubscribe", alert)
    gone = await alice.reply()
    assert "no longer follow" in gone.text and gone.message_id != alert.message_id
    assert not await rows(tg, Subscription, Subscription.supporter_id == alice.id)
    assert gone.find_button("Undo")["callback_data"] == f"uz:{case_id}"

    await alice.press("Undo", gone)
    back = await alice.reply()
    assert "You are subscribed" in back.text and back.message_id == gone.message_id
    assert back.has_button("Open case") and not back.has_button("Undo")
    await alice.press_data(f"uz:{case_id}", gone)  # pressed twice: nothing more happens
    assert "already follow" in (await alice.reply()).text
    assert len(await rows(tg, Subscription, Subscription.supporter_id == alice.id)) == 1
