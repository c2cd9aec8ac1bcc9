"""People are answered in their language — from their Telegram client until they choose one with
/language, which the bot remembers — end to end through the Bot API server."""

from __future__ import annotations

import re

from sqlmodel import select

from storage.models import Supporter

RU_DAY = re.compile(r"\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|"
                    r"октября|ноября|декабря) \d{4}\u202fг\.")
KK_DAY = re.compile(r"\d{4}\u202fж\. \d{1,2} (қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|"
                    r"тамыз|қыркүйек|қазан|қараша|желтоқсан)")


async def supporters(tg) -> list[Supporter]:
    async with tg.db.session() as session:
        return list((await session.exec(select(Supporter))).all())


async def open_first_case(person):
    await person.send("/cases")
    listing = await person.reply()
    first = next(b for b in listing.flat_buttons if b["callback_data"].startswith("cc:"))
    await person.press_data(first["callback_data"], listing)
    return listing, await person.reply()


async def test_russian_client_gets_russian_and_nothing_is_stored(tg):
    ivan = tg.user("Ivan", language_code="ru-RU")
    await ivan.send("/start")
    welcome = await ivan.reply()
    assert "Добро пожаловать в Appeal Bot" in welcome.text
    assert welcome.has_button("📂 Смотреть дела")

    await ivan.send("/help")
    help_text = (await ivan.reply()).text
    assert "Что я умею" in help_text and "/language — язык, на котором я вам пишу" in help_text

    listing, card = await open_first_case(ivan)
    assert "Дела — страница 1 из 4" in listing.text
    assert "Статус:" in card.text and "Кто:" in card.text
    assert RU_DAY.search(card.text), card.text  # the latest events, dated in Russian
    assert card.has_button("🔔 Подписаться") and card.has_button("🗓 Хронология")

    await ivan.press("🗓 Хронология")
    timeline = await ivan.reply()
    assert "Хронология —" in timeline.text and RU_DAY.search(timeline.text)

    await ivan.send("/privacy")
    privacy = (await ivan.reply()).text
    assert "Что я храню о вас" in privacy and "Какие оповещения я вам отправил" in privacy
    await ivan.send("/nonsense")
    assert "Я не знаю такой команды" in (await ivan.reply()).text
    assert await supporters(tg) == []  # answered in Russian, remembered nowhere


async def test_kazakh_client_gets_kazakh(tg):
    aigul = tg.user("Aigul", language_code="kk")
    await aigul.send("/start")
    assert "Appeal Bot-қа қош келдіңіз" in (await aigul.reply()).text
    await aigul.send("/help")
    assert "Мен не істей аламын" in (await aigul.reply()).text
    listing, card = await open_first_case(aigul)
    assert "Істер" in listing.text and "1/4 бет" in listing.text
    assert "Мәртебесі:" in card.text and KK_DAY.search(card.text), card.text
    await aigul.send("/privacy")
    privacy = (await aigul.reply()).text
    assert "Сіз туралы не сақтаймын" in privacy and "қашан жібергенім" in privacy
    assert await supporters(tg) == []


async def test_subscribing_stores_the_client_language_as_not_chosen(tg):
    ivan = tg.user("Ivan", language_code="ru")
    await ivan.send("/start kharkova")
    card = await ivan.reply()
    assert "Вы подписались" in card.text
    [row] = await supporters(tg)
    assert (row.chat_id, row.language, row.language_chosen) == (ivan.id, "ru", False)

    ivan.language_code = "kk"  # the person switched their Telegram app to Kazakh
    await ivan.send("/mycases")
    assert "Сіз бақылайтын істер" in (await ivan.reply()).text
    [row] = await supporters(tg)
    assert (row.language, row.language_chosen) == ("kk", False)  # alerts follow them


async def test_language_choice_is_remembered_across_a_restart(tg):
    alice = tg.user("Alice")  # an English Telegram client
    await alice.send("/language")
    question = await alice.reply()
    assert "Which language shall I write to you in?" in question.text
    assert [b["text"] for b in question.flat_buttons] == ["English", "Русский", "Қазақша"]

    await alice.press("Русский")
    done = await alice.reply()
    assert done.message_id == question.message_id  # the question turns into the answer
    assert "теперь я пишу вам по-русски" in done.text
    assert alice.callback_answers[-1].text == "✅ Русский"
    [row] = await supporters(tg)
    assert (row.chat_id, row.language, row.language_chosen) == (alice.id, "ru", True)

    await tg.restart()
    await alice.send("/start")
    assert "Добро пожаловать в Appeal Bot" in (await alice.reply()).text
    _, card = await open_first_case(alice)
    assert "Статус:" in card.text

    await alice.send("/language kk")
    assert "енді сізге қазақ тілінде жазамын" in (await alice.reply()).text
    await alice.send("/help")
    assert "Мен не істей аламын" in (await alice.reply()).text

    await alice.send("/language")
    await alice.press("English", await alice.reply())
    assert "from now on I write to you in English" in (await alice.reply()).text
    [row] = await supporters(tg)
    assert (row.language, row.language_chosen) == ("en", True)


async def test_forget_also_forgets_the_language(tg):
    alice = tg.user("Alice")
    await alice.send("/language ru")
    await alice.reply()
    await alice.send("/forget")
    await alice.press("Да, удалить", await alice.reply())
    assert "Я удалил всё" in (await alice.reply()).text
    assert await supporters(tg) == []
    await alice.send("/help")
    assert "What I can do" in (await alice.reply()).text


async def test_bad_language_input_changes_nothing(tg):
    bob = tg.user("Bob", language_code="ru")
    await bob.send("/language klingon")
    answer = await bob.reply()
    assert "Этого языка я пока не знаю" in answer.text
    assert answer.has_button("Қазақша")
    await bob.press_data("lg:de", answer)  # forged: not a language the bot speaks
    assert "больше не работает" in (await bob.reply()).text
    assert "Эта кнопка устарела" in bob.callback_answers[-1].text
    await bob.press_data("lg:", answer)
    assert "больше не работает" in (await bob.reply()).text
    assert await supporters(tg) == []
    await bob.send("/start")
    assert "Добро пожаловать" in (await bob.reply()).text
