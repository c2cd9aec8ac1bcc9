"""Answering people: answerCallbackQuery (a button press) and answerInlineQuery.

An inline answer is checked as Telegram checks it when the bot sends it (at most 50 results,
unique ids of 1-64 bytes, a message for every result), so a test sees the error the bot would
get; the sandbox simulates article and photo results.
"""

from __future__ import annotations

import re
import time
from typing import Any

from ..chat import Extras
from ..content import MAX_TEXT, caption_fields, check_inline_keyboard, formatted
from ..core import SimTelegram
from ..inline import Prepared
from ..models import CallbackAnswer, InlineAnswer
from ..protocol import ApiError, BotRequest, bad
from .table import MethodTable

METHODS = MethodTable()

MAX_RESULTS = 50
MAX_RESULT_ID = 64  # bytes
_START_PARAMETER_RE = re.compile(r"[A-Za-z0-9_-]+")
#: Telegram's other result types, which the sandbox does not simulate
_OTHER_TYPES = frozenset({"audio", "contact", "document", "game", "gif", "location", "mpeg4_gif",
                          "sticker", "venue", "video", "voice"})


@METHODS.register("answerCallbackQuery")
def answer_callback_query(tg: SimTelegram, rq: BotRequest) -> bool:
    p = rq.params
    query_id = str(p.get("callback_query_id") or "")
    q = tg.callback_query(query_id)
    text = p.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad("MESSAGE_TOO_LONG")
    q["answered"] = True
    u = tg.get_user(q["user"])
    answer = CallbackAnswer(
        query_id=query_id,
        text=str(text) if text not in (None, "") else None,
        show_alert=bool(p.get("show_alert")),
        url=p.get("url") or None,
        cache_time=p.get("cache_time"),
        data=q["data"],
        message_id=q["message_id"],
        time=time.time(),
    )
    u.callback_answers.append(answer)
    tg.emit("callback_answer", u.id, data={
        "query_id": query_id, "text": answer.text, "show_alert": answer.show_alert,
        "url": answer.url, "message_id": answer.message_id})
    return True


# ---------------------------------------------------------------------------- inline mode

@METHODS.register("answerInlineQuery")
def answer_inline_query(tg: SimTelegram, rq: BotRequest) -> bool:
    p = rq.params
    q = tg.inline.answerable(str(p.get("inline_query_id") or ""))
    next_offset = str(p.get("next_offset") or "")
    if len(next_offset.encode()) > 64:
        raise bad("NEXT_OFFSET_INVALID")
    button = _check_button(p.get("button"))
    results = p.get("results")
    if results is None:
        results = []
    if not isinstance(results, list):
        raise bad("Expected an Array of inline query results")
    if len(results) > MAX_RESULTS:
        raise bad("Too many inline query results specified")
    messages = {}
    for result in results:
        result_id, message = _check_result(tg, result)
        if not 1 <= len(result_id.encode()) <= MAX_RESULT_ID:
            raise bad("RESULT_ID_INVALID")
        if result_id in messages:
            raise bad("RESULT_ID_DUPLICATE")
        messages[result_id] = message
    try:
        cache_time = min(86400, max(0, int(p.get("cache_time", 300))))
    except (TypeError, ValueError):
        cache_time = 300
    answer = InlineAnswer(query_id=q.id, query=q.query, results=tuple(dict(r) for r in results),
                          cache_time=cache_time, is_personal=bool(p.get("is_personal")),
                          next_offset=next_offset, button=button, time=time.time())
    tg.inline.record(q, answer, messages)
    tg.emit("inline_answer", q.user_id, data={"query_id": q.id, "results": len(results)})
    return True


def _check_button(button: Any) -> dict | None:
    """The button above the results (InlineQueryResultsButton)."""
    if button is None:
        return None
    if not isinstance(button, dict):
        raise bad("Can't parse inline query results button: InlineQueryResultsButton must be "
                  "an Object")
    if not isinstance(button.get("text"), str):
        raise bad('Can\'t parse inline query results button: Can\'t find field "text"')
    if "start_parameter" in button:
        parameter = str(button["start_parameter"])
        if not parameter:
            raise bad("Can't use empty switch_pm_parameter")
        if len(parameter) > 64:
            raise bad("Too long switch_pm_parameter specified")
        if not _START_PARAMETER_RE.fullmatch(parameter):
            raise bad("Unallowed characters in switch_pm_parameter are used")
    elif not isinstance(button.get("web_app"), dict):
        raise bad("Can't parse inline query results button: InlineQueryResultsButton must have "
                  "exactly one optional field")
    return dict(button)


