"""Coordinator commands: hearings, outcomes, news, closing a case, statistics, case uploads.

Owners come from ADMIN_IDS; owners add and remove coordinators in chat. Everyone else who tries
a command here gets a plain "not available" and nothing changes. Each handler parses the update,
calls :mod:`bot.coordination` and renders the answer.

A command that messages subscribers answers with a preview — the exact alert, with its buttons —
and a question saying how many will get it, with [Send] and [Cancel]. Send turns that question
into the status message the delivery worker edits as it goes.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from html import escape

from telegram import (
    BotCommandScopeChat,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot import alert_texts, coordination
from bot.alerts import alert_report, wake_delivery
from bot.delivery import format_report
from bot.i18n import t
from bot.reminders import schedule_reminder_jobs
from bot.services import SERVICES_KEY, Services, services
from handlers import fallback
from handlers import keyboards as kb
from handlers.common import acknowledge, lang_of, respond
from handlers.menus import command_menu
from storage import coordinators as coordinator_queries
from storage.models import Alert

log = logging.getLogger(__name__)

BROADCAST_PATTERN = kb.pattern(kb.BROADCAST)

# The command menu of a coordinator (and of an owner, who also manages coordinators). English
# descriptions, translated when the menu is published.
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


# ------------------------------------------------------------------------------------------
# Who may do what

def _user_id(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None


def is_owner(svc: Services, user_id: int | None) -> bool:
    return user_id is not None and user_id in svc.settings.admin_ids


async def can_coordinate(svc: Services, user_id: int | None) -> bool:
    if user_id is None:
        return False
    if is_owner(svc, user_id):
        return True
    async with svc.db.session() as session:
        return await coordinator_queries.is_coordinator(session=session, user_id=user_id)


async def role_of(svc: Services, user_id: int | None) -> str | None:
    """"owner", "coordinator" or None (a supporter)."""
    if is_owner(svc, user_id):
        return "owner"
    return "coordinator" if await can_coordinate(svc, user_id) else None


async def _not_available(update: Update) -> None:
    await respond(update, t("This command is not available.", lang_of(update)), edit=False)


def coordinators_only(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await can_coordinate(services(context), _user_id(update)):
            log.info("refused %s to a non-coordinator", handler.__name__)
            await _not_available(update)
            return
        await handler(update, context)
    return guarded


def owners_only(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not is_owner(services(context), _user_id(update)):
            log.info("refused %s to a non-owner", handler.__name__)
            await _not_available(update)
            return
        await handler(update, context)
    return guarded


# ------------------------------------------------------------------------------------------
# Parsing helpers

def _text_after_command(update: Update) -> tuple[str | None, str]:
    """(first word, the rest with its line breaks) of the text after the /command."""
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    parts = text.split(maxsplit=1)
    rest = parts[1].strip() if len(parts) > 1 else ""
    if not rest:
        return None, ""
    head = re.split(r"\s+", rest, maxsplit=1)
    return head[0], head[1] if len(head) > 1 else ""


# ------------------------------------------------------------------------------------------
# Previews and [Send] / [Cancel]

async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE,
                   build: Callable[..., Awaitable[coordination.Draft]], **kwargs: object) -> None:
    svc = services(context)
    lang = lang_of(update)
    try:
        async with svc.db.session() as session:
            draft = await build(session=session, actor_id=_user_id(update),
                                now=svc.clock.now(), lang=lang, **kwargs)
    except coordination.CommandError as error:
        await respond(update, error.text, edit=False)
        return
    # First exactly what subscribers will get (text and buttons), then the question.
    await respond(update, draft.text, kb.alert_keyboard(draft.case_id, draft.case_open),
                  edit=False)
    await respond(update, coordination.preview_question(draft, lang),
                  kb.broadcast_keyboard(draft.broadcast_id, draft.audience, lang), edit=False)


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
    if not await can_coordinate(svc, _user_id(update)):
        await acknowledge(update, t("This command is not available.", lang), alert=True)
        return
    broadcast_id, action = parsed
    message = query.message if query.message is not None and query.message.is_accessible \
        else None
    async with svc.db.session() as session:
        if action == "send":
            result = await coordination.confirm_broadcast(
                session=session, broadcast_id=broadcast_id, actor_id=_user_id(update),
                now=svc.clock.now(), reminder_offsets=svc.settings.reminder_offsets,
                default_timezone=svc.settings.default_timezone,
                status_chat_id=message.chat.id if message else None,
                status_message_id=message.message_id if message else None, lang=lang)
        else:
            result = await coordination.cancel_broadcast(
                session=session, broadcast_id=broadcast_id, actor_id=_user_id(update),
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
        wake_delivery(svc.extras)
        async with svc.db.session() as session:
            alert = await session.get(Alert, result.alert_id)
            report = await alert_report(session, result.alert_id) if alert.finished_at else None
        if report is not None:
            await respond(update, format_report(report, lang))
    if result.ok and result.event_ids:
        await _schedule_reminders(context.application)


async def _schedule_reminders(application: Application) -> None:
    """Let the reminder jobs pick up hearings that were added or moved."""
    try:
        await schedule_reminder_jobs(application)
    except Exception:
        log.warning("could not reschedule reminder jobs", exc_info=True)


# ------------------------------------------------------------------------------------------
# Commands that message subscribers

@coordinators_only
async def hearing_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/hearing <case> <YYYY-MM-DD HH:MM> [place…]"""
    await _hearing(update, context, alert_texts.HEARING)


