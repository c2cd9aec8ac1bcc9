"""The letter wizard, end to end through the Bot API server (SQLite and PostgreSQL), plus its
pure step logic (bot/wizard.py) with plain calls."""

from __future__ import annotations

import asyncio
import email
import email.policy
from types import SimpleNamespace

import pytest
from helpers_cases import OPEN_CASE_PAGES, turn_to
from sqlmodel import select

from bot import wizard as wz
from bot.letters import Signer, render_letter
from content.schema import Authority as AuthorityDoc
from content.schema import Case as CaseDoc
from handlers import keyboards as kb
from storage.authorities import get_authority
from storage.letters import count_letters, letter_counts
from storage.models import Case, LetterAction, Supporter, WizardState

# --------------------------------------------------------------------------- helpers


async def until(predicate, timeout: float = 10.0, what: str = "condition", user=None):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    await asyncio.sleep(0)
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n" + (user.dump() if user else ""))
        await asyncio.sleep(0.01)


def last_text(user) -> str:
    message = user.last_message()
    return message.text if message else ""


async def _answer(user, wait_for: str):
    """The first bot message sent or edited since the user's action that contains
    ``wait_for``, as it is now."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        message = await user.reply(timeout=max(0.01, deadline - loop.time()))
        if wait_for in message.text:
            return user.message(message.message_id)


async def tap(user, label: str, wait_for: str, message=None):
    """Press a button and wait for the bot's answer that contains ``wait_for``."""
    await user.press(label, message)
    return await _answer(user, wait_for)


async def say(user, text: str, wait_for: str):
    await user.send(text)
    return await _answer(user, wait_for)


async def refused(tg, user, data: str, message=None) -> str:
    """Press forged/stale data; the bot answers the press and sends or edits nothing."""
    before = [(m.message_id, m.edited, m.deleted) for m in user.messages]
    query_id = await user.press_data(data, message)
    await until(lambda: any(a.query_id == query_id for a in user.callback_answers),
                what=f"an answer to {data!r}", user=user)
    await tg.settled()
    assert [(m.message_id, m.edited, m.deleted) for m in user.messages] == before, data
    answer = next(a for a in user.callback_answers if a.query_id == query_id)
    assert answer.text and answer.show_alert, data
    return answer.text


async def wizard_row(tg, user) -> WizardState | None:
    await tg.settled()  # the bot notes its latest message id right after sending it
    async with tg.db.session() as session:
        return await session.get(WizardState, user.id)


async def letter_rows(tg) -> list[LetterAction]:
    async with tg.db.session() as session:
        return list((await session.exec(select(LetterAction).order_by(LetterAction.id))).all())


async def expected_letter(tg, slug: str, key: str, language: str, signer: Signer):
    async with tg.db.session() as session:
        case = (await session.exec(select(Case).where(Case.slug == slug))).one()
        authority = await get_authority(session=session, key=key)
    return render_letter(CaseDoc.model_validate(case.data), authority, language, signer)


async def open_card(user, title: str):
    listing = await say(user, "/cases", "Cases")
    return await tap(user, title, "Who:", await turn_to(user, title, listing))


def wizard_buttons(message) -> list[str]:
    return [b["callback_data"] for b in message.flat_buttons
            if b.get("callback_data", "").startswith("lw:")]


def assert_wizard_data(message, nonce: str) -> None:
    for data in wizard_buttons(message):
        assert len(data.encode()) <= 64
        assert data.startswith(f"lw:{nonce}:"), data


# --------------------------------------------------------------------------- e-mail, from a card


