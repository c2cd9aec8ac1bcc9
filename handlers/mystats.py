"""/mystats: a supporter's own numbers and personal links."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.mystats import my_stats_text
from bot.services import services
from handlers.common import lang_of, respond


async def my_stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    async with services(context).db.session() as session:
        text = await my_stats_text(session=session, chat_id=update.effective_chat.id,
                                   bot_username=context.bot.username, lang=lang_of(update))
    await respond(update, text, edit=False)
