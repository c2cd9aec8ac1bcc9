"""After an alert went out, end to end through the Bot API server: the status message (case,
kind, progress, tally, buttons), [📊 Stats], correcting every delivered copy in place
([✏️ Correct] or /correct), and a 500-recipient correction whose worker is stopped and killed
mid-way, then resumed: every copy edited once, none sent as a new message.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from helpers_delivery import (
    add_subscribers,
    kill_worker,
    make_case,
    running_worker,
    wait_finished,
    wait_until,
)
from sqlmodel import select

from bot.coordination.corrections import render_correction
from content.languages import INTERFACE_LANGUAGES
from storage import alert_followups as followups
from storage.alerts import insert_alert_with_deliveries
from storage.models import Alert, AuditEntry, Delivery

TYPO = "She was allowed a visit from her famly."
FIXED = "She was allowed a visit from her family."


async def follow(user, slug: str = "kharkova") -> None:
    await user.send(f"/start {slug}")
    assert "subscribed" in (await user.reply()).text


async def until(user, message_id: int, predicate, timeout: float = 20.0):
    """The message once ``predicate(message)`` holds, waiting on the bot's edits."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate(user.message(message_id)):
        assert loop.time() < deadline, user.dump()
        try:
            await user.reply(timeout=max(0.1, deadline - loop.time()))
        except TimeoutError:
            pass
    await user.server.idle(timeout=10)  # a last edit of the same report may still be coming
    user.skip_replies()  # what comes next is the answer to the next action
    return user.message(message_id)


def bot_messages(user) -> list:
    return [m for m in user.messages if not m.deleted]


async def test_status_message_stats_and_a_correction_edit_every_copy_in_place(tg):
    owner, alice, bob = tg.owner(), tg.user("Alice"), tg.user("Bob")
    for person in (alice, bob):
        await follow(person)
    await owner.send(f"/news kharkova {TYPO}")
    _alert, question = await owner.replies(2)
    await owner.press("Send", question)
    final = await until(owner, question.message_id, lambda m: "Delivered to" in m.text)
    async with tg.db.session() as session:
        alert = (await session.exec(select(Alert).order_by(Alert.id.desc()))).first()
    # Names the case, the kind and the alert; the tally; the buttons.
    assert f"News #{alert.id}" in final.text and "Larisa Kharkova" in final.text, final.text
    assert "✅ Delivered to 2 of 2" in final.text
    assert final.has_button("Correct") and final.has_button("Stats")
    assert not final.has_button("Retry")

    originals = {user.id: next(m for m in bot_messages(user) if TYPO in m.text)
                 for user in (alice, bob)}
    before = {user.id: len(bot_messages(user)) for user in (alice, bob)}

    await owner.press("Stats", final)
    stats = await owner.reply(timeout=10)
    assert f"News #{alert.id}" in stats.text and "Delivered to 2 of 2" in stats.text

    # [✏️ Correct] → type the text → preview with the count → [Edit 2 copies].
    await owner.press("Correct", final)
    prompt = await owner.reply(timeout=10)
    assert f"Correct alert #{alert.id}" in prompt.text and "Type the corrected text" in prompt.text
    await owner.send(FIXED)
    shown, ask = await owner.replies(2, timeout=10)
    assert FIXED in shown.text and shown.has_button("Unsubscribe")
    assert "<b>2</b> delivered copies" in ask.html or "2 delivered copies" in ask.text, ask.text
    await owner.press("Edit 2 copies", ask)
    done = await until(owner, ask.message_id, lambda m: "Edited" in m.text and "of" in m.text
                       and "⏳" not in m.text)
    assert "✅ Edited 2 of 2 copies" in done.text and "Correction #" in done.text, done.text

    for user in (alice, bob):
        copy = user.message(originals[user.id].message_id)
        assert FIXED in copy.text and TYPO not in copy.text and "Corrected" in copy.text
        assert copy.has_button("Unsubscribe"), "the copy keeps its buttons"
        assert copy.edited == 1
        assert len(bot_messages(user)) == before[user.id], "no new message"

    # Send again: nothing happens twice.
    query = await owner.press_data(ask.callback_data("Edit 2 copies"), ask)
    answer = await owner.answer_to(query)
    assert "already sent" in answer.text
    assert alice.message(originals[alice.id].message_id).edited == 1

    async with tg.db.session() as session:
        audit = (await session.exec(select(AuditEntry).where(AuditEntry.action == "correct"))
                 ).all()
    assert len(audit) == 1 and f"alert #{alert.id}" in audit[0].detail


