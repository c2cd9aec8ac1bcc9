"""The command menus: what each kind of person sees after typing "/".

Supporters get the default scope; owners and coordinators get their own menu per chat
(BotCommandScopeChat), so admin commands never show to anyone else.
"""

from __future__ import annotations

from telegram import BotCommand

from bot.i18n import N_, t

SUPPORTER_COMMANDS = [
    ("cases", N_("Browse the cases")),
    ("mycases", N_("The cases you follow")),
    ("write", N_("Write a letter for a case")),
    ("unsubscribe", N_("Stop following a case")),
    ("privacy", N_("What the bot keeps about you")),
    ("forget", N_("Delete everything the bot keeps about you")),
    ("help", N_("What the bot can do")),
]
COORDINATOR_COMMANDS = [
    ("hearing", N_("Schedule a hearing")),
    ("appeal", N_("Schedule an appeal hearing")),
    ("postpone", N_("Move a hearing to a new date")),
    ("cancelhearing", N_("Cancel a hearing")),
    ("outcome", N_("Tell subscribers what happened at a hearing")),
    ("news", N_("Send news about a case to its subscribers")),
    ("closecase", N_("Close a case: no further action needed")),
    ("upcoming", N_("Scheduled hearings, with their ids")),
    ("stats", N_("Subscribers, deliveries and letters")),
    ("audit", N_("Who did what, and when")),
]
OWNER_COMMANDS = [
    ("coordinators", N_("List the coordinators")),
    ("addcoordinator", N_("Make someone a coordinator")),
    ("removecoordinator", N_("Remove a coordinator")),
]


def commands_for(role: str | None) -> list[tuple[str, str]]:
    """role: None (a supporter), "coordinator" or "owner"."""
    commands = list(SUPPORTER_COMMANDS)
    if role in {"coordinator", "owner"}:
        commands += COORDINATOR_COMMANDS
    if role == "owner":
        commands += OWNER_COMMANDS
    return commands


def command_menu(role: str | None, lang: str = "en") -> list[BotCommand]:
    return [BotCommand(name, t(text, lang)) for name, text in commands_for(role)]
