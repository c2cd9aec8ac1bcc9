"""/mystats end to end: letters by case and addressee, cases followed, a personal link whose
code counts the people who joined through it (counts only), and /start <slug> still working."""

from __future__ import annotations

import re

from test_settings import answer_with, follow, rows, tap

from storage.models import Referral

LINK = re.compile(r"https://t\.me/(\w+)\?start=kharkova-r([A-Za-z0-9]{8})")


async def write_letter(user) -> None:
    await user.send("/write kharkova")
    await answer_with(user, "Who do you want to write to?")
    await tap(user, "Kalmukhanbet Kassymov", "In which language")
    await tap(user, "English", "How do you want to sign")
    await user.send("Jane Doe, Berlin")
    draft = await answer_with(user, "How will you send it?")
    await tap(user, "Email", "When you have sent it", draft)
    await tap(user, "I sent it", "Thank you!")


async def test_my_stats_and_referral_link(tg):
    alice, bob, carol = tg.user("Alice"), tg.user("Bob"), tg.user("Carol")
    await alice.send("/mystats")
    empty = await answer_with(alice, "What you did")
    assert "Letters you sent: 0" in empty.text and "Follow a case to get your personal" in empty.text
    assert await rows(tg, Referral) == []  # nothing made for someone who follows nothing

    await follow(alice)
    await follow(bob)
    await write_letter(alice)
    await alice.send("/mystats")
    stats = await answer_with(alice, "What you did")
    assert "Letters you sent: 1" in stats.text
    assert "Larisa Kharkova" in stats.text and "→ Kalmukhanbet Kassymov" in stats.text
    assert "Cases you follow: 1" in stats.text
    assert "People who joined through your links: 0" in stats.text
    match = LINK.search(stats.text)
    assert match and match[1] == tg.app.bot.username
    parameter = f"kharkova-r{match[2]}"
    assert len(parameter) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", parameter)
    [referral] = await rows(tg, Referral)
    assert referral.code == match[2] and referral.supporter_id == alice.chat_id

    # A newcomer through the link: the case opens and subscribes as /start kharkova does.
    await carol.send(f"/start {parameter}")
    card = await answer_with(carol, "You are subscribed")
    assert "Larisa Kharkova" in card.text
    await carol.send(f"/start {parameter}")  # again: not a newcomer any more
    await answer_with(carol, "already follow")
    await bob.send(f"/start {parameter}")  # known before: not counted
    await answer_with(bob, "already follow")
    await alice.send(f"/start {parameter}")  # her own link
    await answer_with(alice, "already follow")
    dan, eve = tg.user("Dan"), tg.user("Eve")
    await dan.send("/start kharkova-rZZZZZZZZ")  # a code nobody has: still the case
    await answer_with(dan, "You are subscribed")
    await eve.send("/start kharkova")  # the plain deep link still works
    await answer_with(eve, "You are subscribed")

    await alice.send("/mystats")
    again = await answer_with(alice, "What you did")
    assert "People who joined through your links: 1" in again.text
    assert LINK.search(again.text)[2] == match[2]  # one code per person
    [referral] = await rows(tg, Referral)
    assert referral.joined == 1  # a count: who joined is stored nowhere against Alice

    await alice.send("/forget")
    question = await answer_with(alice, "cannot be undone")
    await tap(alice, "Yes, delete my data", "I deleted everything", question)
    assert await rows(tg, Referral) == []
