"""Changing what was sent: editMessageText, editMessageCaption, editMessageReplyMarkup,
deleteMessage and deleteMessages.

The bot edits its own messages, whenever they were sent, and the inline messages people sent
through it (by inline_message_id); an edit that changes nothing answers "message is not
modified". In a private chat it deletes its own messages and the person's,
within 48 hours of sending.
"""

from __future__ import annotations

import time

from ..chat import ChatLog
from ..content import MAX_CAPTION, check_markup, formatted, message_text, refuse_unchanged
from ..core import SimTelegram
from ..protocol import BotRequest, bad
from .table import MethodTable

METHODS = MethodTable()

DELETE_WINDOW = 48 * 3600  # seconds after sending during which a message may be deleted


def _target(tg: SimTelegram, p: dict) -> tuple[ChatLog, dict]:
    """The message an edit names: by chat_id + message_id (the bot's own), or by
    inline_message_id (one a person sent through the bot's inline mode)."""
    if p.get("inline_message_id"):
        found = tg.inline.message(str(p["inline_message_id"]))
        raw = found[0].raw(found[1]) if found else None
        if found is None or raw is None:
            raise bad("MESSAGE_ID_INVALID")
        return found[0], raw
    u = tg.chat_for(p)
    raw = u.chat.raw(p.get("message_id"))
    if raw is None:
        raise bad("message to edit not found")
    if raw["from"].get("id") != tg.bot_id:
        raise bad("message can't be edited")
    return u.chat, raw


def _edited(tg: SimTelegram, p: dict, chat: ChatLog, raw: dict, changes: dict,
            **shown: str | None) -> dict | bool:
    """Apply an edit; an inline message's edit answers True, as at Telegram."""
    message = tg.edit_message(chat, raw["message_id"], changes, **shown)
    return True if p.get("inline_message_id") else message


@METHODS.register("editMessageText")
def edit_message_text(tg: SimTelegram, rq: BotRequest) -> dict | bool:
    p = rq.params
    chat, raw = _target(tg, p)
    if "text" not in raw:
        raise bad("there is no text in the message to edit")
    text, plain, entities = message_text(p)
    markup, _keyboard = check_markup(p.get("reply_markup"))
    refuse_unchanged(raw, {"text": plain, "entities": entities, "reply_markup": markup})
    changes = {"text": plain, "entities": entities or None, "reply_markup": markup}
    return _edited(tg, p, chat, raw, changes, html=text, parse_mode=p.get("parse_mode") or None)


@METHODS.register("editMessageCaption")
def edit_message_caption(tg: SimTelegram, rq: BotRequest) -> dict | bool:
    p = rq.params
    chat, raw = _target(tg, p)
    if "text" in raw:
        raise bad("there is no caption in the message to edit")
    caption = str(p.get("caption") or "")
    plain, entities = formatted(caption, p.get("parse_mode"), p.get("caption_entities"),
                                caption=True)
    if len(plain) > MAX_CAPTION:
        raise bad("message caption is too long")
    markup, _keyboard = check_markup(p.get("reply_markup"))
    refuse_unchanged(raw, {"caption": plain, "caption_entities": entities,
                           "reply_markup": markup})
    changes = {"caption": plain or None, "caption_entities": entities or None,
               "reply_markup": markup}
    return _edited(tg, p, chat, raw, changes, html=caption or None,
                   parse_mode=p.get("parse_mode") or None)


@METHODS.register("editMessageReplyMarkup")
def edit_message_reply_markup(tg: SimTelegram, rq: BotRequest) -> dict | bool:
    p = rq.params
    chat, raw = _target(tg, p)
    markup, _keyboard = check_markup(p.get("reply_markup"))
    refuse_unchanged(raw, {"reply_markup": markup})
    return _edited(tg, p, chat, raw, {"reply_markup": markup})


@METHODS.register("deleteMessage")
def delete_message(tg: SimTelegram, rq: BotRequest) -> bool:
    p = rq.params
    u = tg.chat_for(p, check_blocked=False)
    raw = u.chat.raw(p.get("message_id"))
    if raw is None:
        raise bad("message to delete not found")
    if time.time() - raw["date"] > DELETE_WINDOW:
        raise bad("message can't be deleted")
    return tg.delete_message(u, raw["message_id"])


@METHODS.register("deleteMessages")
def delete_messages(tg: SimTelegram, rq: BotRequest) -> bool:
    p = rq.params
    u = tg.chat_for(p, check_blocked=False)
    ids = p.get("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad("message_ids must be a non-empty list")
    for message_id in ids:  # Telegram skips the ones it can't find or delete
        raw = u.chat.raw(message_id)
        if raw is not None and time.time() - raw["date"] <= DELETE_WINDOW:
            tg.delete_message(u, message_id)
    return True
