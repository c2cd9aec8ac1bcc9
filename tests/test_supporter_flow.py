"""A supporter finds, reads, follows and leaves cases — end to end through the Bot API server."""

from __future__ import annotations

from helpers_cases import CASE_PAGES, turn_to
from sqlmodel import select

from storage.models import Case, Subscription, Supporter


async def test_start_welcomes_and_offers_browsing(tg):
    alice = tg.user("Alice")
    await alice.send("/start")
    welcome = await alice.reply()
    assert "Welcome to Appeal Bot" in welcome.text
    assert welcome.has_button("Browse cases")

    await alice.press("Browse cases")
    listing = await alice.reply()
    assert listing.message_id == welcome.message_id  # the button edits its own message
    assert f"page 1 of {CASE_PAGES}" in listing.text
    case_buttons = [b for b in listing.flat_buttons if b["callback_data"].startswith("cc:")]
    assert 1 <= len(case_buttons) <= 8
    assert listing.has_button("Next")
    assert not listing.has_button("Previous")


async def test_case_list_pages_open_cases_first(tg):
    alice = tg.user("Alice")
    await alice.send("/cases")
    pages = [await alice.reply()]
    for number in range(2, CASE_PAGES + 1):
        await alice.press("Next")
        pages.append(await alice.reply())
        assert f"page {number} of {CASE_PAGES}" in pages[-1].text
    assert pages[-1].has_button("Previous") and not pages[-1].has_button("Next")
    titles = [b["text"] for page in pages for b in page.flat_buttons
              if b["callback_data"].startswith("cc:")]
    closed = [index for index, title in enumerate(titles) if title.startswith("🔒")]
    opened = [index for index, title in enumerate(titles) if not title.startswith("🔒")]
    assert closed and opened and max(opened) < min(closed)
    await alice.press("Previous")
    assert f"page {CASE_PAGES - 1} of {CASE_PAGES}" in (await alice.reply()).text


async def test_deep_link_shows_case_and_subscribes_in_one_step(tg):
    alice = tg.user("Alice")
    await alice.send("/start kharkova")
    card = await alice.reply()
    assert "You are subscribed" in card.text
    assert "Larisa Kharkova" in card.text
    assert "KAZ 003 / 1017 / OBS 107" in card.text
    assert card.has_button("Unsubscribe") and not card.has_button("🔔 Subscribe")
    async with tg.db.session() as session:
        rows = (await session.exec(select(Subscription))).all()
    assert [row.supporter_id for row in rows] == [alice.id]

    await alice.send("/start kharkova")  # a second tap changes nothing
    assert "already follow" in (await alice.reply()).text
    async with tg.db.session() as session:
        assert len((await session.exec(select(Subscription))).all()) == 1


async def test_unknown_or_malformed_deep_link_gets_the_case_list(tg):
    alice = tg.user("Alice")
    for payload in ("no-such-case", "bad/slug!", "x" * 70):
        await alice.send(f"/start {payload}")
        answer = await alice.reply()
        assert "could not find the case" in answer.text
        assert any(b["callback_data"].startswith("cc:") for b in answer.flat_buttons)
    async with tg.db.session() as session:
        assert (await session.exec(select(Supporter))).all() == []


async def test_case_card_timeline_and_sources(tg):
    alice = tg.user("Alice")
    await alice.send("/cases")
    listing = await alice.reply()
    await alice.press("Larisa Kharkova", await turn_to(alice, "Larisa Kharkova", listing))
    card = await alice.reply()
    assert "Who:" in card.text and "Status:" in card.text
    assert "Next hearing: none scheduled" in card.text
    assert "Latest:" in card.text and "2017" in card.text
    assert len(card.text) <= 4096
    for label in ("Subscribe", "Timeline", "Sources", "Write a letter"):
        assert card.has_button(label), label

    await alice.press("Timeline")
    timeline = await alice.reply()
    assert "Timeline" in timeline.text and "4 Jan 2017" in timeline.text
    await alice.press("Back to the case")
    await alice.reply()
    await alice.press("Sources")
    sources = await alice.reply()
    assert "Observatory" in sources.text or "FIDH" in sources.text

    await alice.press("Back to the case")
    await alice.reply()
    await alice.press("Subscribe")
    subscribed = await alice.reply()
    assert "You are subscribed" in subscribed.text and subscribed.has_button("Unsubscribe")
    assert "Subscribed" in [answer.text for answer in alice.callback_answers]


async def test_mycases_and_unsubscribe(tg):
    alice = tg.user("Alice")
    await alice.send("/mycases")
    assert "do not follow any case" in (await alice.reply()).text

    await alice.send("/start kharkova")
    await alice.reply()
    await alice.send("/mycases")
    mine = await alice.reply()
    assert "Larisa Kharkova" in " ".join(mine.button_texts)

    await alice.press("Unsubscribe", mine)
    left = await alice.reply()
    assert "no longer follow" in left.text
    assert left.has_button("🔔 Subscribe")

    await alice.send("/unsubscribe")
    assert "do not follow any case" in (await alice.reply()).text
    await alice.send("/start kharkova")
    await alice.reply()
    await alice.send("/unsubscribe nonsense")
    assert "do not follow a case called" in (await alice.reply()).text
    await alice.send("/unsubscribe kharkova")
    assert "no longer follow" in (await alice.reply()).text
    async with tg.db.session() as session:
        assert (await session.exec(select(Subscription))).all() == []


