"""[📬 I got a reply] end to end: consent first, then the authority's answer (text, forwarded
text, photo, document) is stored without who sent it; the card counts the replies; coordinators
read them with /replies (paged, escaped, files re-sent by file_id)."""

from __future__ import annotations

import asyncio
import struct
import zlib

from sqlmodel import select
from test_settings import answer_with, tap

from storage.models import AuthorityReply, Case, ReplyWait

SECRET_NAME = "Zhanna Secretname"
FORWARDER = "Aigerim Forwarder"  # who an answer was forwarded from: never stored


def png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


async def replies(tg) -> list[AuthorityReply]:
    async with tg.db.session() as session:
        return list((await session.exec(select(AuthorityReply).order_by(AuthorityReply.id))).all())


async def kharkova_id(tg) -> int:
    async with tg.db.session() as session:
        return (await session.exec(select(Case.id).where(Case.slug == "kharkova"))).one()


async def share(tg, user, card, send) -> None:
    """Press [I got a reply] on ``card``, agree, then send the answer with ``send()``."""
    consent = await tap(user, "📬 I got a reply", "without your name", card)
    await tap(user, "Agree, I'll send it", "Send the answer about", consent)
    await send()
    await answer_with(user, "the coordinators will see it")


async def test_a_reply_is_shared_counted_and_read_by_coordinators(tg):
    alice, owner = tg.user("Alice"), tg.owner()
    await alice.send("/start kharkova")
    card = await answer_with(alice, "subscribed")
    assert card.has_button("📬 I got a reply") and "replies received" not in card.text

    # Cancel at the consent: nothing stored, and a later message is not taken as an answer.
    consent = await tap(alice, "📬 I got a reply", "without your name", card)
    await tap(alice, "Cancel", "Nothing was stored", consent)
    await alice.send("hello there")
    await answer_with(alice, "commands and buttons")
    assert await replies(tg) == []

    await share(tg, alice, card, lambda: alice.send(
        f"Dear {SECRET_NAME}, your appeal <was> considered & rejected."))
    await share(tg, alice, card, lambda: alice.send_document(
        "answer.pdf", b"%PDF-1.4 the prosecutor's answer", caption="Page 1"))
    forwarded = {"text": "Forwarded: the ministry received your letter.",
                 "forward_origin": {"type": "hidden_user", "sender_user_name": FORWARDER,
                                    "date": 1_700_000_000}}
    await share(tg, alice, card, lambda: _user_sends(tg, alice, forwarded))

    stored = await replies(tg)
    assert [r.kind for r in stored] == ["text", "document", "text"]
    assert stored[0].text == f"Dear {SECRET_NAME}, your appeal <was> considered & rejected."
    assert stored[1].file_id and stored[1].text == "Page 1"
    assert stored[2].text == "Forwarded: the ministry received your letter."
    assert {r.case_id for r in stored} == {await kharkova_id(tg)}
    assert not any(FORWARDER in (r.text or "") for r in stored)
    async with tg.db.session() as session:
        assert (await session.exec(select(ReplyWait))).all() == []  # the wait is gone

    # The card counts them (plural rules through gettext).
    await alice.send("/start kharkova")
    assert "📬 3 replies received" in (await answer_with(alice, "Appeal code")).text

    # Supporters cannot read them; coordinators can, escaped, the file re-sent by its file_id.
    await alice.send("/replies kharkova")
    assert "not available" in (await alice.reply()).text
    await owner.send("/replies kharkova")
    page = await answer_with(owner, "3 replies received")
    assert "page 1 of 1" in page.text
    assert "&lt;was&gt; considered &amp; rejected" in page.html
    assert "ministry received your letter" in page.text
    document = await answer_with(owner, "#2")
    assert document.document is not None and document.document.file_id == stored[1].file_id
    await owner.send("/replies nosuchcase")
    assert "There is no case" in (await owner.reply()).text


async def test_a_photo_reply_and_paging(tg):
    alice, owner = tg.user("Alice"), tg.owner()
    await alice.send("/start kharkova")
    card = await answer_with(alice, "subscribed")
    picture = tg.server.files.store(png(), None, "image/png", kind="photo", size=(3, 2))
    sizes = [{"file_id": picture.file_id, "file_unique_id": picture.file_unique_id,
              "width": 3, "height": 2, "file_size": len(picture.content)}]
    await share(tg, alice, card, lambda: _user_sends(tg, alice, {"photo": sizes,
                                                                 "caption": "The reply"}))
    for n in range(5):
        await share(tg, alice, card, lambda n=n: alice.send(f"Answer number {n}"))
    stored = await replies(tg)
    assert stored[0].kind == "photo" and stored[0].file_id == picture.file_id

    await owner.send("/replies kharkova")
    first = await answer_with(owner, "page 1 of 2")
    assert "Answer number 4" in first.text and "The reply" not in first.text
    second = await tap(owner, "Next", "page 2 of 2", first)
    assert "#6" in second.text and "photo" in second.text
    photo = await answer_with(owner, "The reply")
    assert photo.photo is not None


async def _user_sends(tg, user, fields: dict) -> None:
    user._before_action()
    tg.server.user_sends(user, fields)
    await asyncio.sleep(0)
