"""The command table's vocabulary: what a command is, who it is for, what a reader sees of it.

The table itself lives in ``handlers/command_table.py`` (it names the handlers). ``bot/app.py``
registers its handlers, puts it in the application (:func:`install`), and the per-scope command
menus and ``/help`` read it back from there (:func:`table_of`), so nothing imports the table's
module back and no import cycle appears.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from html import escape

from telegram import BotCommand, Update
from telegram.ext import Application, ContextTypes

from bot.i18n import t

TABLE_KEY = "command_table"
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]

_NAME = re.compile(r"[a-z0-9_]{1,32}")  # what Telegram accepts as a command
_MENU_LIMIT = 256  # Telegram's limit for a command's description


class Audience(StrEnum):
    """Who may use a command. Each audience may use the commands of those before it."""

    SUPPORTER = "supporter"
    COORDINATOR = "coordinator"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return list(Audience).index(self)

    def may_use(self, command: Command) -> bool:
        return command.audience.rank <= self.rank


@dataclass(frozen=True)
class Command:
    """One command the bot answers. Texts are English message ids, marked with ``N_()``."""

    name: str
    audience: Audience
    handler: Handler
    menu: str | None  # the command menu's description; None: in neither the menu nor /help
    help: str | None = None  # the /help line (the menu text when None)
    usage: str | None = None  # HTML: how to call it, shown when its arguments don't fit
    syntax: str | None = None  # its arguments as /help shows them to coordinators: "<case> …"

    @property
    def help_line(self) -> str | None:
        return self.help or self.menu


class CommandTable:
    """The commands in the order menus and /help list them; checked when it is built."""

    def __init__(self, commands: Iterable[Command]) -> None:
        self._commands = tuple(commands)
        names = [command.name for command in self._commands]
        for command in self._commands:
            if not _NAME.fullmatch(command.name):
                raise ValueError(f"/{command.name}: Telegram accepts 1-32 of a-z, 0-9 and _")
            if names.count(command.name) > 1:
                raise ValueError(f"/{command.name} is declared twice")
            if command.menu is not None and not 0 < len(command.menu) <= _MENU_LIMIT:
                raise ValueError(f"/{command.name}: a menu text has 1-{_MENU_LIMIT} characters")

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)

    def get(self, name: str) -> Command | None:
        return next((command for command in self._commands if command.name == name), None)

    def for_audience(self, audience: Audience, *, only: bool = False) -> list[Command]:
        """What ``audience`` may use (``only``: just the commands meant for it)."""
        return [command for command in self._commands
                if (command.audience == audience if only else audience.may_use(command))]

    def menu(self, audience: Audience, lang: str = "en") -> list[BotCommand]:
        """The command menu ("/" in the chat) of a person of this audience."""
        return [BotCommand(command.name, t(command.menu, lang))
                for command in self.for_audience(audience) if command.menu is not None]

    def help_lines(self, commands: Iterable[Command], lang: str = "en", *,
                   syntax: bool = False) -> list[str]:
        """One "/name — what it does" line per command that has one (HTML); with ``syntax``,
        the command's arguments follow its name."""
        lines = []
        for command in commands:
            if command.help_line is None:
                continue
            name = f"/{command.name}"
            if syntax and command.syntax:
                name += f" <code>{escape(command.syntax)}</code>"
            lines.append(f"{name} — {t(command.help_line, lang)}")
        return lines


def install(application: Application, table: CommandTable) -> None:
    application.bot_data[TABLE_KEY] = table


def table_of(application: Application) -> CommandTable:
    return application.bot_data[TABLE_KEY]