async def test_correct_command_checks_its_input_and_is_for_coordinators(tg):
    owner, alice = tg.owner(), tg.user("Alice")
    await follow(alice)
    await owner.send("/correct")
    assert "Usage" in (await owner.reply()).text
    await owner.send("/correct abc")
    assert "Usage" in (await owner.reply()).text
    await owner.send("/correct 99999 new text")
    assert "There is no alert #99999" in (await owner.reply()).text
    await alice.send("/correct 1 hello")
    assert "not available" in (await alice.reply()).text
    # A forged button from a supporter changes nothing.
    query = await alice.press_data("al:1:fix")
    assert "not available" in ((await alice.answer_to(query)).text or "")
    query = await owner.press_data("al:x:fix")
    assert "not valid" in ((await owner.answer_to(query)).text or "")

    # /correct <id> <text> previews at once.
    await owner.send(f"/news kharkova {TYPO}")
    _alert, question = await owner.replies(2)
    # A forged correction button on the news preview's draft leaves that draft as it was.
    draft_id = question.callback_data("Send").split(":")[1]
    for action in ("send", "cancel"):
        query = await owner.press_data(f"cx:{draft_id}:{action}", question)
        assert "not valid" in ((await owner.answer_to(query)).text or "")
    await owner.press("Send", question)
    await until(owner, question.message_id, lambda m: "Delivered to" in m.text)
    async with tg.db.session() as session:
        alert_id = (await session.exec(select(Alert.id).order_by(Alert.id.desc()))).first()
    await owner.send(f"/correct {alert_id} {FIXED}")
    shown, ask = await owner.replies(2, timeout=10)
    assert FIXED in shown.text and ask.has_button("Edit 1 copy")
    await owner.press("Cancel", ask)
    cancelled = await owner.reply(timeout=10)
    assert "Cancelled" in cancelled.text
    copy = next(m for m in bot_messages(alice) if TYPO in m.text)
    assert copy.edited == 0


# --------------------------------------------------------------- 500 copies, stopped and killed
RECIPIENTS = 500


async def test_a_500_copy_correction_stopped_and_killed_mid_way_edits_each_copy_once(db, server):
    case = await make_case(db, "many")
    chats = await add_subscribers(db, case, range(90_000, 90_000 + RECIPIENTS), server=server)
    async with db.session() as session:
        original = await insert_alert_with_deliveries(session=session, case_id=case,
                                                      kind="news", text="Original text")
    async with running_worker(server, db, rate=1000, per_chat_interval=0):
        assert (await wait_finished(db, original.id, timeout=60))["sent"] == RECIPIENTS
    sends_before = len(server.calls_to("sendMessage"))

    payload = {"case_title": "Many", "corrects": original.id, "text": "Corrected text"}
    payload["texts"] = {code: render_correction(payload, code) for code in INTERFACE_LANGUAGES}
    async with db.session() as session:
        original = await session.get(Alert, original.id)
        correction = await followups.queue_correction(
            session=session, original=original, text=payload["texts"]["en"], payload=payload,
            dedupe_key="correction:test", created_by=1, status_chat_id=None,
            status_message_id=None)
    assert correction.recipients == RECIPIENTS
    server.fail("editMessageText", delay=0.01, times=None)  # edits in flight at every stop

    def edits_ok() -> int:
        return sum(1 for call in server.calls_to("editMessageText") if call.ok)

    # 1. Stopped gracefully after some edits.
    async with running_worker(server, db, rate=400, per_chat_interval=0, lease=1.0):
        await wait_until(lambda: _at_least(edits_ok, 120), timeout=30, what="edits")
    # 2. Killed after some more.
    async with running_worker(server, db, rate=400, per_chat_interval=0, lease=1.0) as worker:
        mark = edits_ok()
        await wait_until(lambda: _at_least(edits_ok, mark + 120), timeout=30, what="edits")
        await kill_worker(worker)
    # 3. Resumed: the killed worker's leases run out, the rest is edited.
    async with running_worker(server, db, rate=400, per_chat_interval=0, lease=1.0):
        final = await wait_finished(db, correction.id, timeout=60)

    assert final == {"pending": 0, "sent": RECIPIENTS, "blocked": 0, "failed": 0,
                     "total": RECIPIENTS}
    assert len(server.calls_to("sendMessage")) == sends_before, "no copy re-sent as new"
    edits = server.calls_to("editMessageText")
    changed = Counter(call.chat_id for call in edits if call.ok)
    print(f"\n500-copy correction: {len(edits)} editMessageText calls, {sum(changed.values())} "
          f"changed a copy, {sum(1 for c in edits if 'not modified' in (c.description or ''))}"
          f" answered 'not modified' (in flight at the kill, tried again)")
    assert changed == {chat: 1 for chat in chats}, "every copy edited exactly once"
    for chat in chats:
        person = server.find_user(chat)
        messages = [m for m in person.messages if not m.deleted]
        assert len(messages) == 1 and "Corrected text" in messages[0].text
        assert messages[0].edited == 1
    async with db.session() as session:
        rows = (await session.exec(select(Delivery).where(Delivery.alert_id == correction.id))
                ).all()
    assert all(row.edit_message_id == row.message_id for row in rows)


async def _at_least(count, target: int) -> bool:
    return count() >= target
