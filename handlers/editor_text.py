"""Typed text for a coordinator's draft: a field's value, an authority form or a pasted appeal.
Any other text goes on to a coordinator's correction, then the letter wizard's signature step
(which hands the rest to the fallback), so this one handler comes first for all free text. A letter wizard waiting for a
signature goes first: a coordinator signing a letter is not typing into their draft."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import wizard as wz
from bot.services import services
from handlers import alert_followups, case_editor, importing
from handlers.roles import can_coordinate, user_id_of
from storage import wizard as wizard_store
from storage.case_drafts import get_draft


async def draft_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, user_id, chat = services(context), user_id_of(update), update.effective_chat
    draft = None
    if user_id is not None and chat is not None:
        async with svc.db.session() as session:
            draft = await get_draft(session=session, user_id=user_id)
            if draft is not None and draft.awaiting is not None:
                letter = await wizard_store.get_state(
                    session=session, chat_id=chat.id, fresh_after=svc.clock.now() - wz.WIZARD_TTL)
                if letter is not None and letter.step == wz.SIGNATURE:
                    draft = None
    if draft is None or draft.awaiting is None or not await can_coordinate(svc, user_id):
        await alert_followups.correction_text(update, context)  # then the signature step
    elif draft.awaiting == case_editor.PASTE:
        await importing.pasted_text(update, context, draft)
    else:
        await case_editor.typed_text(update, context, draft)