async def test_email_letter_from_a_case_card(tg):
    alice = tg.user("Alice")
    card = await open_card(alice, "Larisa Kharkova")
    step = await tap(alice, "Write a letter", "Who do you want to write to?")
    assert step.message_id > card.message_id  # a new message: the card stays as it was
    assert alice.message(card.message_id).text == card.text
    assert alice.message(card.message_id).buttons == card.buttons
    assert "embassy in their own country" in step.text  # write_to_embassy
    labels = step.button_texts
    assert any("Kalmukhanbet Kassymov" in label and "✉️" in label for label in labels)
    assert any("Nursultan Nazarbayev" in label and "📠" in label for label in labels)
    row = await wizard_row(tg, alice)
    assert row.step == wz.ADDRESSEE and row.signer_name is None
    assert_wizard_data(step, row.nonce)

    await tap(alice, "Kalmukhanbet Kassymov", "In which language")
    await tap(alice, "English", "How do you want to sign")
    draft = await say(alice, "Jane Doe, Berlin", "How will you send it?")
    assert "Jane Doe, Berlin" in (await wizard_row(tg, alice)).signer_name + ", Berlin"

    letter = await expected_letter(tg, "kharkova", "kz-interior-minister", "en",
                                   Signer("Jane Doe", "Berlin"))
    shown = "\n".join(m.text for m in alice.messages[-3:])
    assert letter.subject in shown and letter.body in shown  # whole, never cut
    assert f"<code>{letter.subject}</code>" in "".join(m.html or "" for m in alice.messages)
    assert "<pre>" in draft.html
    assert draft.has_button("✉️ Email") and not draft.has_button("Fax")

    helper = await tap(alice, "Email", "When you have sent it", draft)
    assert "Kense@mvd.kz" in helper.text and letter.subject in helper.text
    document = next(m.document for m in reversed(alice.messages) if m.document)
    assert document.filename.endswith(".eml")
    parsed = email.message_from_bytes(document.data, policy=email.policy.default)
    assert parsed["To"] == "Kense@mvd.kz"
    assert parsed["Subject"] == letter.subject
    assert parsed.get_content().replace("\r\n", "\n").strip() == letter.body.strip()

    thanks = await tap(alice, "I sent it", "Thank you!")
    assert "1st person to write to Kalmukhanbet Kassymov" in thanks.text
    assert "about Larisa Kharkova" in thanks.text
    assert not any("Kassymov" in label for label in thanks.button_texts)  # next: the others
    assert thanks.has_button("Nursultan Nazarbayev")
    case_id = (await letter_rows(tg))[0].case_id
    assert {kb.data(kb.SHARE, case_id), kb.data(kb.REPLY, case_id),
            kb.data(kb.CASE_CARD, case_id)} <= {b.get("callback_data") for b in
                                                 thanks.flat_buttons}
    await tg.settled()  # the buttons of the message left go right after the next one
    assert not alice.message(helper.message_id).buttons  # the help it leaves is inert
    assert not wizard_buttons(alice.message(draft.message_id))

    [action] = await letter_rows(tg)
    assert (action.authority_key, action.channel, action.language, action.supporter_id) == (
        "kz-interior-minister", "email", "en", alice.id)
    # Never the text, never the signature.
    assert set(action.model_dump()) == {"id", "case_id", "authority_key", "channel",
                                        "language", "supporter_id", "created_at"}
    assert not any("Jane" in str(value) or "Berlin" in str(value)
                   for value in action.model_dump().values())
    row = await wizard_row(tg, alice)
    assert row.step == wz.SENT and row.signer_name is None and row.signer_city is None

    # The next addressee: same case and language, a fresh signature.
    await tap(alice, "Nursultan Nazarbayev", "How do you want to sign")
    assert thanks.message_id in {m.message_id for m in alice.messages if "Thank you!" in m.text}
    await tg.settled()  # the buttons of the message left go right after the next one
    left = alice.message(thanks.message_id)  # keeps its next steps, not the wizard's buttons
    assert not wizard_buttons(left) and left.has_button("Share the case")
    draft = await tap(alice, "Sign anonymously", "How will you send it?")
    assert "A concerned member of the public" in "\n".join(m.text for m in alice.messages[-3:])
    await tap(alice, "Fax", "When you have sent it", draft)
    done = await tap(alice, "I sent it", "Thank you!")
    await alice.press("Done", done)
    await until(lambda: not wizard_buttons(alice.message(done.message_id)), user=alice)
    assert alice.message(done.message_id).has_button("Back to the case")
    async with tg.db.session() as session:
        counts = await letter_counts(session=session)
    assert sorted((c.authority_key, c.letters) for c in counts) == [
        ("kz-interior-minister", 1), ("kz-president", 1)]


