"""Small helpers every handler uses: the person's language, answering in place or anew."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.fitting import fit_html, fit_plain
from bot.telegram_bot import AppealBot
from content.languages import from_telegram

log = logging.getLogger(__name__)

# The language the middleware resolved for the update being handled. PTB runs every handler
# group of one update in one task, so concurrent updates never see each other's; the update is
# kept alongside so a value left over from an earlier update is never taken for this one's.
_UPDATE_LANGUAGE: ContextVar[tuple[Update, str] | None] = ContextVar("update_language",
                                                                     default=None)


# Whether the middleware found this person stored before this update (None: it did not look).
_UPDATE_KNOWN: ContextVar[tuple[Update, bool] | None] = ContextVar("update_known", default=None)


def set_lang(update: Update, language: str) -> None:
    """Called by the middleware (group -1) once it knows this person's language."""
    _UPDATE_LANGUAGE.set((update, language))


def note_known(update: Update, known: bool) -> None:
    """Called by the middleware: whether the bot had this person stored when the update came."""
    _UPDATE_KNOWN.set((update, known))


def known_before(update: Update) -> bool | None:
    """Whether this person was stored before this update; None if nobody looked."""
    noted = _UPDATE_KNOWN.get()
    return noted[1] if noted is not None and noted[0] is update else None


def lang_of(update: Update) -> str:
    """The interface language for this update: the person's /language choice, else their
    Telegram client's language (``ru*`` → Russian, ``kk*`` → Kazakh, anything else English)."""
    resolved = _UPDATE_LANGUAGE.get()
    if resolved is not None and resolved[0] is update:
        return resolved[1]
    user = update.effective_user
    return from_telegram(user.language_code if user else None)


async def respond(update: Update, text: str, markup: InlineKeyboardMarkup | None = None, *,
                  edit: bool = True, protect: bool = False) -> int | None:
    """Answer a button by editing its message (when ``edit``), a command with a new message;
    the id of the message edited or sent (None if there is no chat to answer in). ``protect``:
    a new message can't be forwarded or saved (an edit keeps what the message had).

    Every text goes through the one fitting step, so no answer is too long for Telegram."""
    text = fit_html(text)
    bot: AppealBot = update.get_bot()  # bot.app builds the Application with one
    query = update.callback_query
    if query is not None and edit and query.message is not None:
        message_id = query.message.message_id
        try:
            await bot.edit_html(query.message.chat.id, message_id, text, markup)
            return message_id
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return message_id
            log.info("could not edit message, sending a new one: %s", error)
    chat = update.effective_chat
    if chat is None:
        return None
    return await bot.send_html(chat.id, text, markup, protect=protect)


async def drop_buttons(update: Update, message_id: int | None,
                       keep: InlineKeyboardMarkup | None = None) -> None:
    """Take the inline buttons off one of the bot's earlier messages in this chat, or put
    ``keep`` in their place (best effort: a message already so, or deleted, stays as it is)."""
    if message_id is None or update.effective_chat is None:
        return
    try:
        await update.get_bot().edit_message_reply_markup(
            chat_id=update.effective_chat.id, message_id=message_id, reply_markup=keep)
    except BadRequest as error:
        log.debug("could not change old buttons: %s", error)


async def acknowledge(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the button press (Telegram shows a spinner until we do)."""
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(fit_plain(text) if text else text,
                                               show_alert=alert)
        except BadRequest as error:  # a query older than Telegram's window
            log.info("callback answer failed: %s", error)
