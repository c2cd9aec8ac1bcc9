"""The command table: each command declared once, and registration, the per-scope menus and /help
all generated from it — so one more entry is one more command, for exactly its audience."""

from __future__ import annotations

import asyncio

import pytest
from conftest import OWNER_ID, Harness, make_settings
from telegram.ext import CommandHandler

from bot import app as wiring
from bot.commands import Audience, Command, CommandTable
from bot.i18n import N_
from bot.parsing import InputError
from bot.sandbox import parse_html
from handlers.command_table import COMMANDS
from handlers.common import respond


async def _noop(update, context) -> None:
    return None


def test_the_table_refuses_what_telegram_would():
    with pytest.raises(ValueError, match="twice"):
        CommandTable([Command("a", Audience.SUPPORTER, _noop, "A"),
                      Command("a", Audience.OWNER, _noop, "B")])
    for name in ("Hearing", "with-dash", "x" * 33, ""):
        with pytest.raises(ValueError, match="Telegram accepts"):
            CommandTable([Command(name, Audience.SUPPORTER, _noop, "A")])
    with pytest.raises(ValueError, match="menu text"):
        CommandTable([Command("a", Audience.SUPPORTER, _noop, "x" * 257)])


def test_menus_and_help_follow_the_audience():
    table = CommandTable([
        Command("start", Audience.SUPPORTER, _noop, menu=None),
        Command("cases", Audience.SUPPORTER, _noop, "Browse", help="browse them"),
        Command("news", Audience.COORDINATOR, _noop, "Send news"),
        Command("addcoordinator", Audience.OWNER, _noop, "Add one"),
    ])
    names = {audience: [c.command for c in table.menu(audience)] for audience in Audience}
    assert names == {Audience.SUPPORTER: ["cases"], Audience.COORDINATOR: ["cases", "news"],
                     Audience.OWNER: ["cases", "news", "addcoordinator"]}
    assert table.help_lines(table.for_audience(Audience.OWNER)) == [
        "/cases — browse them", "/news — Send news", "/addcoordinator — Add one"]
    assert [c.name for c in table.for_audience(Audience.COORDINATOR, only=True)] == ["news"]


def test_the_shipped_table():
    names = [command.name for command in COMMANDS]
    assert names[:2] == ["start", "cases"] and "help" in names and "hearing" in names
    for command in COMMANDS:
        if command.usage:  # valid Telegram HTML, as it is sent
            parse_html(command.usage)
        if command.audience != Audience.SUPPORTER:
            assert command.menu, command.name  # coordinators find every command in the menu


async def test_the_bot_answers_exactly_the_commands_of_the_table(tg):
    registered = {name for handlers in tg.app.handlers.values() for handler in handlers
                  if isinstance(handler, CommandHandler) for name in handler.commands}
    assert registered == {command.name for command in COMMANDS}
    menu = {Audience.SUPPORTER: tg.server.commands_for(tg.user("Alice").id),
            Audience.OWNER: tg.server.commands({"type": "chat", "chat_id": OWNER_ID})}
    for audience, published in menu.items():
        assert [(c["command"], c["description"]) for c in published] == [
            (c.command, c.description) for c in COMMANDS.menu(audience)]

    owner = tg.owner()
    await owner.send("/help")
    text = (await owner.reply()).text
    for command in COMMANDS:
        if command.help_line:
            # coordinators see each command's syntax after its name
            name = (f"/{command.name} {command.syntax}"
                    if command.audience != Audience.SUPPORTER and command.syntax
                    else f"/{command.name}")
            assert f"{name} — {command.help_line}" in text, command.name


# ------------------------------------------------------------------------------ one entry

async def _echo(update, context) -> None:
    """A new coordinator command: it answers its argument, or asks for one."""
    if not context.args:
        raise InputError(usage=True)
    await respond(update, f"echo {context.args[0]}", edit=False)


@pytest.fixture
async def tg_with_echo(server, database_url, monkeypatch):
    table = CommandTable([*COMMANDS, Command(
        "echo", Audience.COORDINATOR, _echo, N_("Repeat a word"),
        usage=N_("<b>Usage:</b> /echo &lt;word&gt;"))])
    monkeypatch.setattr(wiring, "COMMANDS", table)
    harness = Harness(server, database_url, make_settings(server, database_url))
    await harness.start()
    try:
        yield harness
    finally:
        await asyncio.wait_for(harness.stop(), timeout=20)


async def test_one_table_entry_is_a_whole_coordinator_command(tg_with_echo):
    tg = tg_with_echo
    owner, carol, alice = tg.owner(), tg.user("Carol"), tg.user("Alice")
    await owner.send(f"/addcoordinator {carol.id}")
    assert "is now a coordinator" in (await owner.reply()).text
    carol_menu = [c["command"] for c in tg.server.commands({"type": "chat", "chat_id": carol.id})]
    assert "echo" in carol_menu and "addcoordinator" not in carol_menu

    await carol.send("/echo hello")
    assert (await carol.reply()).text == "echo hello"
    await carol.send("/echo")
    assert (await carol.reply()).text == "Usage: /echo <word>"
    await alice.send("/echo hello")
    assert (await alice.reply()).text == "This command is not available."

    owner_menu = [c["command"] for c in tg.server.commands({"type": "chat", "chat_id": OWNER_ID})]
    assert "echo" in owner_menu
    assert "echo" not in [c["command"] for c in tg.server.commands_for(alice.id)]
    await carol.send("/help")
    assert "/echo — Repeat a word" in (await carol.reply()).text
    await alice.send("/help")
    assert "/echo" not in (await alice.reply()).text
