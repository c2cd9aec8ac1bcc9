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
from bot.coordination.kinds import Propose
from bot.i18n import t
from bot.reminders import schedule_reminder_jobs
from bot.services import services
from handlers import keyboards as kb
from handlers import walks
from handlers.alert_followups import show_final_report
from handlers.common import acknowledge, lang_of, respond
from handlers.previews import show_preview, text_after_command
from handlers.roles import can_coordinate, scope_for, user_id_of
from storage.models import Alert

log = logging.getLogger(__name__)


def previewing(propose: Propose, walk: str | None = None) -> Handler:
    """The handler of a command that messages subscribers: check it with ``propose``, then
    show exactly what subscribers will get and ask [Send] / [Cancel]. Bad input raises
    :class:`bot.parsing.InputError`, which the command table answers. Given without arguments,
    a command with a ``walk`` (``bot.coordination.walks.WALKS``) asks for them with buttons."""
    if walk is not None:
        walks.register(walk, propose)

    async def preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = text_after_command(update)
        if walk is not None and not text.strip():
            await walks.begin(update, context, walk)
            return
        await show_preview(update, context, propose, text)

    preview.__name__ = preview.__qualname__ = f"preview_{propose.__name__}"
    return preview


async def preview_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An alert button pressed in a preview: nothing happens to the preview."""
    await acknowledge(update, t("This is a preview: these buttons work in the subscribers' "
                                "copies, not here.", lang_of(update)), alert=True)


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
    scope = await scope_for(svc, user_id_of(update))
    message = query.message if query.message is not None and query.message.is_accessible \
        else None
    async with svc.db.session() as session:
        if action == kb.BROADCAST_SEND:
            result = await broadcasts.confirm_broadcast(
                session=session, broadcast_id=broadcast_id, actor_id=user_id_of(update),
                now=svc.clock.now(), reminder_offsets=svc.settings.reminder_offsets,
                default_timezone=svc.settings.default_timezone,
                status_chat_id=message.chat.id if message else None,
                status_message_id=message.message_id if message else None, lang=lang,
                scope=scope)
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