# --------------------------------------------------------------------------- fax, post, web form


async def test_fax_from_write_command_in_russian(tg):
    bob = tg.user("Bob")
    step = await say(bob, "/write", "Which case do you want to write about?")
    listing = await turn_to(bob, "Larisa Kharkova", step)
    await tap(bob, "Larisa Kharkova", "Who do you want to write to?", listing)
    await tap(bob, "Zhakyp Assanov", "In which language")
    await tap(bob, "Русский", "How do you want to sign")
    draft = await tap(bob, "Sign anonymously", "How will you send it?")
    assert any("You sign this letter anonymously" in m.text for m in bob.messages)
    letter = await expected_letter(tg, "kharkova", "kz-prosecutor-general", "ru", Signer())
    assert letter.body in "\n".join(m.text for m in bob.messages[-3:])

    helper = await tap(bob, "Fax", "When you have sent it", draft)
    assert "+7 7172 506 402" in helper.text
    document = next(m.document for m in reversed(bob.messages) if m.document)
    assert document.filename.endswith(".pdf") and document.data.startswith(b"%PDF")
    await tap(bob, "I sent it", "1st person to write to Zhakyp Assanov")
    [action] = await letter_rows(tg)
    assert (action.channel, action.language) == ("fax", "ru")


async def test_post_and_web_form(tg):
    carol = tg.user("Carol")
    await say(carol, "/write abdirova", "Who do you want to write to?")
    await tap(carol, "Jean-Claude Juncker", "In which language")
    await tap(carol, "English", "How do you want to sign")
    draft = await tap(carol, "Sign anonymously", "How will you send it?")
    assert draft.button_texts[0] == "📮 Post"
    helper = await tap(carol, "Post", "When you have sent it", draft)
    assert "Rue de la Loi / Wetstraat 200, 1049 Brussels, Belgium" in helper.text
    document = next(m.document for m in reversed(carol.messages) if m.document)
    assert document.data.startswith(b"%PDF") and document.mime == "application/pdf"
    await tap(carol, "I sent it", "1st person")

    documents = sum(1 for m in carol.messages if m.document)
    await say(carol, "/write mamay", "Who do you want to write to?")
    await tap(carol, "Rex Tillerson", "In which language")
    await tap(carol, "English", "How do you want to sign")
    draft = await tap(carol, "Sign anonymously", "How will you send it?")
    helper = await tap(carol, "Web form", "When you have sent it", draft)
    [url_button] = [b for b in helper.flat_buttons if "url" in b]
    assert url_button["url"] == "https://register.state.gov/contactus/contactusform"
    assert url_button["url"].startswith(("http://", "https://"))
    assert sum(1 for m in carol.messages if m.document) == documents  # no file for a web form
    await tap(carol, "I sent it", "1st person to write to Rex Tillerson")
    assert [(a.authority_key, a.channel) for a in await letter_rows(tg)] == [
        ("european-commission", "post"), ("us-secretary-of-state", "web")]


# --------------------------------------------------------------------------- ✓ marks and counts


