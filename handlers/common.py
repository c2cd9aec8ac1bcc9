"""Small helpers every handler uses: the person's language, answering in place or anew."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.fitting import fit_html, fit_plain
from bot.i18n import DEFAULT_LANGUAGE

log = logging.getLogger(__name__)


def lang_of(update: Update) -> str:
    # Only English has a catalog so far; t() falls back to English for any other language.
    user = update.effective_user
    code = (user.language_code or DEFAULT_LANGUAGE) if user else DEFAULT_LANGUAGE
    return code.split("-")[0][:8]


async def respond(update: Update, text: str, markup: InlineKeyboardMarkup | None = None, *,
                  edit: bool = True) -> None:
    """Answer a button by editing its message (when ``edit``), a command with a new message.

    Every text goes through the one fitting step, so no answer is too long for Telegram."""
    text = fit_html(text)
    query = update.callback_query
    if query is not None and edit and query.message is not None:
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                          disable_web_page_preview=True)
            return
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
            log.info("could not edit message, sending a new one: %s", error)
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup,
                            disable_web_page_preview=True)


async def acknowledge(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the button press (Telegram shows a spinner until we do)."""
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(fit_plain(text) if text else text,
                                               show_alert=alert)
        except BadRequest as error:  # a query older than Telegram's window
            log.info("callback answer failed: %s", error)
