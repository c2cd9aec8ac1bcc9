"""The safety of people who sign, end to end through the Bot API server (SQLite and PostgreSQL):
the typed signature is deleted from the chat, a warning and [Sign anonymously] come before it,
a signature the PDF font cannot print is refused, a stray text gets an answer that knows the
step, and /forget leaves nothing in the database files (a coordinator is told what stays)."""

from __future__ import annotations

import logging

from test_letter_wizard import say, tap, wizard_buttons, wizard_row

from bot import wizard as wz
from bot.letters import Letter, build_pdf
from bot.sandbox.people import SimUser
from storage.models import AuditEntry, WizardState

NAME, CITY = "Quillon Marvaduke", "Zembrovka"  # found nowhere else in the bot or its content


async def _to_signature(user: SimUser, language: str = "English") -> None:
    """/write kharkova → the Prosecutor General → the language → the signature step."""
    await say(user, "/write kharkova", "Who do you want to write to?")
    await tap(user, "Zhakyp Assanov", "In which language")
    await tap(user, language, "How do you want to sign")


def _typed(user: SimUser, text: str):
    return next(m for m in user.history if not m.from_bot and m.text == text)


async def test_typed_signature_is_deleted_and_the_bot_says_so(tg):
    alice = tg.user("Alice")
    await say(alice, "/write kharkova", "Who do you want to write to?")
    await tap(alice, "Zhakyp Assanov", "In which language")
    prompt = await tap(alice, "English", "How do you want to sign")
    # The warning comes right above [Sign anonymously].
    assert prompt.text.splitlines()[-1] == ("⚠️ If you live in or travel to Kazakhstan, "
                                            "consider signing with your initials or "
                                            "anonymously.")
    assert prompt.has_button("Sign anonymously")

    await say(alice, f"{NAME}, {CITY}", "How will you send it?")
    assert _typed(alice, f"{NAME}, {CITY}").deleted
    note = alice.message(prompt.message_id)
    assert f"You sign this letter as: {NAME}, {CITY}" in note.text
    assert "I deleted your message with your name from this chat" in note.text
    assert not note.buttons

    # Telegram refuses the deletion (too old …): the bot says so, honestly.
    await tap(alice, "Back", "How do you want to sign")
    await tg.idle()  # the draft's buttons go right after the prompt is shown
    tg.server.fail("deleteMessage", 400, description="Bad Request: message can't be deleted")
    await say(alice, "Jo Q", "How will you send it?")
    assert not _typed(alice, "Jo Q").deleted
    assert any("I could not delete your message with your name" in m.text and
               "delete it yourself" in m.text for m in alice.messages)

    privacy = await say(alice, "/privacy", "What I keep about you")
    assert "I delete your message from the chat as soon as I have read it" in privacy.text


async def test_warning_and_notes_in_russian(tg):
    boris = tg.user("Boris", language_code="ru")
    await say(boris, "/write kharkova", "Кому вы хотите написать?")
    await tap(boris, "Zhakyp Assanov", "")
    prompt = await tap(boris, "Русский", "Как вы хотите его подписать?")
    assert "(Казахстан)" in prompt.text and prompt.has_button("Подписать анонимно")
    await say(boris, "Иван Петров, Алматы", "Как вы его отправите?")
    assert "удалил из этого чата ваше сообщение" in boris.message(prompt.message_id).text


async def test_signature_the_font_cannot_print_is_refused_before_the_draft(tg):
    alice = tg.user("Alice")
    await _to_signature(alice)
    answer = await say(alice, "王小明, 北京", "cannot print some of the characters")
    assert "王" in answer.text and "Latin or Cyrillic" in answer.text
    assert _typed(alice, "王小明, 北京").deleted  # refused, but gone from the chat all the same
    row = await wizard_row(tg, alice)
    assert row.step == wz.SIGNATURE and row.signer_name is None
    assert not any("Your letter to" in m.text for m in alice.messages)
    # Kazakh letters are in the font: accepted, and the PDF is made.
    draft = await say(alice, "Әлия Қасымова, Өскемен", "How will you send it?")
    await tap(alice, "Fax", "When you have sent it", draft)
    document = next(m.document for m in reversed(alice.messages) if m.document)
    assert document.data.startswith(b"%PDF")


