"""PTB's bot with two lean calls for the bot's most frequent answers, and one more try after a
short "retry after".

Every answer the bot sends or edits in place came back as a full ``Message`` (its user, chat,
entities and keyboard rebuilt as objects) that nobody read except its id: a sixth of the time
of a person's ``/start``, profiled in a burst of 200. :meth:`AppealBot.send_html` and
:meth:`AppealBot.edit_html` make the same Bot API calls through PTB's own request path (so its
errors — Forbidden, BadRequest, RetryAfter — are raised as always) and return only the id.

Telegram answers 429 "retry after N" to a chat sent more than about a message a second (an
alert, then the person's own command, say). An answer to a person is then sent once more
after those N seconds, if they are at most ``ANSWER_RETRY_LIMIT``: a late answer, not none.
Broadcasts do not come here: the delivery worker paces itself and has its own transport.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import RetryAfter
from telegram.ext import ExtBot

ANSWER_RETRY_LIMIT = 5.0  # seconds a person may wait for an answer Telegram held back

_NO_PREVIEW = {"is_disabled": True}
# A keyboard's JSON form, by the keyboard object: the card's keyboards are built once per set
# of buttons (handlers/keyboards.py caches them), so each is serialised once, not per answer.
_MARKUP_DATA: dict[int, tuple[InlineKeyboardMarkup, dict[str, Any]]] = {}
_MARKUPS_KEPT = 2048


def markup_data(markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    if markup is None:
        return None
    kept = _MARKUP_DATA.get(id(markup))
    if kept is not None and kept[0] is markup:
        return kept[1]
    data = markup.to_dict()
    if len(_MARKUP_DATA) >= _MARKUPS_KEPT:
        _MARKUP_DATA.clear()
    _MARKUP_DATA[id(markup)] = (markup, data)  # the markup is kept, so its id is not reused
    return data


class AppealBot(ExtBot):
    __slots__ = ()

    async def _post(self, endpoint: str, data: dict[str, Any] | None = None,
                    **kwargs: Any) -> Any:
        try:
            return await super()._post(endpoint, data, **kwargs)
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
            if endpoint == "getUpdates" or seconds > ANSWER_RETRY_LIMIT:
                raise
            await asyncio.sleep(seconds)
            return await super()._post(endpoint, data, **kwargs)

    async def send_html(self, chat_id: int, text: str,
                        reply_markup: InlineKeyboardMarkup | None = None, *,
                        protect: bool = False) -> int:
        """``sendMessage`` with HTML and no link preview; the new message's id."""
        data: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML",
                                "link_preview_options": _NO_PREVIEW,
                                "reply_markup": markup_data(reply_markup)}
        if protect:
            data["protect_content"] = True
        result = await self._post("sendMessage", data)
        return int(result["message_id"])

    async def edit_html(self, chat_id: int, message_id: int, text: str,
                        reply_markup: InlineKeyboardMarkup | None = None) -> None:
        """``editMessageText`` of one of the bot's messages, HTML and no link preview."""
        await self._post("editMessageText", {
            "chat_id": chat_id, "message_id": message_id, "text": text, "parse_mode": "HTML",
            "link_preview_options": _NO_PREVIEW, "reply_markup": markup_data(reply_markup)})