async def test_marks_and_running_count_across_people(tg):
    alice, bob = tg.user("Alice"), tg.user("Bob")
    for person in (alice, bob):
        await say(person, "/write kharkova", "Who do you want to write to?")
        await tap(person, "Zhakyp Assanov", "In which language")
        await tap(person, "English", "How do you want to sign")
        draft = await tap(person, "Sign anonymously", "How will you send it?")
        await tap(person, "Fax", "When you have sent it", draft)
        await tap(person, "I sent it", "Thank you!")
    assert "1st person to write to Zhakyp Assanov" in next(
        m.text for m in alice.messages if "Thank you!" in m.text)
    assert "2nd person to write to Zhakyp Assanov (Prosecutor General of the Republic of " \
           "Kazakhstan) about Larisa Kharkova" in last_text(bob)

    step = await say(alice, "/write kharkova", "Who do you want to write to?")
    marked = [label for label in step.button_texts if label.startswith("✓")]
    assert len(marked) == 1 and "Zhakyp Assanov" in marked[0]
    assert "you already wrote to them" in step.text
    # Another case: no mark (written-to is per case).
    step = await say(alice, "/write narymbaev", "Who do you want to write to?")
    assert not any(label.startswith("✓") for label in step.button_texts)
    async with tg.db.session() as session:
        case_id = (await letter_rows(tg))[0].case_id
        assert await count_letters(session=session, case_id=case_id,
                                   authority_key="kz-prosecutor-general") == 2
        assert [(c.authority_key, c.letters) for c in
                await letter_counts(session=session, case_id=case_id)] == [
            ("kz-prosecutor-general", 2)]


# --------------------------------------------------------------------------- restart


async def test_restart_mid_wizard_continues_on_the_old_message(tg):
    alice = tg.user("Alice")
    step = await say(alice, "/write", "Which case")
    await tap(alice, "Larisa Kharkova", "Who do you want to write to?",
              await turn_to(alice, "Larisa Kharkova", step))
    await tg.restart()
    await tap(alice, "Kalmukhanbet Kassymov", "In which language", step)
    await tg.restart()
    await tap(alice, "English", "How do you want to sign", step)
    await tg.restart()
    draft = await say(alice, "Jane Doe, Berlin", "How will you send it?")
    assert alice.message(step.message_id).text.startswith("✍️ You sign this letter as")
    await tg.restart()
    await tap(alice, "Email", "When you have sent it", draft)
    await tg.restart()
    await tap(alice, "I sent it", "1st person to write to Kalmukhanbet Kassymov")
    assert len(await letter_rows(tg)) == 1


# --------------------------------------------------------------------------- forged and stale


async def test_forged_and_stale_buttons_change_nothing(tg):
    alice = tg.user("Alice")
    step = await say(alice, "/write kharkova", "Who do you want to write to?")
    row = await wizard_row(tg, alice)
    nonce = row.nonce
    async with tg.db.session() as session:
        closed = (await session.exec(select(Case).where(Case.slug == "kadyr-kassyet"))).one()
    answers = [
        await refused(tg, alice, f"lw:{nonce}:a:pace", step),  # not in this case's list
        await refused(tg, alice, f"lw:{nonce}:a:no-such-authority", step),
        await refused(tg, alice, f"lw:{nonce}:a:us-secretary-of-state", step),
        await refused(tg, alice, f"lw:{nonce}:l:en", step),  # not this step
        await refused(tg, alice, f"lw:{nonce}:d:email", step),
        await refused(tg, alice, f"lw:{nonce}:c:{closed.id}", step),
        await refused(tg, alice, f"lw:{nonce}:c:{'9' * 40}", step),  # beyond any integer column
        await refused(tg, alice, "lw:AAAAAAAA:a:kz-president", step),  # wrong nonce
        await refused(tg, alice, f"lw:{nonce}:z", step),  # unknown action
        await refused(tg, alice, f"lw:{nonce}", step),
        await refused(tg, alice, "lw:" + "x" * 61, step),
    ]
    assert "not one this appeal lists" in answers[0]
    assert "does not fit this step" in answers[3]
    assert "earlier step or an earlier letter" in answers[7]
    assert "not valid" in answers[8]
    assert (await wizard_row(tg, alice)).model_dump() == row.model_dump()
    assert await letter_rows(tg) == []

    # A new wizard replaces the old one: the old message's buttons are stale.
    await say(alice, "/write kharkova", "Who do you want to write to?")
    new_row = await wizard_row(tg, alice)
    assert new_row.nonce != nonce
    await tg.settled()  # the buttons of the message left go right after the next one
    assert not alice.message(step.message_id).buttons  # the old wizard's buttons are gone
    text = await refused(tg, alice, step.callback_data("Zhakyp Assanov"), step)
    assert "earlier step or an earlier letter" in text
    assert (await wizard_row(tg, alice)).model_dump() == new_row.model_dump()

    # Going on from a step makes that step's buttons stale too (a double tap counts once).
    current = alice.last_message()
    await tap(alice, "Zhakyp Assanov", "In which language", current)
    await refused(tg, alice, current.callback_data("Zhakyp Assanov"), current)

    # At the case step: a closed case, a case that does not exist, an absurd id or page.
    await say(alice, "/write", "Which case do you want to write about?")
    nonce = (await wizard_row(tg, alice)).nonce
    assert "closed" in await refused(tg, alice, f"lw:{nonce}:c:{closed.id}")
    assert "no longer available" in await refused(tg, alice, f"lw:{nonce}:c:999999")
    assert "no longer available" in await refused(tg, alice, f"lw:{nonce}:c:{'9' * 40}")
    await tap(alice, "Next", f"Page 2 of {OPEN_CASE_PAGES}")
    last = await tap(alice, "Cancel", "Letter cancelled")
    assert not last.buttons

    # No wizard at all.
    bob = tg.user("Bob")
    await say(bob, "/cases", "Cases")
    text = await refused(tg, bob, f"lw:{nonce}:x")
    assert "/write" in text
    async with tg.db.session() as session:
        assert await session.get(Supporter, bob.id) is None


