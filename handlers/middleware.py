"""Handlers that run before the others for every update (group -1).

PTB runs one handler per group, so everything cross-cutting is one handler: a single session
for the little the bot checks about the person on every update. It is also the first database
call of every update: when the database is out of reach it answers "temporarily unavailable"
and stops the update there.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.db_faults import database_unavailable
from bot.services import services
from content.languages import from_telegram
from handlers.common import note_known, set_lang
from handlers.unavailable import tell_unavailable
from storage.supporters import arrival, interface_language, mark_reachable


async def before_every_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A person who writes to us again has unblocked the bot: deliver to them again. And the
    language every handler answers this update in (``lang_of``): their /language choice, else
    their Telegram client's."""
    chat, user = update.effective_chat, update.effective_user
    private = chat is not None and chat.type == "private"
    if not private and user is None:
        return
    detected = from_telegram(user.language_code if user else None)
    db = services(context).db
    try:
        if private and user is not None and user.id == chat.id:  # nearly every update
            async with db.autocommit() as conn:
                language, known = await arrival(conn=conn, chat_id=chat.id, detected=detected)
            set_lang(update, language)
            note_known(update, known)
            return
        async with db.session() as session:
            if private:
                await mark_reachable(session=session, chat_id=chat.id)
            if user is not None:
                set_lang(update, await interface_language(session=session, chat_id=user.id,
                                                          detected=detected))
    except Exception as error:
        if not database_unavailable(error):
            raise
        # The database is out of reach: one answer now, and no other handler tries it too.
        await tell_unavailable(update, error)
        raise ApplicationHandlerStop from None