@coordinators_only
async def appeal_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/appeal <case> <YYYY-MM-DD HH:MM> [place…]"""
    await _hearing(update, context, alert_texts.APPEAL_HEARING)


async def _hearing(update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str) -> None:
    settings = services(context).settings
    await _preview(update, context, coordination.draft_hearing, kind=kind,
                   args=list(context.args or []), default_timezone=settings.default_timezone,
                   reminder_offsets=settings.reminder_offsets)


@coordinators_only
async def postpone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/postpone <event id> <YYYY-MM-DD HH:MM>"""
    await _preview(update, context, coordination.draft_postpone, args=list(context.args or []),
                   default_timezone=services(context).settings.default_timezone)


@coordinators_only
async def cancel_hearing_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancelhearing <event id>"""
    await _preview(update, context, coordination.draft_cancel, args=list(context.args or []),
                   default_timezone=services(context).settings.default_timezone)


@coordinators_only
async def outcome_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/outcome <event id> <text>"""
    event_arg, text = _text_after_command(update)
    await _preview(update, context, coordination.draft_outcome, event_arg=event_arg, text=text,
                   default_timezone=services(context).settings.default_timezone)


@coordinators_only
async def news_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/news <case> <text>"""
    slug, text = _text_after_command(update)
    await _preview(update, context, coordination.draft_news, slug=slug, text=text)


@coordinators_only
async def close_case_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/closecase <case> <text>"""
    slug, text = _text_after_command(update)
    await _preview(update, context, coordination.draft_close, slug=slug, text=text)


# ------------------------------------------------------------------------------------------
# Reports

@coordinators_only
async def upcoming_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    async with svc.db.session() as session:
        text = await coordination.upcoming_text(
            session=session, now=svc.clock.now(),
            default_timezone=svc.settings.default_timezone, lang=lang_of(update))
    await respond(update, text, edit=False)


@coordinators_only
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [case]"""
    svc = services(context)
    args = list(context.args or [])
    lang = lang_of(update)
    if len(args) > 1:
        await respond(update, coordination.usage("stats", lang), edit=False)
        return
    try:
        async with svc.db.session() as session:
            text = await coordination.stats_text(session=session, now=svc.clock.now(),
                                                 slug=args[0] if args else None, lang=lang)
    except coordination.CommandError as error:
        text = error.text
    await respond(update, text, edit=False)


@coordinators_only
async def audit_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    async with services(context).db.session() as session:
        text = await coordination.audit_text(session=session, lang=lang_of(update))
    await respond(update, text, edit=False)


# ------------------------------------------------------------------------------------------
# Coordinators (owners only)

@owners_only
async def coordinators_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    async with svc.db.session() as session:
        text = await coordination.coordinators_text(session=session,
                                                    owners=svc.settings.admin_ids,
                                                    lang=lang_of(update))
    await respond(update, text, edit=False)


@owners_only
async def add_coordinator_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/addcoordinator <user id>"""
    svc = services(context)
    lang = lang_of(update)
    args = list(context.args or [])
    user_id = coordination.parse_id(args[0]) if len(args) == 1 else None
    if user_id is None:
        await respond(update, coordination.usage("addcoordinator", lang), edit=False)
        return
    if is_owner(svc, user_id):
        await respond(update, t("<code>{id}</code> is an owner (ADMIN_IDS) and can already "
                                "coordinate.", lang, id=user_id), edit=False)
        return
    async with svc.db.session() as session:
        added = await coordination.add_coordinator(session=session, owner_id=_user_id(update),
                                                   user_id=user_id, now=svc.clock.now())
    if added:
        await publish_menu(context.application, user_id, "coordinator")
        text = t("✅ <code>{id}</code> is now a coordinator. Their command menu shows the "
                 "coordinator commands.", lang, id=user_id)
    else:
        text = t("<code>{id}</code> is already a coordinator.", lang, id=user_id)
    await respond(update, text, edit=False)


