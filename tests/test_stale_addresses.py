"""/staleaddresses end to end (SQLite and PostgreSQL): who may use it, what it lists, marking an
address as still current (stored, audited, kept across reloads and restarts) and changing one."""

from __future__ import annotations

from conftest import OWNER_ID
from sqlmodel import select
from test_letter_wizard import refused, say, tap

from bot.stale_addresses import PAGE_SIZE
from content.loader import load_library
from storage.library_sync import sync_library
from storage.models import AuditEntry, Authority

LIBRARY, _ = load_library()
# Every addressee of the open shipped cases: all listed in 2017, so all stale today.
OPEN_ADDRESSEES = sorted({key for case in LIBRARY.cases.values() if case.status == "open"
                          for key in case.addressees})


async def _authority(tg, key: str) -> Authority:
    async with tg.db.session() as session:
        return await session.get(Authority, key)


def _names_on(message) -> list[str]:
    return [label for label in message.button_texts if label.startswith("✅")]


async def test_only_coordinators_see_stale_addresses(tg):
    alice = tg.user("Alice")
    await alice.send("/staleaddresses")
    assert "not available" in (await alice.reply()).text
    listing = await say(tg.owner(), "/staleaddresses", "Addresses to check")
    data = listing.callback_data("still current") or next(
        b["callback_data"] for b in listing.flat_buttons if b["text"].startswith("✅"))
    # A supporter pressing a coordinator's button (forged into her chat) changes nothing.
    await alice.send("/start")
    await alice.reply()
    assert "not available" in await refused(tg, alice, data)
    key = data.rsplit(":", 1)[1]
    assert (await _authority(tg, key)).verified_at is None


async def test_mark_verified_is_stored_audited_and_survives_reloading(tg):
    owner = tg.owner()
    listing = await say(owner, "/staleaddresses", "Addresses to check")
    pages = -(-len(OPEN_ADDRESSEES) // PAGE_SIZE)
    assert f"page 1 of {pages}" in listing.text
    assert f"{len(OPEN_ADDRESSEES)} addressees of open cases" in listing.text
    assert "📅 Address as published on 4 Oct 2017." in listing.text
    assert len(_names_on(listing)) == PAGE_SIZE
    first = listing.flat_buttons[0]
    key = first["callback_data"].rsplit(":", 1)[1]
    assert key in OPEN_ADDRESSEES

    marked = await tap(owner, first["text"], "marked as still current", listing)
    assert marked.message_id == listing.message_id  # the list is updated in place
    assert f"<code>{key}</code>" not in marked.html  # no longer stale
    assert f"{len(OPEN_ADDRESSEES) - 1} addressees of open cases" in marked.text
    row = await _authority(tg, key)
    assert row.verified_by == OWNER_ID and row.verified_at is not None
    async with tg.db.session() as session:
        audit = (await session.exec(select(AuditEntry).where(
            AuditEntry.action == "verify_address"))).all()
    assert [(entry.actor_id, entry.detail) for entry in audit] == [(OWNER_ID, key)]

    # Loading the files again (an edited directory, then a restart) keeps the check.
    edited = LIBRARY.authorities[key].model_copy(update={"role": "A renamed office"})
    async with tg.db.session() as session:
        await sync_library(session=session, library=LIBRARY.__class__(
            cases=LIBRARY.cases, authorities={**LIBRARY.authorities, key: edited}))
    await tg.restart()
    row = await _authority(tg, key)
    assert row.verified_by == OWNER_ID and row.verified_at is not None
    assert row.data["role"] == LIBRARY.authorities[key].role  # the restart reloaded the file
    again = await say(owner, "/staleaddresses", "Addresses to check")
    assert f"<code>{key}</code>" not in again.html

    audit_text = await say(owner, "/audit", "verify_address")
    assert key in audit_text.text


async def test_pages_change_and_forged_buttons(tg):
    owner = tg.owner()
    listing = await say(owner, "/staleaddresses", "Addresses to check")
    second = await tap(owner, "Next", "page 2 of", listing)
    number = PAGE_SIZE + 1
    assert second.button_texts[0].startswith(f"✅ {number}. ")

    help_text = await tap(owner, "Change", "Changing the address of", second)
    assert "content/authorities.yaml" in help_text.text and "check-content" in help_text.text
    assert help_text.message_id != second.message_id  # the list stays

    for action in "ve":
        answer = await refused(tg, owner, f"sa:{action}:0:kz-nobody", second)
        assert "no longer in the directory" in answer
    assert "not valid" in await refused(tg, owner, "sa:v:0:Not A Key!", second)
    assert "not valid" in await refused(tg, owner, "sa:zz", second)
    async with tg.db.session() as session:
        rows = (await session.exec(select(Authority).where(
            Authority.verified_at.is_not(None)))).all()
    assert rows == []