async def test_closed_case_is_not_subscribed(tg):
    async with tg.db.session() as session:
        closed = (await session.exec(select(Case).where(Case.status == "closed"))).first()
    alice = tg.user("Alice")
    await alice.send(f"/start {closed.slug}")
    card = await alice.reply()
    assert "closed" in card.text and "nothing to subscribe to" in card.text
    assert "Next hearing" not in card.text  # a closed case needs no more action
    assert not card.has_button("Write a letter")
    async with tg.db.session() as session:
        assert (await session.exec(select(Subscription))).all() == []


async def test_privacy_and_forget(tg):
    alice = tg.user("Alice")
    await alice.send("/privacy")
    privacy = await alice.reply()
    assert "chat id" in privacy.text and "/forget" in privacy.text

    await alice.send("/start kharkova")
    await alice.reply()
    await alice.send("/forget")
    ask = await alice.reply()
    await alice.press("Keep it", ask)
    assert "Nothing was deleted" in (await alice.reply()).text
    async with tg.db.session() as session:
        assert await session.get(Supporter, alice.id) is not None

    await alice.send("/forget")
    await alice.reply()
    await alice.press("Yes, delete")
    assert "deleted everything" in (await alice.reply()).text
    async with tg.db.session() as session:
        assert await session.get(Supporter, alice.id) is None
        assert (await session.exec(select(Subscription))).all() == []

    await alice.send("/forget")
    await alice.reply()
    await alice.press("Yes, delete")
    assert "nothing stored" in (await alice.reply()).text


async def test_unexpected_input_always_gets_an_answer(tg):
    alice = tg.user("Alice")
    await alice.send("hello, is anyone there?")
    assert "commands and buttons" in (await alice.reply()).text
    await alice.send("/frobnicate")
    assert "don't know that command" in (await alice.reply()).text
    await alice.send_document("notes.txt", b"hi")
    assert "can't do anything with that" in (await alice.reply()).text

    await alice.send("/cases")
    await alice.reply()
    for forged in ("zz:1", "cc:999999", "cc:abc", "cs:-1", "fg:maybe", "x" * 64):
        await alice.press_data(forged)
        answer = await alice.reply()
        assert answer.text, forged
    answers = [answer.text for answer in alice.callback_answers]
    assert "That case is no longer available." in answers
    assert "This button is out of date." in answers
    # nothing was stored for all that
    async with tg.db.session() as session:
        assert (await session.exec(select(Supporter))).all() == []


async def test_button_for_a_case_that_was_removed(tg):
    alice = tg.user("Alice")
    await alice.send("/start kharkova")
    card = await alice.reply()
    async with tg.db.session() as session:
        case = (await session.exec(select(Case).where(Case.slug == "kharkova"))).one()
        await session.delete(case)
    await alice.press("Timeline", card)
    answer = await alice.reply()
    assert "no longer exists" in answer.text


async def test_command_menu_is_set_at_start_up(tg):
    commands = tg.server.commands_for(tg.user("Alice").id)
    names = [command["command"] for command in commands]
    assert {"cases", "mycases", "help", "privacy", "forget"} <= set(names)


async def test_help_lists_coordinator_commands_only_to_coordinators(tg):
    alice = tg.user("Alice")
    await alice.send("/help")
    supporter_help = await alice.reply()
    assert "/cases" in supporter_help.text and "/hearing" not in supporter_help.text

    owner = tg.owner()
    await owner.send("/help")
    owner_help = await owner.reply()
    assert "For coordinators" in owner_help.text
    assert "/hearing" in owner_help.text and "/addcoordinator" in owner_help.text


async def test_unsubscribing_drops_alerts_still_queued(db):
    """No worker runs here, so the alert's rows stay pending until unsubscribe acts on them."""
    from bot.alerts import enqueue_alert
    from content.loader import load_library
    from storage.library_sync import sync_library
    from storage.models import Delivery
    from storage.subscriptions import subscribe, unsubscribe
    from storage.supporters import ensure_supporter

    library, _ = load_library()
    async with db.session() as session:
        await sync_library(session=session, library=library)
        case = (await session.exec(select(Case).where(Case.slug == "kharkova"))).one()
        for chat_id in (1, 2):
            await ensure_supporter(session=session, chat_id=chat_id)
            await subscribe(session=session, chat_id=chat_id, case_id=case.id)
        alert = await enqueue_alert(session=session, case_id=case.id, kind="news", text="News")
    async with db.session() as session:
        await unsubscribe(session=session, chat_id=2, case_id=case.id)
    async with db.session() as session:
        rows = (await session.exec(select(Delivery).where(Delivery.alert_id == alert.id))).all()
    assert [(row.supporter_id, row.status) for row in rows] == [(1, "pending")]
