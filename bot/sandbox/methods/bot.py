"""The bot itself: getMe, logOut/close, its command menus, name and descriptions, menu buttons,
and getChat."""

from __future__ import annotations

import json
import re

from ..core import SimTelegram
from ..profile import scope_key
from ..protocol import BotRequest, bad
from .table import MethodTable

METHODS = MethodTable()

_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_TEXT_LIMITS = {"name": 64, "description": 512, "short_description": 120}


@METHODS.register("getMe")
def get_me(tg: SimTelegram, rq: BotRequest) -> dict:
    return tg.me()


@METHODS.register("logOut")
def log_out(tg: SimTelegram, rq: BotRequest) -> bool:
    return True


@METHODS.register("close")
def close(tg: SimTelegram, rq: BotRequest) -> bool:
    return True


# ---------------------------------------------------------------------------- command menus

def _menu_key(p: dict) -> tuple[dict, str]:
    scope = p.get("scope")
    return json.loads(scope_key(scope)), str(p.get("language_code") or "")


@METHODS.register("setMyCommands")
def set_my_commands(tg: SimTelegram, rq: BotRequest) -> bool:
    p = rq.params
    commands = p.get("commands")
    if not isinstance(commands, list):
        raise bad("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad("too many commands specified")
    clean = [_check_command(c) for c in commands]
    scope, language = _menu_key(p)
    tg.profile.set_commands(scope, language, clean)
    tg.emit("commands", None, data={"scope": scope, "language_code": language})
    return True


def _check_command(c: object) -> dict:
    if not isinstance(c, dict):
        raise bad("can't parse BotCommand JSON object")
    name = str(c.get("command", "")).strip()
    description = str(c.get("description", "")).strip()
    if not _COMMAND_NAME_RE.match(name):
        raise bad("BOT_COMMAND_INVALID")
    if not description:
        raise bad("command description is empty")
    if len(description) > 256:
        raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
    return {"command": name, "description": description}


@METHODS.register("getMyCommands")
def get_my_commands(tg: SimTelegram, rq: BotRequest) -> list[dict]:
    scope, language = _menu_key(rq.params)
    return tg.profile.commands(scope, language)


@METHODS.register("deleteMyCommands")
def delete_my_commands(tg: SimTelegram, rq: BotRequest) -> bool:
    scope, language = _menu_key(rq.params)
    tg.profile.set_commands(scope, language, [])
    tg.emit("commands", None, data={"scope": scope, "language_code": language})
    return True


# ---------------------------------------------------------------------------- name & descriptions

def _set_text(tg: SimTelegram, rq: BotRequest, kind: str) -> bool:
    value = str(rq.params.get(kind) or "")
    if len(value) > _TEXT_LIMITS[kind]:
        raise bad(f"{kind.replace('_', ' ')} is too long")
    tg.profile.set_text(kind, str(rq.params.get("language_code") or ""), value)
    return True


def _get_text(tg: SimTelegram, rq: BotRequest, kind: str) -> dict:
    return {kind: tg.profile.text(kind, str(rq.params.get("language_code") or ""))}


@METHODS.register("setMyName")
def set_my_name(tg: SimTelegram, rq: BotRequest) -> bool:
    return _set_text(tg, rq, "name")


@METHODS.register("getMyName")
def get_my_name(tg: SimTelegram, rq: BotRequest) -> dict:
    return _get_text(tg, rq, "name")


@METHODS.register("setMyDescription")
def set_my_description(tg: SimTelegram, rq: BotRequest) -> bool:
    return _set_text(tg, rq, "description")


@METHODS.register("getMyDescription")
def get_my_description(tg: SimTelegram, rq: BotRequest) -> dict:
    return _get_text(tg, rq, "description")


@METHODS.register("setMyShortDescription")
def set_my_short_description(tg: SimTelegram, rq: BotRequest) -> bool:
    return _set_text(tg, rq, "short_description")


@METHODS.register("getMyShortDescription")
def get_my_short_description(tg: SimTelegram, rq: BotRequest) -> dict:
    return _get_text(tg, rq, "short_description")


# ---------------------------------------------------------------------------- menu button & chats

@METHODS.register("setChatMenuButton")
def set_chat_menu_button(tg: SimTelegram, rq: BotRequest) -> bool:
    p = rq.params
    button = p.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands",
                                                                   "web_app"):
        raise bad("can't parse menu button JSON object")
    if p.get("chat_id") not in (None, ""):
        tg.profile.menu_buttons[tg.chat_for(p, check_blocked=False).id] = button
    else:
        tg.profile.default_menu_button = button
    return True


@METHODS.register("getChatMenuButton")
def get_chat_menu_button(tg: SimTelegram, rq: BotRequest) -> dict:
    p = rq.params
    if p.get("chat_id") not in (None, ""):
        button = tg.profile.menu_buttons.get(tg.chat_for(p, check_blocked=False).id)
        if button and button.get("type") != "default":
            return dict(button)
    button = tg.profile.default_menu_button
    return dict(button) if button.get("type") != "default" else {"type": "commands"}


@METHODS.register("getChat")
def get_chat(tg: SimTelegram, rq: BotRequest) -> dict:
    u = tg.chat_for(rq.params, check_blocked=False)
    return {
        **u.chat_dict(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }
