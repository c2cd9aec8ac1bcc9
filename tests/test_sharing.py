"""Sharing a case, end to end: [📣 Share] on cards (and from any message) with the deep link,
Telegram's share button and a QR code for coordinators; and inline mode (@bot kharkova)."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import segno
from PIL import Image
from sqlmodel import select
from test_admin import follow

from storage.models import Case


async def case_ids(tg) -> dict[str, int]:
    async with tg.db.session() as session:
        return {case.slug: case.id for case in (await session.exec(select(Case))).all()}


def qr_modules(png: bytes) -> list[list[bool]]:
    """The dark/light modules of a QR code image (segno's layout: 4-module quiet zone)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    side = image.width
    for count in range(21, 178, 4):  # QR versions 1..40
        if side % (count + 8) == 0:
            scale = side // (count + 8)
            return [[image.getpixel(((x + 4) * scale + scale // 2, (y + 4) * scale + scale // 2))
                     < 128 for x in range(count)] for y in range(count)]
    raise AssertionError(f"{side}px is not a QR code with a 4-module border")


async def test_share_gives_the_deep_link_a_share_button_and_coordinators_a_qr_code(tg):
    alice, owner = tg.user("Alice"), tg.owner()
    ids = await case_ids(tg)
    username = (await tg.app.bot.get_me()).username
    link = f"https://t.me/{username}?start=kharkova"
    await follow(alice)
    card = alice.last_message()
    assert card.find_button("Share")["callback_data"] == f"sh:{ids['kharkova']}"

    await alice.press("Share", card)
    shared = await alice.reply()
    assert shared.message_id != card.message_id  # the card stays; the link comes anew
    assert alice.message(card.message_id).text == card.text
    assert link in shared.text
    share = shared.find_button("Share in Telegram")
    parts = urlsplit(share["url"])
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "t.me", "/share/url")
    query = parse_qs(parts.query)
    assert query["url"] == [link]
    assert "Larisa Kharkova" in query["text"][0]
    assert "%3A%2F%2Ft.me%2F" in share["url"]  # URL-encoded
    assert shared.find_button("Back to the case")["callback_data"] == f"cc:{ids['kharkova']}"
    await alice.assert_no_reply()  # no QR code for a supporter
    assert all(message.photo is None for message in alice.messages)

    # The same button works from any message (e.g. after "I sent it" in the letter wizard).
    await alice.send("/help")
    help_message = await alice.reply()
    await alice.press_data(f"sh:{ids['mamay']}", help_message)
    assert "?start=mamay" in (await alice.reply()).text

    # A coordinator also gets the QR code of the link, as a photo.
    await owner.send("/start kharkova")
    await owner.reply()
    await owner.press("Share")
    shared, picture = await owner.replies(2)
    assert link in shared.text
    assert picture.photo is not None and picture.photo.content.startswith(b"\x89PNG")
    assert "posters" in picture.text and link in picture.text
    assert qr_modules(picture.photo.content) == [
        [bool(module) for module in row] for row in segno.make_qr(link, error="m",
                                                                  boost_error=True).matrix]


async def test_a_forged_share_button_gets_the_case_list(tg):
    alice = tg.user("Alice")
    await alice.send("/start")
    await alice.reply()
    await alice.press_data("sh:99999999")
    answer = await alice.reply()
    assert "no longer exists" in answer.text
    assert any(b["callback_data"].startswith("cc:") for b in answer.flat_buttons)


async def test_inline_mode_offers_matching_cases_as_shareable_cards(tg):
    alice = tg.user("Alice")
    ids = await case_ids(tg)
    username = (await tg.app.bot.get_me()).username

    for typed in ("kharkova", "KHARKOVA", "larisa", "Харьков", "Larisa  Kharkova"):
        await alice.inline_query(typed)
        answer = await alice.inline_answer()
        assert f"case-{ids['kharkova']}" in answer.result_ids, (typed, answer.result_ids)
    assert answer.is_personal
    result = answer.result(f"case-{ids['kharkova']}")
    assert result["type"] == "article" and result["title"].startswith("Larisa Kharkova")
    content = result["input_message_content"]
    link = f"https://t.me/{username}?start=kharkova"
    assert content["parse_mode"] == "HTML" and link in content["message_text"]
    [[button]] = result["reply_markup"]["inline_keyboard"]
    assert button["url"] == link and "Follow this case" in button["text"]

    # Posted in another chat: the card and its deep-link button, sent via the bot.
    posted = await alice.choose_inline_result(f"case-{ids['kharkova']}")
    assert posted.via_bot and "Larisa Kharkova" in posted.text
    assert posted.find_button("Follow this case")["url"] == link

    # An empty query offers the open cases; nothing matching gives no results.
    await alice.inline_query("", chat_type="group")
    offered = (await alice.inline_answer()).result_ids
    async with tg.db.session() as session:
        cases = (await session.exec(select(Case))).all()
    assert sorted(offered) == sorted(f"case-{case.id}" for case in cases if case.is_open)
    await alice.inline_query("no such person anywhere")
    assert (await alice.inline_answer()).results == ()


async def test_inline_results_are_in_the_persons_language(tg):
    ivan = tg.user("Ivan", language_code="ru")
    await ivan.inline_query("kharkova")
    [result] = (await ivan.inline_answer()).results
    assert result["title"].startswith("Лариса Харькова")
    assert "Следить за делом" in result["reply_markup"]["inline_keyboard"][0][0]["text"]

    # A stored /language choice wins over the app's language.
    bob = tg.user("Bob", language_code="en")
    await bob.send("/language")
    await bob.reply()
    await bob.press("Қазақша")
    await bob.reply()
    await bob.inline_query("kharkova")
    [result] = (await bob.inline_answer()).results
    assert not result["title"].startswith("Larisa"), result["title"]
