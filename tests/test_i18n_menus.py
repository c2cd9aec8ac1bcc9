"""The command menus per language: every menu — the supporters' default one and each owner's and
coordinator's own — is published in English (no language code) and in Russian and Kazakh (with
theirs), generated from the command table, so Telegram shows it in the language of the app."""

from __future__ import annotations

from conftest import OWNER_ID

from bot.commands import Audience
from bot.i18n import t
from handlers.command_table import COMMANDS


def _pairs(published: list[dict]) -> list[tuple[str, str]]:
    return [(c["command"], c["description"]) for c in published]


def _expected(audience: Audience, lang: str) -> list[tuple[str, str]]:
    return [(c.command, c.description) for c in COMMANDS.menu(audience, lang)]


async def test_the_default_menu_exists_in_every_language(tg):
    for code, lang in ((None, "en"), ("ru", "ru"), ("kk", "kk")):
        published = _pairs(tg.server.commands(None, code or ""))
        assert published == _expected(Audience.SUPPORTER, lang), lang
    russian = dict(_pairs(tg.server.commands(None, "ru")))
    kazakh = dict(_pairs(tg.server.commands(None, "kk")))
    assert russian["cases"] == "Просмотреть дела" and russian["language"] == "Выбрать язык"
    assert kazakh["language"] == "Тілді таңдау"
    assert set(russian) == set(kazakh) == {c.name for c in COMMANDS.for_audience(
        Audience.SUPPORTER) if c.menu}
    # a person's Telegram app language picks the menu: ru-RU → Russian, de → English
    assert _pairs(tg.server.commands_for(tg.user("Ivan", language_code="ru").id)) == \
        _expected(Audience.SUPPORTER, "ru")
    assert _pairs(tg.server.commands_for(tg.user("Hans", language_code="de").id)) == \
        _expected(Audience.SUPPORTER, "en")


async def test_coordinator_menus_follow_the_app_language_and_leave_with_the_role(tg):
    owner_scope = {"type": "chat", "chat_id": OWNER_ID}
    for code, lang in (("", "en"), ("ru", "ru"), ("kk", "kk")):
        assert _pairs(tg.server.commands(owner_scope, code)) == _expected(Audience.OWNER, lang)

    owner, carol = tg.owner(), tg.user("Carol", language_code="kk")
    await owner.send(f"/addcoordinator {carol.id}")
    await owner.reply()
    menu = dict(_pairs(tg.server.commands_for(carol.id)))
    assert menu["hearing"] == t("Schedule a hearing", "kk") != "Schedule a hearing"
    assert "addcoordinator" not in menu
    assert _pairs(tg.server.commands_for(carol.id)) == _expected(Audience.COORDINATOR, "kk")

    await owner.send(f"/removecoordinator {carol.id}")
    await owner.reply()
    carol_scope = {"type": "chat", "chat_id": carol.id}
    for code in ("", "ru", "kk"):
        assert tg.server.commands(carol_scope, code) == [], code
    # back to the supporters' menu, still in Kazakh
    assert _pairs(tg.server.commands_for(carol.id)) == _expected(Audience.SUPPORTER, "kk")