def _unparsable(reason: str) -> ApiError:
    return bad("Can't parse inline query result: " + reason)


def _string(result: dict, name: str) -> str:
    if name not in result:
        raise _unparsable(f'Can\'t find field "{name}"')
    if not isinstance(result[name], str):
        raise _unparsable(f'Field "{name}" must be of type String')
    return result[name]


def _check_result(tg: SimTelegram, result: Any) -> tuple[str, Prepared]:
    """A result's id and the message it posts when chosen."""
    if not isinstance(result, dict):
        raise _unparsable("Inline query result must be an object")
    kind = _string(result, "type").lower()
    result_id = _string(result, "id")
    content = result.get("input_message_content")
    if content is not None and not isinstance(content, dict):
        raise _unparsable('Field "input_message_content" must be of type Object')
    markup = result.get("reply_markup")
    if markup is not None:
        if not isinstance(markup, dict):
            raise _unparsable('Field "reply_markup" must be of type Object')
        markup = check_inline_keyboard(markup)
    if kind == "article":
        _string(result, "title")
        message = _text_message(content or result, required=None if content else "message_text")
    elif kind == "photo":
        if "photo_url" not in result:
            _string(result, "photo_file_id")
        message = _text_message(content) if content else _photo_message(tg, result)
    elif kind in _OTHER_TYPES:
        raise _unparsable(f'the sandbox does not simulate "{kind}" results')
    else:
        raise _unparsable(f'type "{kind}" is unsupported for the inline query result')
    if markup:
        message = Prepared({**message.fields, "reply_markup": markup}, message.extras)
    return result_id, message


def _text_message(content: dict, required: str | None = None) -> Prepared:
    """An InputTextMessageContent (or an article's legacy message_text)."""
    if required:
        _string(content, required)
    text = content.get("message_text")
    if not isinstance(text, str) or not text:
        raise _unparsable("Input message content is not specified")
    try:
        plain, entities = formatted(text, content.get("parse_mode"), content.get("entities"))
    except ApiError as err:  # "Bad Request: can't parse entities: ..." inside a result
        raise _unparsable("C" + err.description.removeprefix("Bad Request: c")) from None
    if not plain:
        raise bad("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad("MESSAGE_TOO_LONG")
    fields: dict[str, Any] = {"text": plain}
    if entities:
        fields["entities"] = entities
    options = content.get("link_preview_options")
    no_preview = bool(content.get("disable_web_page_preview")) or (
        isinstance(options, dict) and bool(options.get("is_disabled")))
    if no_preview:
        fields["link_preview_options"] = {"is_disabled": True}
    return Prepared(fields, Extras(html=text, parse_mode=content.get("parse_mode") or None,
                                   link_preview_disabled=no_preview))


def _photo_message(tg: SimTelegram, result: dict) -> Prepared:
    """A photo result's own message: the photo (a file_id, or a URL) with its caption."""
    if "photo_file_id" in result and "photo_url" not in result:
        photo = tg.files.get(str(result["photo_file_id"]))
        if photo is None or photo.width is None:
            raise bad("wrong file identifier/HTTP URL specified")
    else:
        url = _string(result, "photo_url")
        if not url.startswith(("http://", "https://")):
            raise bad("Wrong HTTP URL specified")
        # no internet in the sandbox: the photo keeps its URL as name and has no bytes
        photo = tg.files.store(b"", url, "image/jpeg", kind="photo", size=(
            _int(result.get("photo_width")), _int(result.get("photo_height"))))
    html, fields = caption_fields(result)
    fields["photo"] = tg.files.photo_sizes(photo)
    return Prepared(fields, Extras(html=html, parse_mode=result.get("parse_mode") or None,
                                   photo=photo))


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0
