"""Leaving a case from an alert, and taking it back: [🔕 Unsubscribe] under an alert answers in a
new message with [↩️ Undo], so the alert itself stays readable and one tap restores the
subscription (a second tap changes nothing)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import render
from bot.i18n import t
from handlers import keyboards as kb
from handlers.cases import case_from_button, subscribe_to, unsubscribe_from, unsubscribed_text
from handlers.common import acknowledge, lang_of, respond


async def alert_unsubscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    case_row = await case_from_button(update, context, kb.ALERT_UNSUBSCRIBE)
    if case_row is None:
        return
    lang = lang_of(update)
    removed = await unsubscribe_from(update, context, case_row)
    if removed:
        text = unsubscribed_text(case_row, lang)
        markup = kb.undo_unsubscribe_keyboard(case_row.id, lang)
    else:
        text = t("You were not following <b>{title}</b>.", lang,
                 title=render.escape(render.case_title(case_row, lang)))
        markup = kb.open_case_keyboard(case_row.id, lang)
    await acknowledge(update, t("Unsubscribed", lang) if removed else None)
    await respond(update, text, markup, edit=False)


async def undo_unsubscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """[↩️ Undo]: follow the case again; the message says so and keeps [Open case]."""
    case_row = await case_from_button(update, context, kb.UNDO_UNSUBSCRIBE)
    if case_row is None:
        return
    lang = lang_of(update)
    notice = await subscribe_to(update, context, case_row)
    await acknowledge(update)
    await respond(update, notice, kb.open_case_keyboard(case_row.id, lang))
