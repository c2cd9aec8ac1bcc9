"""The bot's profile as Telegram stores it: command menus per scope and language, name,
description and short description per language, and menu buttons (per chat and default)."""

from __future__ import annotations

import json
from typing import Any

from .protocol import bad

__all__ = ["BotProfile", "scope_key"]

_SCOPE_TYPES = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
        "chat_administrators", "chat_member",
    }
)


def scope_key(scope: Any) -> str:
    """A BotCommandScope as a comparable key (raises Telegram's error for a bad one)."""
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
        raise bad("can't parse BotCommandScope JSON object")
    norm: dict[str, Any] = {"type": scope["type"]}
    for k in ("chat_id", "user_id"):
        if k in scope:
            v = scope[k]
            try:
                norm[k] = int(v)
            except (TypeError, ValueError):
                norm[k] = v
    if norm["type"] in ("chat", "chat_administrators", "chat_member") and "chat_id" not in norm:
        raise bad("can't parse BotCommandScope JSON object")
    return json.dumps(norm, sort_keys=True)


class BotProfile:
    def __init__(self, name: str) -> None:
        self.name = name
        self._commands: dict[tuple[str, str], list[dict]] = {}  # (scope key, language) -> menu
        self._texts: dict[tuple[str, str], str] = {}  # (name|description|short_description, lc)
        self.default_menu_button: dict = {"type": "commands"}
        self.menu_buttons: dict[int, dict] = {}  # chat_id -> menu button

    # ------------------------------------------------------------------ command menus
    def set_commands(self, scope: Any, language_code: str, commands: list[dict]) -> str:
        key = (scope_key(scope), language_code)
        if commands:
            self._commands[key] = commands
        else:
            self._commands.pop(key, None)
        return key[0]

    def commands(self, scope: Any = None, language_code: str = "") -> list[dict]:
        """Commands stored for exactly this scope + language (like getMyCommands)."""
        return [dict(c) for c in self._commands.get((scope_key(scope), language_code or ""), [])]

    def commands_for(self, chat_id: int, language_code: str) -> list[dict]:
        """The menu Telegram shows in the private chat ``chat_id``: chat scope, then all private
        chats, then default, each in the person's language first."""
        scopes = ({"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"},
                  {"type": "default"})
        for scope in scopes:
            key = scope_key(scope)
            for lc in [language_code, ""] if language_code else [""]:
                commands = self._commands.get((key, lc))
                if commands:
                    return [dict(c) for c in commands]
        return []

    # ------------------------------------------------------------------ name & descriptions
    def set_text(self, kind: str, language_code: str, value: str) -> None:
        self._texts[(kind, language_code)] = value

    def text(self, kind: str, language_code: str) -> str:
        value = self._texts.get((kind, language_code), self._texts.get((kind, ""), ""))
        return value or (self.name if kind == "name" else "")
