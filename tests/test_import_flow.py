"""End to end through the Bot API server: an appeal pasted in chat becomes a draft, is edited
field by field, survives a restart, is published and seen by a supporter; appeals sent as .txt,
.html and .pdf documents; /exportcase gives a file that loads back unchanged."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from sqlmodel import select

from content.loader import load_library, parse_case
from content.schema import Case as CaseDoc
from storage.models import AuditEntry, Case, CaseDraft

SEED = Path("/work/shared/seeds/000_2f7a333505a0a355.txt")
FIXTURES = Path(__file__).parent / "fixtures" / "appeals"


async def _set(owner, data: str, text: str) -> str:
    await owner.press_data(data)
    await owner.reply()
    await owner.send(text)
    return (await owner.reply()).text


async def _paste(owner, text: str) -> int:
    """Paste ``text`` as Telegram lets a person: messages of at most 4096 characters."""
    chunks, chunk = [], ""
    for line in text.splitlines(keepends=True):
        if len(chunk) + len(line) > 4000:
            chunks.append(chunk)
            chunk = ""
        chunk += line
    chunks.append(chunk)
    for chunk in chunks:
        await owner.send(chunk)
        assert "characters so far" in (await owner.reply()).text
    return len(chunks)


async def _next_draft(owner) -> str:
    """The next draft card the bot shows (after its "Reading …" line)."""
    while True:
        text = (await owner.reply()).text
        if "Draft case" in text:
            return text


async def test_paste_edit_publish_and_a_supporter_sees_it(tg):
    owner, alice = tg.owner(), tg.user("Alice")
    await alice.send("/import")  # coordinators only
    assert "not available" in (await alice.reply()).text
    await owner.send("/import")
    assert "Paste" in (await owner.reply()).text
    assert await _paste(owner, SEED.read_text()) > 1  # several messages, joined until Done
    await owner.press("Done")
    card = (await owner.reply()).text
    assert "KAZ 003 / 1017 / OBS 107" in card and "kharkova-2" in card
    assert "Not found in the text: act-before date" in card
    assert "Already in the directory (reused): kz-president" in card
    assert "Before publishing" in card

    await tg.restart()  # the draft is in the database
    await owner.press_data("ce:f:slug")
    await owner.reply()
    await owner.send("bad slug!")  # refused with the schema's message; nothing changes
    assert "Not changed" in (await owner.reply()).text
    await owner.send("kharkova-import")
    assert "kharkova-import" in (await owner.reply()).text
    await _set(owner, "ce:l:title:ru", "Лариса Харькова: судебное преследование")
    await _set(owner, "ce:f:people", "Larisa Kharkova — President of KNPRK")
    await _set(owner, "ce:l:summary:en", "A trade union leader convicted after her "
               "confederation was shut down; her family was threatened.")
    await _set(owner, "ce:l:actions:ru", "\n".join(f"Действие номер {n}." for n in range(1, 7)))
    await _set(owner, "ce:l:about:en", "Larisa Kharkova")
    await _set(owner, "ce:l:about:ru", "Ларисы Харьковой")
    await _set(owner, "ce:l:concern:en", "I am concerned that she is punished for union work.")
    card = await _set(owner, "ce:l:concern:ru", "Меня тревожит преследование за профсоюзную "
                      "работу.")
    assert "Ready to publish" in card
    await owner.press("Publish")
    done = (await owner.reply()).text
    assert "Case added" in done and "start=kharkova-import" in done
    await alice.send("/start kharkova-import")
    assert "Larisa Kharkova" in (await alice.reply()).text
    async with tg.db.session() as session:
        [case] = (await session.exec(select(Case).where(Case.slug == "kharkova-import"))).all()
        assert case.origin == "upload" and len(case.data["requested_actions"]) == 6
        assert len(case.data["addressees"]) == 7
        assert (await session.get(CaseDraft, owner.id)) is None
        actions = (await session.exec(select(AuditEntry.action))).all()
        assert "publish_case" in actions

    await owner.send("/exportcase kharkova-import")
    exported = (await owner.reply()).document
    assert exported.filename == "kharkova-import.yaml"
    library, _ = load_library()
    loaded, errors = parse_case(exported.data, exported.filename, library.authorities)
    assert errors == [] and loaded == CaseDoc.model_validate(case.data)


async def test_documents_and_new_authorities(tg):
    owner = tg.owner()
    await owner.send_document("ua.txt", (FIXTURES / "amnesty_ua.txt").read_bytes())
    card = await _next_draft(owner)
    assert "UA 123/19" in card and "Gizat Testbekov is new" in card
    await owner.press("Complete Gizat")
    form = (await owner.reply()).text
    assert "salutation en: Dear Prosecutor General" in form
    await owner.send("name: Gizat Testbekov\nrole: Prosecutor General\nsalutation en: Dear "
                     "Prosecutor General,\nsalutation ru: Уважаемый господин Генеральный "
                     "прокурор!\nfax: +7 7172 71 29 00\nemail: info@prokuror.test.kz\n"
                     "as of: 2019-03-05")
    assert "is in the directory as gizat-testbekov" in (await owner.reply()).text
    assert "gizat-testbekov" in await _next_draft(owner)  # the draft, with it as addressee
    async with tg.db.session() as session:
        draft = await session.get(CaseDraft, owner.id)
        assert "gizat-testbekov" in draft.data["addressees"] and not draft.authorities

    await owner.send_document("appeal.html", (FIXTURES / "observatory.html").read_bytes())
    card = await _next_draft(owner)
    assert "KAZ 005 / 0619 / OBS 050" in card and "were dropped" in card

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    for line in (FIXTURES / "amnesty_ua.txt").read_text().splitlines():
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    await owner.send_document("ua.pdf", bytes(pdf.output()))
    assert "UA 123/19" in await _next_draft(owner)
    await owner.send_document("broken.pdf", b"%PDF-1.4 nothing")
    assert "could not read this PDF" in (await owner.reply()).text

    await owner.send("/import")  # two appeals in one paste: a button for each
    await owner.reply()
    await _paste(owner, SEED.read_text() + "\n\n" + (FIXTURES / "amnesty_ua.txt").read_text())
    await owner.press("Done")
    card = await _next_draft(owner)
    assert "This text holds 2 appeals; this draft is appeal 1" in card and "OBS 107" in card
    await owner.press("Appeal 2")
    assert "UA 123/19" in await _next_draft(owner)
    await owner.press("Publish")  # incomplete: the case file's own errors, nothing stored
    refused = (await owner.reply()).text
    assert "was not loaded" in refused and "summary" in refused
    async with tg.db.session() as session:
        assert (await session.exec(select(Case).where(Case.slug == "testov"))).first() is None

    # A coordinator who signs a letter while an import waits for text: the signature is the
    # letter's, not the paste's.
    await owner.send("/import")
    await owner.reply()
    await owner.send("/write kharkova")
    await owner.reply()
    await owner.press("Kalmukhanbet Kassymov")
    await owner.reply()
    await owner.press("English")
    await owner.reply()
    await owner.send("Jane Doe, Berlin")
    assert "You sign this letter as: Jane Doe" in (await owner.reply()).text
    await tg.idle()  # the draft follows the line above; let it arrive before the next command
    async with tg.db.session() as session:
        assert (await session.get(CaseDraft, owner.id)).paste == ""

    await owner.send("/editcase Kharkova")  # any capitalisation
    assert "Editing the case kharkova" in (await owner.reply()).text
    await _set(owner, "ce:f:act_before", "2017-10-20")
    await _set(owner, "ce:f:slug", "kharkova-renamed")
    await owner.press("Publish")
    assert "keeps its slug kharkova" in (await owner.reply()).text
    await _set(owner, "ce:f:slug", "kharkova")
    await owner.press("Publish")
    assert "Case updated" in (await owner.reply()).text
    async with tg.db.session() as session:
        [case] = (await session.exec(select(Case).where(Case.slug == "kharkova"))).all()
        assert case.data["act_before"] == "2017-10-20"
    await owner.send("/exportcase")
    assert "Which case?" in (await owner.reply()).text
    await owner.send("/exportcase nosuch")
    assert "There is no case nosuch" in (await owner.reply()).text

    await owner.send("/newcase")
    assert "Draft case" in (await owner.reply()).text
    await owner.press("Discard")
    assert "discarded" in (await owner.reply()).text