# --------------------------------------------------------------------------- signature


async def test_signature_is_checked_and_escaped(tg):
    alice = tg.user("Alice")
    await say(alice, "/write kharkova", "Who do you want to write to?")
    await tap(alice, "Zhakyp Assanov", "In which language")
    await tap(alice, "English", "How do you want to sign")
    for bad in ("Jane\u202eDoe, Berlin", "Jane\tDoe, Berlin"):
        await say(alice, bad, "invisible or control characters")
        await tg.settled()
        answer = alice.last_message()  # the new prompt: the one before lost its buttons
        assert "invisible or control characters" in answer.text
        assert answer.has_button("Sign anonymously")
        assert sum(1 for m in alice.messages if wizard_buttons(m)) == 1
        assert (await wizard_row(tg, alice)).step == wz.SIGNATURE
    answer = await say(alice, "J" * 200, "too long")
    assert (await wizard_row(tg, alice)).signer_name is None

    draft = await say(alice, "<b>Jane</b> & co, Berlin", "How will you send it?")
    shown = "\n".join(m.text for m in alice.messages[-4:])
    assert "<b>Jane</b> & co\nBerlin" in shown  # literally, not as markup
    assert "You sign this letter as: <b>Jane</b> & co, Berlin" in shown
    assert "&lt;b&gt;Jane&lt;/b&gt; &amp; co" in (draft.html or "")
    assert (await wizard_row(tg, alice)).signer_name == "<b>Jane</b> & co"

    # Every text typed at the signature step was deleted from the chat once read.
    typed = [m for m in alice.history if not m.from_bot and not m.text.startswith("/")]
    assert len(typed) == 4 and all(m.deleted for m in typed)

    # Text at another step gets an answer that knows the step, with that step's buttons.
    hint = await say(alice, "hello?", "is ready: pick how to send it below")
    assert "Zhakyp Assanov" in hint.text and hint.has_button("Fax")
    await tg.settled()  # the buttons of the message left go right after the next one
    assert not wizard_buttons(alice.message(draft.message_id))  # one live panel
    assert (await wizard_row(tg, alice)).step == wz.DRAFT
    assert not next(m for m in alice.history if m.text == "hello?").deleted