def test_pdf_library_logs_no_glyphs(caplog):
    """fpdf2 would warn "missing the following glyphs: 王…" (and fontTools list glyphs)."""
    caplog.set_level(logging.DEBUG)
    letter = Letter(subject="Subject 王", body="Dear Sir,\n\n王小明 — 北京", language="en",
                    to_name="X", case_slug="c", authority_key="a")
    assert build_pdf(letter).startswith(b"%PDF")
    assert not any("王" in record.getMessage() or "北" in record.getMessage()
                   for record in caplog.records)


async def test_stray_text_gets_an_answer_that_knows_the_step(tg):
    alice = tg.user("Alice")
    step = await say(alice, "/write", "Which case do you want to write about?")
    hint = await say(alice, "hello", "You are writing a letter: pick a case below, or Cancel")
    assert hint.has_button("Cancel") and wizard_buttons(hint)
    await tg.idle()
    assert not alice.message(step.message_id).buttons  # one live panel: the latest
    await say(alice, "/write kharkova", "Who do you want to write to?")
    hint = await say(alice, "hello", "pick who to write to below")
    assert "Larisa Kharkova" in hint.text and hint.has_button("Zhakyp Assanov")
    await tap(alice, "Zhakyp Assanov", "In which language", hint)
    hint = await say(alice, "what now?", "You are writing to")
    assert "Zhakyp Assanov, Prosecutor General" in hint.text and "pick a language" in hint.text
    assert hint.has_button("English") and hint.has_button("Cancel")
    await tap(alice, "English", "How do you want to sign", hint)
    assert (await wizard_row(tg, alice)).step == wz.SIGNATURE
    assert not _typed(alice, "what now?").deleted  # only the signature step deletes

    boris = tg.user("Boris", language_code="ru")
    await say(boris, "/write kharkova", "Кому вы хотите написать?")
    await tap(boris, "Zhakyp Assanov", "")
    await say(boris, "привет", "Выберите язык ниже или нажмите «Отмена»")


def _files_hold(url: str, needle: bytes) -> bool:
    path = url.split("///", 1)[1]
    found = False
    for suffix in ("", "-wal"):
        try:
            with open(path + suffix, "rb") as handle:
                found = found or needle in handle.read()
        except FileNotFoundError:
            pass
    return found


async def test_forget_leaves_nothing_in_the_database_files(tg):
    alice = tg.user("Alice")
    await _to_signature(alice)
    await say(alice, f"{NAME}, {CITY}", "How will you send it?")  # stored in the wizard's row
    sqlite = tg.database_url.startswith("sqlite")
    if sqlite:
        assert _files_hold(tg.database_url, NAME.encode())  # the check can see it…
    await say(alice, "/forget", "Delete everything")
    await tap(alice, "Yes, delete", "deleted everything")
    await tg.idle()
    async with tg.db.session() as session:
        assert await session.get(WizardState, alice.id) is None
    if sqlite:  # … and after /forget it is gone from the file and from the WAL
        assert not _files_hold(tg.database_url, NAME.encode())
        assert not _files_hold(tg.database_url, CITY.encode())


async def test_a_coordinators_forget_says_what_stays(tg):
    owner = tg.owner()
    await say(owner, "/addcoordinator 424242", "")
    question = await say(owner, "/forget", "Delete everything")
    assert "what I cannot delete" in question.text and "audit log" in question.text
    done = await tap(owner, "Yes, delete", "Done.", question)
    assert "1 audit entry is kept, as “a former team member”" in done.text
    async with tg.db.session() as session:
        from sqlmodel import select
        actors = {row.actor_id for row in (await session.exec(select(AuditEntry))).all()}
    assert owner.id not in actors and actors == {0}
    audit = await say(owner, "/audit", "Audit log")
    assert "a former team member" in audit.text and str(owner.id) not in audit.text

    alice = tg.user("Alice")  # a supporter's /forget has no coordinator's note
    question = await say(alice, "/forget", "Delete everything")
    assert "what I cannot delete" not in question.text
