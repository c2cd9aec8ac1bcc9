"""PTB's bot with two lean calls for the bot's most frequent answers.

Every answer the bot sends or edits in place came back as a full ``Message`` (its user, chat,
entities and keyboard rebuilt as objects) that nobody read except its id: a sixth of the time
of a person's ``/start``, profiled in a burst of 200. :meth:`AppealBot.send_html` and
:meth:`AppealBot.edit_html` make the same Bot API calls through PTB's own request path (so its
errors — Forbidden, BadRequest, RetryAfter — are raised as always) and return only the id.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import ExtBot

_NO_PREVIEW = {"is_disabled": True}


class AppealBot(ExtBot):
    __slots__ = ()

    async def send_html(self, chat_id: int, text: str,
                        reply_markup: InlineKeyboardMarkup | None = None, *,
                        protect: bool = False) -> int:
        """``sendMessage`` with HTML and no link preview; the new message's id."""
        data: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML",
                                "link_preview_options": _NO_PREVIEW,
                                "reply_markup": reply_markup}
        if protect:
            data["protect_content"] = True
        result = await self._post("sendMessage", data)
        return int(result["message_id"])

    async def edit_html(self, chat_id: int, message_id: int, text: str,
                        reply_markup: InlineKeyboardMarkup | None = None) -> None:
        """``editMessageText`` of one of the bot's messages, HTML and no link preview."""
        await self._post("editMessageText", {
            "chat_id": chat_id, "message_id": message_id, "text": text, "parse_mode": "HTML",
            "link_preview_options": _NO_PREVIEW, "reply_markup": reply_markup})
