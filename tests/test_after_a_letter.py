"""After [✅ I sent it] there is no dead end: the thanks offers to share the case, to pass on the
authority's reply and to go back to the case, and each button works from that message (the
share and reply handlers serve buttons of any message); end to end."""

from __future__ import annotations

from test_mystats import write_letter
from test_settings import answer_with, follow, rows, tap

from storage.models import AuthorityReply


async def test_the_thanks_for_a_letter_leads_on(tg):
    alice = tg.user("Alice")
    await follow(alice)
    await write_letter(alice)
    await tg.idle()  # the old wizard messages lose their buttons after the thanks is shown
    thanks = next(m for m in reversed(alice.messages) if "Thank you!" in m.text)
    assert {"📣 Share the case", "📬 I got a reply", "⬅️ Back to the case"} <= set(
        thanks.button_texts)

    shared = await tap(alice, "Share the case", "t.me/", thanks)
    assert f"https://t.me/{tg.app.bot.username}?start=kharkova" in shared.text
    assert shared.find_button("Share in Telegram")["url"].startswith("https://t.me/share/url?")

    consent = await tap(alice, "I got a reply", "without", thanks)
    await tap(alice, "Agree", "Send", consent)
    await alice.send("The Prosecutor's office says the case is under review.")
    await answer_with(alice, "Thank you — the coordinators will see it")
    [stored] = await rows(tg, AuthorityReply)
    assert stored.text == "The Prosecutor's office says the case is under review."

    card = await tap(alice, "Back to the case", "Larisa Kharkova", thanks)
    assert card.has_button("Write a letter")
