"""One broadcast, each subscriber in their own language: the alert's frame, the case's title, the
requested action and the buttons are rendered per recipient when the delivery worker sends it;
reminders too."""

from __future__ import annotations

import datetime as dt

from conftest import OWNER_ID
from sqlmodel import select

from bot.clock import FakeClock
from bot.i18n import t
from bot.reminders import run_due_reminders
from bot.services import SERVICES_KEY
from storage.models import Alert, Coordinator

YEAR = dt.date.today().year + 1


async def _follow(person) -> None:
    await person.send("/start kharkova")
    await person.reply(timeout=15)


async def test_a_hearing_from_an_english_coordinator_reaches_each_subscriber_in_theirs(tg):
    ivan, aigul, jane = (tg.user("Ivan", language_code="ru"), tg.user("Aigul", language_code="kk"),
                         tg.user("Jane", language_code="en"))
    for person in (ivan, aigul, jane):
        await _follow(person)
    owner = tg.owner()
    await owner.send(f"/hearing kharkova {YEAR}-03-04 10:00 Almaty City Court")
    await owner.reply(timeout=15)
    await tg.idle()
    preview = next(m for m in reversed(owner.messages) if m.text.startswith("🏛"))
    assert preview.text.startswith("🏛 Hearing scheduled — Larisa Kharkova: trade union leader")
    owner.skip_replies()
    question = max((m for m in owner.messages if m.buttons), key=lambda m: m.message_id)
    await owner.press_data(next(b["callback_data"] for b in question.flat_buttons
                                if b["callback_data"].endswith(":send")), question)

    got = {lang: await person.reply(timeout=15)
           for lang, person in (("ru", ivan), ("kk", aigul), ("en", jane))}
    assert got["ru"].text.startswith("🏛 Назначено судебное заседание — Лариса Харькова")
    assert "4 марта" in got["ru"].text and "Almaty City Court" in got["ru"].text
    assert t("<b>What you can do now:</b> {action}", "ru", action="")[:10] in got["ru"].html
    assert got["kk"].text.startswith(f"🏛 {t('Hearing scheduled', 'kk')} — Лариса Харькова")
    assert "наурыз" in got["kk"].text
    assert got["en"].text.startswith("🏛 Hearing scheduled — Larisa Kharkova")
    assert "4 Mar" in got["en"].text
    for lang, message in got.items():
        assert message.button_texts == [t("🗓 Add to calendar", lang), t("✍️ Write a letter", lang),
                                        t("📂 Open case", lang), t("🔕 Unsubscribe", lang)]
    assert got["ru"].text != got["kk"].text != got["en"].text
    async with tg.db.session() as session:
        alerts = (await session.exec(select(Alert))).all()
    assert len(alerts) == 1 and alerts[0].recipients == 3  # one broadcast, three languages

    # the reminder the day before: each in theirs too
    tg.app.bot_data[SERVICES_KEY].clock = FakeClock(dt.datetime(YEAR, 3, 3, 5, 0, tzinfo=dt.UTC))
    assert await run_due_reminders(tg.app) == 1
    reminders = {lang: (await person.reply(timeout=15)).text
                 for lang, person in (("ru", ivan), ("kk", aigul), ("en", jane))}
    assert reminders["ru"].startswith("⏰ " + t("<b>Hearing {when}</b>", "ru", when="через 1 день")
                                      .replace("<b>", "").replace("</b>", ""))
    assert "Лариса Харькова" in reminders["ru"] and "Лариса Харькова" in reminders["kk"]
    assert reminders["en"].startswith("⏰ Hearing in 1 day\nLarisa Kharkova")
    assert t("Come to support, or write a letter before it starts.", "kk") in reminders["kk"]


async def test_a_russian_coordinator_reads_the_delivery_report_in_russian(tg):
    ivan, jane = tg.user("Ivan", language_code="ru"), tg.user("Jane", language_code="en")
    for person in (ivan, jane):
        await _follow(person)
    olga = tg.user("Olga", language_code="ru")
    async with tg.db.session() as session:
        session.add(Coordinator(user_id=olga.id, added_by=OWNER_ID))
    await olga.send("/news kharkova Суд разрешил свидание с семьёй.")
    await olga.reply(timeout=15)
    await tg.idle()
    question = max((m for m in olga.messages if m.buttons), key=lambda m: m.message_id)
    await olga.press_data(next(b["callback_data"] for b in question.flat_buttons
                               if b["callback_data"].endswith(":send")), question)
    news = {"ru": await ivan.reply(timeout=15), "en": await jane.reply(timeout=15)}
    assert news["ru"].text.startswith("📰 " + t("News", "ru") + " — Лариса Харькова")
    assert news["en"].text.startswith("📰 News — Larisa Kharkova")
    assert "Суд разрешил свидание с семьёй." in news["en"].text  # her words, as she wrote them
    final = t("✅ Delivered to {sent} of {total}", "ru", sent=2, total=2)
    for _ in range(100):
        await tg.idle()
        if any(final in m.text for m in olga.messages):
            break
    assert any(final in m.text for m in olga.messages), olga.dump()
