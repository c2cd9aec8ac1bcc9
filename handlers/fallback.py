"""Answers for everything no other handler took: never silence, never a traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import ContextTypes

from bot.db_faults import database_unavailable
from bot.i18n import t
from bot.log_throttle import routine
from handlers import keyboards as kb
from handlers.common import acknowledge, lang_of, respond
from handlers.unavailable import tell_unavailable

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    await respond(update, t("I don't know that command. /help lists what I can do.", lang),
                  kb.browse_keyboard(lang), edit=False)


async def free_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    await respond(update, t("I work with commands and buttons rather than conversation. Tap "
                            "below to see the cases, or send /help.", lang),
                  kb.browse_keyboard(lang), edit=False)


async def other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    await respond(update, t("I can't do anything with that kind of message. Send /help to see "
                            "what I can do.", lang), kb.browse_keyboard(lang), edit=False)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    log.info("unrecognised callback data from an old or forged button")
    await acknowledge(update, t("This button is out of date.", lang))
    await respond(update, t("That button belongs to an older message and no longer works. "
                            "Here is where you can start again.", lang),
                  kb.browse_keyboard(lang), edit=False)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and tell the person something went wrong, instead of going quiet. The
    database out of reach is no bug: "temporarily unavailable" and a throttled line."""
    if database_unavailable(context.error):
        await tell_unavailable(update, context.error)
        return
    if isinstance(context.error, RetryAfter):  # held back longer than a person should wait
        routine(log, "answer_rate_limited", "Telegram held back an answer to a person (429, "
                "more than about a message a second to one chat)",
                retry_after=context.error.retry_after)
        if isinstance(update, Update):
            await acknowledge(update)  # a button's spinner stops; the chat takes nothing now
        return
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await acknowledge(update)  # a button's spinner stops even when its handler failed
            await update.effective_chat.send_message(t(
                "Sorry — something went wrong on my side. Nothing was changed; please try "
                "again in a moment.", lang_of(update)))
        except Exception:
            log.warning("could not tell the user about the error", exc_info=True)