# --------------------------------------------------------------------------- back and cancel


async def test_back_and_cancel_at_every_step(tg):
    alice = tg.user("Alice")
    await open_card(alice, "Larisa Kharkova")
    await tap(alice, "Write a letter", "Who do you want to write to?")
    step = await tap(alice, "Back", "Which case do you want to write about?")
    assert step.has_button("Cancel") and not step.has_button("Back")
    assert (await wizard_row(tg, alice)).case_id is None
    await tap(alice, "Larisa Kharkova", "Who do you want to write to?",
              await turn_to(alice, "Larisa Kharkova", step))
    await tap(alice, "Zhakyp Assanov", "In which language")
    await tap(alice, "Back", "Who do you want to write to?")
    assert (await wizard_row(tg, alice)).authority_key is None
    await tap(alice, "Zhakyp Assanov", "In which language")
    await tap(alice, "English", "How do you want to sign")
    await tap(alice, "Back", "In which language")
    assert (await wizard_row(tg, alice)).language is None
    await tap(alice, "English", "How do you want to sign")
    draft = await say(alice, "Jane, Berlin", "How will you send it?")
    prompt = await tap(alice, "Back", "How do you want to sign", draft)
    await tg.settled()  # the buttons of the message left go right after the next one
    assert prompt.message_id != draft.message_id and not alice.message(draft.message_id).buttons
    assert "Jane" in alice.message(draft.message_id).text  # the draft stays for copying
    assert (await wizard_row(tg, alice)).signer_name is None
    draft = await tap(alice, "Sign anonymously", "How will you send it?")
    helper = await tap(alice, "Fax", "When you have sent it", draft)
    await tg.settled()  # the draft loses its buttons right after the help is shown
    menu = await tap(alice, "Back", "How will you send it?", helper)  # the ways of sending
    await tg.settled()  # the buttons of the message left go right after the next one
    assert not alice.message(helper.message_id).buttons  # the help stays, inert
    cancelled = await tap(alice, "Cancel", "Letter cancelled", menu)
    assert await wizard_row(tg, alice) is None and await letter_rows(tg) == []
    await tg.settled()  # the buttons of the message left go right after the next one
    assert not cancelled.buttons and not alice.message(menu.message_id).buttons
    text = await refused(tg, alice, helper.callback_data("I sent it"), helper)
    assert "no longer in progress" in text


# --------------------------------------------------------------------------- closed cases


async def test_closed_case_is_not_offered(tg):
    alice = tg.user("Alice")
    step = await say(alice, "/write", "Which case do you want to write about?")
    titles = list(step.button_texts)
    page = 1
    while step.has_button("Next"):
        page += 1
        step = await tap(alice, "Next", f"Page {page} of")
        titles += step.button_texts
        assert page < 10
    assert any("Larisa Kharkova" in title for title in titles)
    assert not any("Kadyr-Kassyet" in title or "closed" in title for title in titles)

    await say(alice, "/write kadyr-kassyet", "is closed: no letter is needed")
    async with tg.db.session() as session:
        closed = (await session.exec(select(Case).where(Case.slug == "kadyr-kassyet"))).one()
        open_case = (await session.exec(select(Case).where(Case.slug == "kharkova"))).one()
    card = await open_card(alice, "Larisa Kharkova")
    query_id = await alice.press_data(f"{kb.WRITE}:{closed.id}", card)
    await until(lambda: any(a.query_id == query_id for a in alice.callback_answers))
    answer = next(a for a in alice.callback_answers if a.query_id == query_id)
    assert answer.show_alert and "closed" in answer.text
    await until(lambda: "no letter is needed" in last_text(alice), user=alice)
    assert not alice.last_message().has_button("Write a letter")

    # A case closed by a coordinator mid-wizard ends the wizard at the next press.
    await say(alice, "/write kharkova", "Who do you want to write to?")
    async with tg.db.session() as session:
        row = await session.get(Case, open_case.id)
        row.closed_at = row.updated_at
        session.add(row)
    await tap(alice, "Zhakyp Assanov", "no letter is needed any more")
    assert await wizard_row(tg, alice) is None


