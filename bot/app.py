"""Appeal Bot: follow human-rights cases, hear about hearings, write the letters appeals ask for.

``build_application`` wires every handler in one readable block below; start-up work (content,
command menu, background workers) happens in ``post_init`` and stops in ``post_shutdown``.
"""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeDefault, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.services import SERVICES_KEY, Services
from content.loader import load_library
from handlers import cases, fallback, privacy, start
from handlers import keyboards as kb
from handlers.middleware import remember_reachable
from storage.db import Database
from storage.library_sync import sync_library

log = logging.getLogger(__name__)

SUPPORTER_COMMANDS = [
    BotCommand("cases", "Browse the cases"),
    BotCommand("mycases", "The cases you follow"),
    BotCommand("write", "Write a letter for a case"),
    BotCommand("unsubscribe", "Stop following a case"),
    BotCommand("privacy", "What the bot keeps about you"),
    BotCommand("forget", "Delete everything the bot keeps about you"),
    BotCommand("help", "What the bot can do"),
]


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
    library, errors = load_library()
    for error in errors:
        log.error("content problem (not loaded): %s", error)
    async with services.db.session() as session:
        report = await sync_library(session=session, library=library)
    log.info("case library: %d created, %d updated, %d unchanged, %d kept from chat uploads",
             len(report.created), len(report.updated), len(report.unchanged),
             len(report.skipped))
    await app.bot.set_my_commands(SUPPORTER_COMMANDS, scope=BotCommandScopeDefault())
    for hook in services.extras.get("post_init", []):
        await hook(app)


async def _post_shutdown(app: Application) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    for hook in services.extras.get("post_shutdown", []):
        await hook(app)
