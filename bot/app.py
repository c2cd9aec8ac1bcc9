"""Appeal Bot: follow human-rights cases, hear about hearings, write the letters appeals ask for.

``build_application`` wires every handler in one readable block below; start-up work (content,
command menu, background workers) happens in ``post_init`` and stops in ``post_shutdown``.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommandScopeDefault, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.delivery import start_delivery, stop_delivery
from bot.reminders import schedule_reminder_jobs
from bot.services import SERVICES_KEY, Services
from bot.wizard import WIZARD_TTL
from content.loader import load_library
from handlers import admin, cases, fallback, letters, privacy, start
from handlers import keyboards as kb
from handlers.menus import command_menu
from handlers.middleware import remember_reachable
from storage.db import Database
from storage.library_sync import describe_failure, sync_library
from storage.wizard import purge_stale

log = logging.getLogger(__name__)

def file_base_url(base_url: str) -> str:
    """https://api.telegram.org/bot → https://api.telegram.org/file/bot (same for local)."""
    head, _, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{head}/file/bot"


def build_application(settings: Settings, db: Database) -> Application:
    if settings.telegram_bot_token is None:
        raise ValueError("build_application needs TELEGRAM_BOT_TOKEN")
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_base_url(settings.telegram_api_base_url))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data[SERVICES_KEY] = Services(settings=settings, db=db)
    register_handlers(application)
    return application


def register_handlers(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    # Cross-cutting: runs first for every update, never stops the others.
    app.add_handler(TypeHandler(Update, remember_reachable), group=-1)

    app.add_handlers([
        # Supporters
        CommandHandler("start", start.start, filters=private),
        CommandHandler("help", start.help_command, filters=private),
        CommandHandler("cases", cases.cases_command, filters=private),
        CommandHandler("mycases", cases.my_cases_command, filters=private),
        CommandHandler("unsubscribe", cases.unsubscribe_command, filters=private),
        CommandHandler("privacy", privacy.privacy_command, filters=private),
        CommandHandler("forget", privacy.forget_command, filters=private),
        CallbackQueryHandler(cases.case_list_button, pattern=kb.pattern(kb.CASE_LIST)),
        CallbackQueryHandler(cases.case_card_button, pattern=kb.pattern(kb.CASE_CARD)),
        CallbackQueryHandler(cases.subscribe_button, pattern=kb.pattern(kb.SUBSCRIBE)),
        CallbackQueryHandler(cases.unsubscribe_button, pattern=kb.pattern(kb.UNSUBSCRIBE)),
        CallbackQueryHandler(cases.timeline_button, pattern=kb.pattern(kb.TIMELINE)),
        CallbackQueryHandler(cases.sources_button, pattern=kb.pattern(kb.SOURCES)),
        CallbackQueryHandler(cases.my_cases_button, pattern=kb.pattern(kb.MY_CASES)),
        CallbackQueryHandler(privacy.forget_button, pattern=kb.pattern(kb.FORGET)),
    ])

    # Letter wizard: /write, [✍️ Write a letter] on a card (wr:), its buttons (lw:), and the
    # typed signature. The text handler must come before the fallback below (one handler per
    # group runs); it answers only a chat whose wizard waits for a signature and hands any other
    # text to fallback.free_text itself.
    app.add_handlers([
        CommandHandler("write", letters.write_command, filters=private),
        CallbackQueryHandler(letters.write_button, pattern=kb.pattern(kb.WRITE)),
        CallbackQueryHandler(letters.wizard_button, pattern=kb.pattern(kb.LETTER_WIZARD)),
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, letters.signature_text),
    ])

    # Coordinators: owners (ADMIN_IDS) and the coordinators they add. Anyone else gets a plain
    # "not available" (a document: the usual answer). Broadcasts preview, then [Send]/[Cancel].
    app.add_handlers([
        CommandHandler("coordinators", admin.coordinators_command, filters=private),
        CommandHandler("addcoordinator", admin.add_coordinator_command, filters=private),
        CommandHandler("removecoordinator", admin.remove_coordinator_command, filters=private),
        CommandHandler("hearing", admin.hearing_command, filters=private),
        CommandHandler("appeal", admin.appeal_command, filters=private),
        CommandHandler("postpone", admin.postpone_command, filters=private),
        CommandHandler("cancelhearing", admin.cancel_hearing_command, filters=private),
        CommandHandler("outcome", admin.outcome_command, filters=private),
        CommandHandler("news", admin.news_command, filters=private),
        CommandHandler("closecase", admin.close_case_command, filters=private),
        CommandHandler("upcoming", admin.upcoming_command, filters=private),
        CommandHandler("stats", admin.stats_command, filters=private),
        CommandHandler("audit", admin.audit_command, filters=private),
        CallbackQueryHandler(admin.broadcast_button, pattern=admin.BROADCAST_PATTERN),
        MessageHandler(filters.Document.ALL & private, admin.case_file_upload),
    ])

    # Whatever nothing above took: a helpful answer, never silence. Same group, added last:
    # PTB runs the first matching handler of each group, so these only see the leftovers.
    app.add_handlers([
        MessageHandler(filters.COMMAND & private, fallback.unknown_command),
        MessageHandler(filters.TEXT & private, fallback.free_text),
        MessageHandler(private & ~filters.StatusUpdate.ALL, fallback.other_message),
        CallbackQueryHandler(fallback.stale_button),
    ])
    app.add_error_handler(fallback.on_error)


async def _post_init(app: Application) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    await _load_content(services)
    await app.bot.set_my_commands(command_menu(None), scope=BotCommandScopeDefault())
    await admin.publish_command_menus(app)  # coordinators' and owners' menus, per chat
    await start_delivery(app)  # services.extras["delivery"]: the one sender of broadcasts
    await schedule_reminder_jobs(app)  # JobQueue alarms rebuilt from the Reminder table
    # Abandoned letter wizards (and the signatures typed into them) don't outlive a day.
    app.job_queue.run_repeating(_purge_abandoned_wizards, interval=3600, first=60,
                                name="purge-abandoned-wizards")
    for hook in services.extras.get("post_init", []):
        await hook(app)


async def _load_content(services: Services) -> None:
    """content/ into the database. A broken case file or a case the database refuses is one log
    line and is skipped (its stored version, if any, stays in service); the rest load."""
    library, errors = load_library()
    for error in errors:
        log.error("content problem (not loaded): %s", error)
    async with services.db.session() as session:
        report = await sync_library(session=session, library=library)
    for slug, error in report.failed.items():
        log.error("case %s could not be stored (left as it was): %s", slug,
                  describe_failure(error),
                  exc_info=None if isinstance(error, SQLAlchemyError) else error)
    for name, fields in report.cut.items():
        log.warning("stored document %s was cut to the schema's length bounds: %s", name,
                    ", ".join(fields))
    for slug, keys in report.kept.items():
        log.info("case %s: kept timeline entries the file no longer lists, for what chat added "
                 "to them: %s", slug, ", ".join(keys))
    log.info("case library: %d created, %d updated, %d unchanged, %d kept from chat uploads, "
             "%d not stored", len(report.created), len(report.updated), len(report.unchanged),
             len(report.skipped), len(report.failed))


async def _purge_abandoned_wizards(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.application.bot_data[SERVICES_KEY]
    async with services.db.session() as session:
        removed = await purge_stale(session=session, before=services.clock.now() - WIZARD_TTL)
    if removed:
        log.info("removed %d abandoned letter wizard(s)", removed)


async def _post_shutdown(app: Application) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    await stop_delivery(app)
    for hook in services.extras.get("post_shutdown", []):
        await hook(app)