# --------------------------------------------------------------------------- /forget


async def test_forget_keeps_the_count_but_unlinks_it(tg):
    alice = tg.user("Alice")
    await say(alice, "/write kharkova", "Who do you want to write to?")
    await tap(alice, "Zhakyp Assanov", "In which language")
    await tap(alice, "English", "How do you want to sign")
    draft = await tap(alice, "Sign anonymously", "How will you send it?")
    await tap(alice, "Fax", "When you have sent it", draft)
    await tap(alice, "I sent it", "Thank you!")
    await say(alice, "/write kharkova", "Who do you want to write to?")  # a wizard in progress
    await say(alice, "/forget", "Delete everything")
    await tap(alice, "Yes, delete", "deleted everything")
    [action] = await letter_rows(tg)
    assert action.supporter_id is None and action.authority_key == "kz-prosecutor-general"
    assert await wizard_row(tg, alice) is None
    async with tg.db.session() as session:
        assert [c.letters for c in await letter_counts(session=session)] == [1]

    # Unlinked: writing again shows no ✓, and the count goes on.
    step = await say(alice, "/write kharkova", "Who do you want to write to?")
    assert not any(label.startswith("✓") for label in step.button_texts)
    await tap(alice, "Zhakyp Assanov", "In which language")
    await tap(alice, "English", "How do you want to sign")
    draft = await tap(alice, "Sign anonymously", "How will you send it?")
    await tap(alice, "Fax", "When you have sent it", draft)
    await tap(alice, "I sent it", "2nd person")


# --------------------------------------------------------------------------- pure step logic

AUTH = {
    "fax": AuthorityDoc(key="fax-only", name="Ann Fax", role="Fax office", as_of="2017",
                        salutation={"en": "Dear A,", "ru": "Уважаемый А!"}, faxes=["+7 7172 506 402"]),
    "none": AuthorityDoc(key="phones-only", name="Bob Phone", role="Phone office", as_of="2017",
                         salutation={"en": "Dear B,", "ru": "Уважаемый Б!"},
                         phones=["+43 1 401 10 3660"]),
    # A redacted address that slipped past validation is never a way to write.
    "redacted": AuthorityDoc.model_construct(
        key="redacted", name="Cy Redacted", role="Redacted office", salutation=None,
        emails=["[email protected]"], faxes=[], phones=[], postal_address=None, web_form=None),
}


def _case(**changes) -> CaseDoc:
    values = {
        "slug": "test", "title": {"en": "A test case", "ru": "Тестовое дело"},
        "country": "Kazakhstan", "people": [{"name": "Jane Roe", "role": "Activist"}],
        "status": "open", "summary": {"en": "A summary long enough to pass validation."},
        "requested_actions": [{"en": "Release her.", "ru": "Освободить её."}],
        "addressees": ["fax-only", "phones-only", "redacted", "missing"],
        "letter_about": {"en": "Jane Roe", "ru": "Джейн Роу"},
        "letter_concern": {"en": "She is held.", "ru": "Она задержана."},
        "sources": [{"publisher": "Someone", "title": "A report"}],
    }
    values.update(changes)
    return CaseDoc.model_validate(values)


def _state(step: str, **fields) -> SimpleNamespace:
    values = {"step": step, "nonce": "n0nce123", "case_id": 1, "authority_key": None,
              "language": None, "signer_name": None, "signer_city": None}
    values.update(fields)
    return SimpleNamespace(**values)


def test_addressees_without_a_usable_channel_are_not_offered():
    options = wz.addressee_options(_case(), AUTH.values(), written={"fax-only"})
    assert [(o.key, o.channels, o.written) for o in options] == [("fax-only", ("fax",), True)]


