"""Sending: sendMessage, sendDocument, sendPhoto, sendChatAction, and getFile for downloads.

Every send is checked in Telegram's order: the chat, the content, the reply markup, the message
replied to, then whether the person blocked the bot, then the flood limits.
"""

from __future__ import annotations

from typing import Any

from ..chat import Extras
from ..content import caption_fields, check_markup, message_text
from ..core import SimTelegram
from ..people import SimUser
from ..protocol import ApiError, BotRequest, bad
from .table import MethodTable

METHODS = MethodTable()

#: methods that count as a sent message (server.stats, flood limits)
SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})

_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)


@METHODS.register("sendMessage")
def send_message(tg: SimTelegram, rq: BotRequest) -> dict:
    p = rq.params
    u = tg.chat_for(p, check_blocked=False)
    text, plain, entities = message_text(p)
    markup, keyboard = check_markup(p.get("reply_markup"))
    fields: dict[str, Any] = {"text": plain}
    if entities:
        fields["entities"] = entities
    fields |= _reply_to(u, p)
    options = p.get("link_preview_options")
    no_preview = bool(p.get("disable_web_page_preview")) or (
        isinstance(options, dict) and bool(options.get("is_disabled")))
    if isinstance(options, dict):
        fields["link_preview_options"] = options
    elif no_preview:
        fields["link_preview_options"] = {"is_disabled": True}
    _may_send(tg, u, p)
    fields |= _common_fields(p, markup)
    extras = Extras(html=text, parse_mode=p.get("parse_mode") or None, keyboard=keyboard,
                    link_preview_disabled=no_preview)
    return tg.post_bot_message(u, fields, extras)


@METHODS.register("sendDocument")
def send_document(tg: SimTelegram, rq: BotRequest) -> dict:
    return _send_file(tg, rq, "document")


@METHODS.register("sendPhoto")
def send_photo(tg: SimTelegram, rq: BotRequest) -> dict:
    return _send_file(tg, rq, "photo")


def _send_file(tg: SimTelegram, rq: BotRequest, kind: str) -> dict:
    p = rq.params
    u = tg.chat_for(p, check_blocked=False)
    file = tg.files.input_file(rq, kind)
    html, fields = caption_fields(p)
    markup, keyboard = check_markup(p.get("reply_markup"))
    fields |= _reply_to(u, p)
    _may_send(tg, u, p)
    doc = tg.files.keep(file, kind)
    if kind == "photo":
        fields["photo"] = tg.files.photo_sizes(doc)
        if p.get("show_caption_above_media"):
            fields["show_caption_above_media"] = True
        if p.get("has_spoiler"):
            fields["has_media_spoiler"] = True
        extras = Extras(html=html, parse_mode=p.get("parse_mode") or None, keyboard=keyboard,
                        photo=doc)
    else:
        fields["document"] = tg.files.document_dict(doc)
        extras = Extras(html=html, parse_mode=p.get("parse_mode") or None, keyboard=keyboard,
                        document=doc)
    fields |= _common_fields(p, markup)
    return tg.post_bot_message(u, fields, extras)


def _may_send(tg: SimTelegram, u: SimUser, p: dict) -> None:
    """The last checks of a send: the person has not blocked the bot, the flood limits."""
    if u.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    tg.flood.take(u.id, paid_broadcast=bool(p.get("allow_paid_broadcast")))


def _common_fields(p: dict, markup: dict | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if markup:
        fields["reply_markup"] = markup
    if p.get("protect_content"):
        fields["has_protected_content"] = True
    return fields


def _reply_to(u: SimUser, p: dict) -> dict[str, Any]:
    """``reply_to_message`` for a send with reply_parameters (or reply_to_message_id)."""
    rp = p.get("reply_parameters")
    message_id = None
    allow = bool(p.get("allow_sending_without_reply"))
    if isinstance(rp, dict):
        message_id = rp.get("message_id")
        allow = allow or bool(rp.get("allow_sending_without_reply"))
    elif p.get("reply_to_message_id"):
        message_id = p.get("reply_to_message_id")
    if message_id is None:
        return {}
    raw = u.chat.raw(message_id)
    if raw is None:
        if allow:
            return {}
        raise bad("message to be replied not found")
    raw.pop("reply_to_message", None)
    return {"reply_to_message": raw}


@METHODS.register("sendChatAction")
def send_chat_action(tg: SimTelegram, rq: BotRequest) -> bool:
    u = tg.chat_for(rq.params)
    action = rq.params.get("action")
    if action not in _CHAT_ACTIONS:
        raise bad("wrong parameter action in request")
    tg.emit("chat_action", u.id, data={"action": action})
    return True


@METHODS.register("getFile")
def get_file(tg: SimTelegram, rq: BotRequest) -> dict:
    info = tg.files.file_info(str(rq.params.get("file_id") or ""))
    if info is None:
        raise bad("invalid file_id")
    return info
