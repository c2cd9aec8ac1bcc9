"""Handlers that run before the others for every update (group -1)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import services
from storage.supporters import mark_reachable


async def remember_reachable(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A person who writes to us again has unblocked the bot: deliver to them again."""
    chat = update.effective_chat
    if chat is not None and chat.type == "private":
        async with services(context).db.session() as session:
            await mark_reachable(session=session, chat_id=chat.id)
