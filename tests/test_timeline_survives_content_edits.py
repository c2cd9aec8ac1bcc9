"""What a coordinator added in chat to a timeline entry from a case file survives that file being
edited: uploaded again without the entry, or its ``key:`` renamed in the content directory and
the bot restarted. End to end through the Bot API server, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from sqlmodel import select

import bot.app
from content.loader import CONTENT_ROOT, load_library
from storage.models import Case, Event

SLUG = "kushakbayev-eleusinov"
HEARING_KEY = "strikers-fined"  # a file-owned hearing of that case
CASE_FILE = CONTENT_ROOT / "cases" / f"{SLUG}.yaml"


async def _hearing(tg, key: str = HEARING_KEY) -> Event:
    async with tg.db.session() as session:
        return (await session.exec(select(Event).join(Case).where(
            Case.slug == SLUG, Event.content_key == key))).one()


async def _outcomes(tg) -> list[Event]:
    async with tg.db.session() as session:
        return list((await session.exec(select(Event).where(Event.kind == "outcome"))).all())


async def _record_outcome(tg, hearing: Event, text: str) -> None:
    owner = tg.owner()
    await owner.send(f"/outcome {hearing.id} {text}")
    _alert, question = await owner.replies(2)
    assert question.has_button("Send"), question
    await owner.press("Send", question)
    assert "Done" in (await owner.reply()).text  # nobody follows: done at once
    [outcome] = await _outcomes(tg)
    assert outcome.parent_id == hearing.id


def _without_entry(text: str, key: str) -> str:
    """The case file's text with the timeline entry ``key`` left out."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- key: {key}")
    end = next(i for i in range(start + 1, len(lines))
               if lines[i].startswith("  - ") or not lines[i].startswith("    "))
    return "".join(lines[:start] + lines[end:])


def _no_tracebacks(caplog) -> None:
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not bad, [r.getMessage() for r in bad]


async def _timeline_text(tg, user) -> str:
    await user.send(f"/start {SLUG}")
    card = await user.reply()
    await user.press("Timeline", card)
    return (await user.reply()).text


async def test_upload_without_an_entry_that_has_an_outcome_keeps_both(tg, caplog):
    hearing = await _hearing(tg)
    await _record_outcome(tg, hearing, "The fines were upheld on appeal.")

    owner = tg.owner()
    await owner.send_document(f"{SLUG}.yaml", _without_entry(CASE_FILE.read_text(),
                                                             HEARING_KEY).encode())
    answer = (await owner.reply()).text
    assert "Case updated" in answer
    assert "Kept on the timeline" in answer and HEARING_KEY in answer  # says what stayed
    [outcome] = await _outcomes(tg)
    kept = await _hearing(tg)
    assert kept.id == hearing.id and outcome.parent_id == hearing.id
    timeline = await _timeline_text(tg, tg.user("Alice"))
    assert "fines were upheld" in timeline and "fines 15 hunger strikers" in timeline
    _no_tracebacks(caplog)


@pytest.fixture
def content_copy(tmp_path, monkeypatch) -> Path:
    """A copy of content/ that the bot loads at start-up instead of the shipped one."""
    root = tmp_path / "content"
    (root / "cases").mkdir(parents=True)
    shutil.copy(CONTENT_ROOT / "authorities.yaml", root / "authorities.yaml")
    for path in (CONTENT_ROOT / "cases").glob("*.yaml"):
        shutil.copy(path, root / "cases" / path.name)
    monkeypatch.setattr(bot.app, "load_library", lambda: load_library(root))
    return root


async def test_renamed_key_and_restart_keeps_the_outcome_and_the_bot_starts(tg, content_copy,
                                                                              caplog):
    hearing = await _hearing(tg)
    await _record_outcome(tg, hearing, "The fines were upheld on appeal.")

    path = content_copy / "cases" / f"{SLUG}.yaml"
    path.write_text(path.read_text().replace(f"- key: {HEARING_KEY}\n", "- key: fines\n"))
    await tg.restart()  # must not raise: the bot starts

    [outcome] = await _outcomes(tg)
    renamed = await _hearing(tg, "fines")
    assert outcome.parent_id == renamed.id  # the outcome follows its hearing to the new key
    async with tg.db.session() as session:
        hearings = (await session.exec(select(Event).join(Case).where(
            Case.slug == SLUG, Event.text.like("The court fines 15%")))).all()
    assert len(hearings) == 1  # no duplicate left behind
    timeline = await _timeline_text(tg, tg.user("Alice"))
    assert "fines were upheld" in timeline
    await tg.restart()  # and again: nothing left to trip over
    assert [o.id for o in await _outcomes(tg)] == [outcome.id]
    _no_tracebacks(caplog)


async def test_a_broken_case_file_is_logged_in_one_line_and_the_rest_load(tg, content_copy,
                                                                            caplog):
    # A NUL character (YAML's "\0" escape) passes the schema but no PostgreSQL text column
    # takes it; an edit elsewhere must load all the same.
    path = content_copy / "cases" / f"{SLUG}.yaml"
    path.write_text(path.read_text().replace("title: \"Nurbek", "title: \"\\0 Nurbek"))
    kharkova = content_copy / "cases" / "kharkova.yaml"
    kharkova.write_text(kharkova.read_text().replace('title: "Larisa Kharkova:',
                                                     'title: "Edited Kharkova:'))
    caplog.clear()
    await tg.restart()
    alice = tg.user("Alice")
    await alice.send("/start kharkova")
    assert "Edited Kharkova" in (await alice.reply()).text
    await alice.send(f"/start {SLUG}")
    assert "Nurbek" in (await alice.reply()).text  # the stored version stays in service
    problems = [r.getMessage() for r in caplog.records if SLUG in r.getMessage()]
    assert len(problems) == 1 and "title" in problems[0], problems
    assert not [r for r in caplog.records if r.exc_info]
