"""Coordinator commands that message subscribers: a preview, then [Send] or [Cancel].

A command (/hearing, /news…) answers with a preview — the exact alert, with its buttons — and a
question saying how many will get it, with [Send] and [Cancel]. Send turns that question into
the status message the delivery worker edits as it goes. Each command is one
:func:`previewing` handler around its proposal function in :mod:`bot.coordination`; who may use
it is the command table's business (``handlers/command_table.py``).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.commands import Handler
from bot.coordination import broadcasts
from bot.coordination.kinds import DraftRequest, Propose
from bot.i18n import t
from bot.reminders import schedule_reminder_jobs
from bot.services import services
from handlers import keyboards as kb
from handlers.alert_followups import show_final_report
from handlers.common import acknowledge, lang_of, respond
from handlers.roles import can_coordinate, user_id_of
from storage.models import Alert

log = logging.getLogger(__name__)


def text_after_command(update: Update) -> str:
    """Everything after the /command, line breaks kept."""
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def previewing(propose: Propose) -> Handler:
    """The handler of a command that messages subscribers: check it with ``propose``, then
    show exactly what subscribers will get and ask [Send] / [Cancel]. Bad input raises
    :class:`bot.parsing.InputError`, which the command table answers."""

    async def preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        svc = services(context)
        lang = lang_of(update)
        request = DraftRequest(actor_id=user_id_of(update), now=svc.clock.now(),
                               text=text_after_command(update),
                               default_timezone=svc.settings.default_timezone,
                               reminder_offsets=tuple(svc.settings.reminder_offsets), lang=lang)
        async with svc.db.session() as session:
            draft = await broadcasts.make_draft(session=session, request=request,
                                                propose=propose)
        # First exactly what subscribers will get (text and buttons), then the question.
        await respond(update, draft.text, kb.alert_keyboard(draft.case_id, draft.case_open, lang),
                      edit=False)
        await respond(update, broadcasts.preview_question(draft, lang),
                      kb.broadcast_keyboard(draft.broadcast_id, draft.audience, lang),
                      edit=False)

    preview.__name__ = preview.__qualname__ = f"preview_{propose.__name__}"
    return preview


async def broadcast_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """[Send] or [Cancel] under a preview."""
    svc = services(context)
    lang = lang_of(update)
    query = update.callback_query
    parsed = kb.parse_broadcast(query.data)
    if parsed is None:
        await acknowledge(update, t("This button is not valid. Nothing was sent.", lang),
                          alert=True)
        return
    if not await can_coordinate(svc, user_id_of(update)):
        await acknowledge(update, t("This command is not available.", lang), alert=True)
        return
    broadcast_id, action = parsed
    message = query.message if query.message is not None and query.message.is_accessible \
        else None
    async with svc.db.session() as session:
        if action == kb.BROADCAST_SEND:
            result = await broadcasts.confirm_broadcast(
                session=session, broadcast_id=broadcast_id, actor_id=user_id_of(update),
                now=svc.clock.now(), reminder_offsets=svc.settings.reminder_offsets,
                default_timezone=svc.settings.default_timezone,
                status_chat_id=message.chat.id if message else None,
                status_message_id=message.message_id if message else None, lang=lang)
        else:
            result = await broadcasts.cancel_broadcast(
                session=session, broadcast_id=broadcast_id, actor_id=user_id_of(update),
                now=svc.clock.now(), lang=lang)
    if not result.ok and not result.final:
        # Already sent, already cancelled, or not this person's: say so, touch nothing.
        await acknowledge(update, result.message, alert=True)
        return
    await acknowledge(update)
    # The question becomes the status message (buttons gone); the delivery worker edits it
    # from here on. Should the worker have finished before this edit landed, put its final
    # report back (it edits only after marking the alert finished, so one of us has the last
    # word with the final report).
    await respond(update, result.message)
    if result.ok and result.alert_id is not None and result.recipients:
        async with svc.db.session() as session:
            alert = await session.get(Alert, result.alert_id)
            finished = alert is not None and alert.finished_at is not None
        if finished:
            await show_final_report(update, svc, result.alert_id, lang)
    if result.ok and result.event_ids:
        await _schedule_reminders(context.application)


async def _schedule_reminders(application: Application) -> None:
    """Let the reminder jobs pick up hearings that were added or moved."""
    try:
        await schedule_reminder_jobs(application)
    except Exception:
        log.warning("could not reschedule reminder jobs", exc_info=True)