@owners_only
async def remove_coordinator_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/removecoordinator <user id>"""
    svc = services(context)
    lang = lang_of(update)
    args = list(context.args or [])
    user_id = coordination.parse_id(args[0]) if len(args) == 1 else None
    if user_id is None:
        await respond(update, coordination.usage("removecoordinator", lang), edit=False)
        return
    if is_owner(svc, user_id):
        await respond(update, t("<code>{id}</code> is an owner: owners come from ADMIN_IDS in "
                                "the configuration, not from chat.", lang, id=user_id),
                      edit=False)
        return
    async with svc.db.session() as session:
        removed = await coordination.remove_coordinator(
            session=session, owner_id=_user_id(update), user_id=user_id, now=svc.clock.now())
    if removed:
        await publish_menu(context.application, user_id, None)
        text = t("✅ <code>{id}</code> is no longer a coordinator.", lang, id=user_id)
    else:
        text = t("<code>{id}</code> is not a coordinator. /coordinators lists them.", lang,
                 id=user_id)
    await respond(update, text, edit=False)


# ------------------------------------------------------------------------------------------
# Case files sent as documents

async def case_file_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A coordinator's YAML case file adds or updates that case; others get the usual answer."""
    svc = services(context)
    if not await can_coordinate(svc, _user_id(update)):
        await fallback.other_message(update, context)
        return
    lang = lang_of(update)
    document = update.effective_message.document
    filename = document.file_name or "case.yaml"
    if not filename.lower().endswith((".yaml", ".yml")):
        await respond(update, t("To add or update a case, send its case file: a .yaml file "
                                "like those in content/cases.", lang), edit=False)
        return
    if document.file_size and document.file_size > coordination.MAX_UPLOAD_BYTES:
        await respond(update, t("❌ <b>{file}</b> is too large for a case file ({size} bytes; "
                                "at most {limit}).", lang, file=escape(filename),
                                size=document.file_size, limit=coordination.MAX_UPLOAD_BYTES),
                      edit=False)
        return
    telegram_file = await document.get_file()
    content = bytes(await telegram_file.download_as_bytearray())
    async with svc.db.session() as session:
        upload = await coordination.upload_case(session=session, actor_id=_user_id(update),
                                                filename=filename, content=content,
                                                now=svc.clock.now())
    if upload.errors:
        await respond(update, coordination.upload_errors_text(filename, upload.errors, lang),
                      edit=False)
        return
    done = {"created": t("✅ Case added", lang), "updated": t("✅ Case updated", lang),
            "unchanged": t("✅ Nothing changed", lang)}[upload.outcome]
    link = f"https://t.me/{context.bot.username}?start={upload.slug}"
    text = t("{done}: <b>{title}</b> (<code>{slug}</code>).\nSupporters find it under /cases "
             "or follow it with this link: {link}", lang, done=done,
             title=escape(upload.title), slug=escape(upload.slug),
             link=escape(link))
    if upload.kept:
        text += "\n\n" + t("ℹ️ Kept on the timeline although the file no longer lists them, "
                           "because an outcome, a reminder or an alert from chat belongs to "
                           "them: {keys}", lang,
                           keys=", ".join(f"<code>{escape(key)}</code>" for key in upload.kept))
    await respond(update, text, edit=False)


# ------------------------------------------------------------------------------------------
# Command menus per chat

async def publish_menu(application: Application, user_id: int, role: str | None) -> None:
    """Show this person the coordinator commands (role "coordinator"/"owner") or, with None,
    the default supporters' menu again. Telegram refuses chats that never started the bot; that
    is logged, not raised."""
    scope = BotCommandScopeChat(chat_id=user_id)
    try:
        if role is None:
            await application.bot.delete_my_commands(scope=scope)
        else:
            await application.bot.set_my_commands(command_menu(role), scope=scope)
    except TelegramError as error:
        log.info("could not set the command menu of chat %s: %s", user_id, error)


async def publish_command_menus(application: Application) -> None:
    """At start-up: every owner and coordinator gets the coordinator menu in their chat."""
    svc: Services = application.bot_data[SERVICES_KEY]
    async with svc.db.session() as session:
        coordinators = [row.user_id for row in
                        await coordinator_queries.list_coordinators(session=session)]
    for user_id in sorted(set(svc.settings.admin_ids)):
        await publish_menu(application, user_id, "owner")
    for user_id in coordinators:
        if user_id not in svc.settings.admin_ids:
            await publish_menu(application, user_id, "coordinator")