def test_decide_walks_the_steps_and_refuses_what_does_not_fit():
    facts = wz.Facts(True, True, wz.addressee_options(_case(), AUTH.values(), set()))

    def press(action, arg=None, nonce="n0nce123"):
        return wz.Press(nonce, action, arg)

    assert wz.decide(_state(wz.ADDRESSEE), press("a", "fax-only"), facts).step == wz.LANGUAGE
    assert wz.decide(_state(wz.ADDRESSEE), press("a", "phones-only"), facts).reason == (
        "unknown_addressee")
    assert wz.decide(_state(wz.ADDRESSEE), press("a", "fax-only", "other"), facts).reason == (
        "stale")
    assert wz.decide(None, press("a", "fax-only"), facts).reason == "no_wizard"
    language = _state(wz.LANGUAGE, authority_key="fax-only")
    assert wz.decide(language, press("l", "de"), facts).reason == "unknown_language"
    assert wz.decide(language, press("n"), facts).reason == "wrong_step"
    back = wz.decide(language, press("b"), facts)
    assert (back.step, dict(back.changes)) == (wz.ADDRESSEE, {"authority_key": None})
    draft = _state(wz.DRAFT, authority_key="fax-only", language="en", signer_name="Jane")
    assert wz.decide(draft, press("h", "email"), facts).reason == "unknown_channel"
    assert wz.decide(draft, press("h", "fax"), facts).kind == "help"
    assert wz.decide(draft, press("h"), facts).kind == "menu"
    record = wz.decide(draft, press("d", "fax"), facts)
    assert record.kind == "record" and record.changes == {"signer_name": None,
                                                          "signer_city": None}
    closed = wz.Facts(True, False, facts.options)
    assert wz.decide(draft, press("d", "fax"), closed).ends
    sent = _state(wz.SENT, authority_key="fax-only", language="en")
    assert wz.decide(sent, press("a", "fax-only"), facts).step == wz.SIGNATURE
    signature = _state(wz.SIGNATURE, authority_key="fax-only", language="en")
    assert wz.decide_signature(signature, "Jane, Berlin", facts).changes == {
        "signer_name": "Jane", "signer_city": "Berlin"}
    assert wz.decide_signature(signature, "x\x00", facts).reason == "bad_signature"
    assert wz.decide_signature(language, "Jane", facts).kind == "pass"


@pytest.mark.parametrize("number, text", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"),
                                          (11, "11th"), (12, "12th"), (13, "13th"),
                                          (21, "21st"), (37, "37th"), (101, "101st"),
                                          (111, "111th"), (112, "112th")])
def test_ordinal(number, text):
    assert wz.ordinal(number) == text


def test_callback_data_fits_and_parses():
    longest = "k" * 48
    data = kb.wizard_data("Ab3_-xYz", wz.PICK_ADDRESSEE, longest)
    assert len(data.encode()) <= 64
    assert kb.parse_wizard_data(data) == wz.Press("Ab3_-xYz", "a", longest)
    for bad in ("lw:Ab3_-xYz:q", "lw:Ab3:a:x", "lw:Ab3_-xYz:a:", "lw:Ab3_-xYz:a:x:y",
                "lw:Ab3_-xYz:a:" + "k" * 49, "cc:1", "", None):
        assert kb.parse_wizard_data(bad) is None, bad


def test_long_letter_is_split_at_paragraphs_never_cut():
    case = _case(requested_actions=[{"en": f"Action number {i}: " + "word " * 60,
                                     "ru": "действие " * 10} for i in range(30)])
    letter = render_letter(case, AUTH["fax"], "en", Signer("Jane", None))
    messages = wz.draft_messages(letter, AUTH["fax"], "en")
    assert len(messages) > 1
    assert all(wz.plain_length(m) <= 4096 for m in messages)
    pieces = [chunk.split("</pre>")[0] for m in messages for chunk in m.split("<pre>")[1:]]
    from html import unescape
    assert "\n\n".join(unescape(p) for p in pieces).split() == letter.body.split()
