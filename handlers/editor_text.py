"""Typed text for a coordinator's draft: a field's value, an authority form or a pasted appeal.
Any other text goes on to the letter wizard's signature step (which hands the rest to the
fallback), so this one handler comes first for all free text."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import services
from handlers import case_editor, importing, letters
from handlers.roles import can_coordinate, user_id_of
from storage.case_drafts import get_draft


async def draft_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, user_id = services(context), user_id_of(update)
    draft = None
    if user_id is not None:
        async with svc.db.session() as session:
            draft = await get_draft(session=session, user_id=user_id)
    if draft is None or draft.awaiting is None or not await can_coordinate(svc, user_id):
        await letters.signature_text(update, context)
    elif draft.awaiting == case_editor.PASTE:
        await importing.pasted_text(update, context, draft)
    else:
        await case_editor.typed_text(update, context, draft)
