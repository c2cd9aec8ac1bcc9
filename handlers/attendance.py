"""[I'll attend] / [I'll follow online] under a hearing's reminder: toggled, one answer each."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.services import services
from handlers import keyboards as kb
from handlers.common import acknowledge, lang_of
from handlers.fallback import stale_button
from storage import attendance as queries
from storage.events import get_event
from storage.models import Case, EventStatus
from storage.supporters import ensure_supporter


async def attendance_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    parsed = kb.parse_attendance(update.callback_query.data)
    if parsed is None:
        await stale_button(update, context)
        return
    event_id, mode = parsed
    chat_id = update.effective_chat.id
    async with services(context).db.session() as session:
        event = await get_event(session=session, event_id=event_id)
        if event is None or event.status != EventStatus.SCHEDULED:
            answer, case_open, case_id = None, False, None
        else:
            await ensure_supporter(session=session, chat_id=chat_id, language=lang)
            answer = await queries.toggle(session=session, event_id=event_id, chat_id=chat_id,
                                          mode=mode)
            case = await session.get(Case, event.case_id)
            case_open, case_id = case is not None and case.is_open, event.case_id
    if case_id is None:
        await acknowledge(update, t("This hearing is no longer scheduled.", lang), alert=True)
        return
    await acknowledge(update, {kb.ATTEND: t("🙋 Thank you — see you there.", lang),
                               kb.ONLINE: t("💻 Thank you for following it.", lang),
                               None: t("Your answer was taken back.", lang)}[answer])
    markup = kb.alert_keyboard(case_id, case_open, lang, hearing_id=event_id,
                               attendance=True, attending=answer)
    try:
        await update.callback_query.edit_message_reply_markup(markup)
    except BadRequest:  # unchanged, or too old to edit: the answer is stored all the same
        pass
