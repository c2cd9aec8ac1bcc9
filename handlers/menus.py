"""The command menus: what each kind of person sees after typing "/".

Supporters get the default scope; owners and coordinators get their own menu per chat
(BotCommandScopeChat), so admin commands never show to anyone else.
"""

from __future__ import annotations

from telegram import BotCommand

from bot.i18n import t

SUPPORTER_COMMANDS = [
    ("cases", "Browse the cases"),
    ("mycases", "The cases you follow"),
    ("write", "Write a letter for a case"),
    ("unsubscribe", "Stop following a case"),
    ("privacy", "What the bot keeps about you"),
    ("forget", "Delete everything the bot keeps about you"),
    ("help", "What the bot can do"),
]
COORDINATOR_COMMANDS = [
    ("hearing", "Schedule a hearing"),
    ("appeal", "Schedule an appeal hearing"),
    ("postpone", "Move a hearing to a new date"),
    ("cancelhearing", "Cancel a hearing"),
    ("outcome", "Tell subscribers what happened at a hearing"),
    ("news", "Send news about a case to its subscribers"),
    ("closecase", "Close a case: no further action needed"),
    ("upcoming", "Scheduled hearings, with their ids"),
    ("stats", "Subscribers, deliveries and letters"),
    ("audit", "Who did what, and when"),
    ("staleaddresses", "Addresses not checked for a year"),
]
OWNER_COMMANDS = [
    ("coordinators", "List the coordinators"),
    ("addcoordinator", "Make someone a coordinator"),
    ("removecoordinator", "Remove a coordinator"),
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
