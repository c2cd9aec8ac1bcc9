"""Appeal Bot: follow human-rights cases, hear about hearings, write the letters appeals ask for.

``build_application`` wires every handler in one readable block below: the commands come from
the one command table (``handlers/command_table.py``: name, audience, handler, menu text, /help
line, usage), then the buttons and the messages. Start-up work (content, command menus,
background workers) happens in ``post_init`` and stops in ``post_shutdown``.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import i18n
from bot.alert_render import render_alert
from bot.clock import FollowingClock
from bot.commands import install
from bot.config import Settings
from bot.db_faults import database_unavailable
from bot.delivery import DeliveryWorker, Pacer, StatusMessages
from bot.delivery.budget import SharedPacer
from bot.delivery.lean import LeanTelegramTransport
from bot.digest import schedule_digest_job
from bot.metrics import CountingTransport, TimedApplication
from bot.reminders import REMINDER_KIND, schedule_reminder_jobs
from bot.services import SERVICES_KEY, Services
from bot.telegram_bot import AppealBot
from bot.telegram_requests import ANSWERS_POOL, POLLING_POOL, telegram_request
from bot.thanks import ThankWriters
from bot.update_processor import DEFAULT_CONCURRENCY, PerChatUpdateProcessor
from bot.wizard import WIZARD_TTL
from content.loader import load_library
from handlers import (
    admin,
    alert_followups,
    attendance,
    calendar,
    case_editor,
    cases,
    fallback,
    follow,
    importing,
    inline,
    language,
    letters,
    privacy,
    replies,
    settings,
    share,
    walks,
)
from handlers import editor_keyboards as ekb
from handlers import keyboards as kb
from handlers import keyboards_settings as ks
from handlers import stale_addresses as stale
from handlers.command_table import COMMANDS, answering
from handlers.keyboards_settings import digest_keyboard
from handlers.menus import publish_command_menus
from handlers.middleware import before_every_update
from storage.db import Database
from storage.digest import DIGEST_KIND
from storage.library_sync import describe_failure, sync_library
from storage.models import Alert, Case
from storage.wizard import purge_stale

log = logging.getLogger(__name__)


def file_base_url(base_url: str) -> str:
    """https://api.telegram.org/bot → https://api.telegram.org/file/bot (same for local)."""
    head, _, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{head}/file/bot"


def build_application(settings: Settings, db: Database, *, role: str = "run") -> Application:
    """``role`` (bot/roles.py): ``run`` does everything; ``web`` handles updates (no delivery,
    no jobs, no Updater: updates come by webhook); ``worker`` delivers and reminds only."""
    if settings.telegram_bot_token is None:
        raise ValueError("build_application needs TELEGRAM_BOT_TOKEN")
    builder = ApplicationBuilder().application_class(TimedApplication)
    if role != "run":
        builder = builder.updater(None)
    application = (
        builder
        .bot(AppealBot(settings.telegram_bot_token.get_secret_value(),
                       base_url=settings.telegram_api_base_url,
                       base_file_url=file_base_url(settings.telegram_api_base_url),
                       request=telegram_request(ANSWERS_POOL),
                       get_updates_request=telegram_request(POLLING_POOL)))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        # Different chats side by side, each chat's updates in order (bot/update_processor).
        .concurrent_updates(PerChatUpdateProcessor())
        .build()
    )
    application.bot_data[SERVICES_KEY] = Services(settings=settings, db=db, role=role)
    if role != "worker":
        register_handlers(application)
    else:  # jobs only; their failures still get the one error handler
        application.add_error_handler(fallback.on_error)
    return application


def register_handlers(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    # Cross-cutting: runs first for every update, never stops the others.
    app.add_handler(TypeHandler(Update, before_every_update), group=-1)

    # Every command, from the command table; each checks its audience (supporter, coordinator,
    # owner) and answers bad arguments with its usage. Menus and /help read the same table.
    install(app, COMMANDS)
    app.add_handlers([CommandHandler(command.name, answering(command), filters=private)
                      for command in COMMANDS])

    # Buttons, routed by their callback-data prefix (handlers/keyboards.py).
    app.add_handlers([
        CallbackQueryHandler(cases.case_list_button, pattern=kb.pattern(kb.CASE_LIST)),
        CallbackQueryHandler(cases.case_card_button, pattern=kb.pattern(kb.CASE_CARD)),
        CallbackQueryHandler(cases.subscribe_button, pattern=kb.pattern(kb.SUBSCRIBE)),
        CallbackQueryHandler(cases.unsubscribe_button, pattern=kb.pattern(kb.UNSUBSCRIBE)),
        CallbackQueryHandler(cases.timeline_button, pattern=kb.pattern(kb.TIMELINE)),
        CallbackQueryHandler(cases.sources_button, pattern=kb.pattern(kb.SOURCES)),
        CallbackQueryHandler(cases.read_more_button, pattern=kb.pattern(kb.READ_MORE)),
        CallbackQueryHandler(share.share_button, pattern=kb.pattern(kb.SHARE)),
        CallbackQueryHandler(calendar.calendar_button, pattern=kb.pattern(kb.CALENDAR)),
        CallbackQueryHandler(follow.alert_unsubscribe_button,
                             pattern=kb.pattern(kb.ALERT_UNSUBSCRIBE)),
        CallbackQueryHandler(follow.undo_unsubscribe_button,
                             pattern=kb.pattern(kb.UNDO_UNSUBSCRIBE)),
        CallbackQueryHandler(cases.my_cases_button, pattern=kb.pattern(kb.MY_CASES)),
        CallbackQueryHandler(privacy.forget_button, pattern=kb.pattern(kb.FORGET)),
        CallbackQueryHandler(language.language_button, pattern=kb.pattern(kb.LANGUAGE)),
        CallbackQueryHandler(settings.settings_button, pattern=kb.pattern(ks.SETTINGS)),
        CallbackQueryHandler(replies.reply_button, pattern=kb.pattern(kb.REPLY)),
        CallbackQueryHandler(attendance.attendance_button, pattern=kb.pattern(kb.ATTENDANCE)),
        CallbackQueryHandler(replies.replies_page_button, pattern=kb.pattern(kb.REPLY_LIST)),
        CallbackQueryHandler(letters.write_button, pattern=kb.pattern(kb.WRITE)),
        CallbackQueryHandler(letters.wizard_button, pattern=kb.pattern(kb.LETTER_WIZARD)),
        CallbackQueryHandler(admin.broadcast_button, pattern=kb.pattern(kb.BROADCAST)),
        CallbackQueryHandler(admin.preview_button, pattern=kb.pattern(kb.PREVIEW)),
        CallbackQueryHandler(walks.version_button, pattern=kb.pattern(kb.BROADCAST_VERSION)),
        CallbackQueryHandler(walks.walk_button, pattern=kb.pattern(kb.WALK)),
        CallbackQueryHandler(alert_followups.alert_action_button,
                             pattern=kb.pattern(kb.ALERT_ACTIONS)),
        CallbackQueryHandler(alert_followups.correction_button, pattern=kb.pattern(kb.CORRECTION)),
        CallbackQueryHandler(stale.stale_addresses_button, pattern=kb.pattern(kb.STALE_ADDRESSES)),
        CallbackQueryHandler(case_editor.editor_button, pattern=kb.pattern(ekb.EDITOR)),
        CallbackQueryHandler(importing.import_button, pattern=kb.pattern(ekb.IMPORT)),
    ])

    # Messages that are not commands. A coordinator's walk (the rest of a command, a version
    # of a preview's text) and then the letter wizard's typed signature must come before the
    # fallback below (one handler per group runs): walks.walk_text hands any other text to
    # letters.signature_text, which hands it to fallback.free_text. A case file sent by a
    # coordinator adds or updates that case; anyone else's document gets the usual answer.
    app.add_handlers([
        # An authority's answer a supporter agreed to share comes first; anything else it passes
        # on: text to a coordinator's walk, case editor or pasted appeal, then to the letter
        # wizard's signature step and the fallback; a document to the case-file upload.
        MessageHandler(((filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL)
                       & private, replies.reply_message),
    ])

    # Whatever nothing above took: a helpful answer, never silence. Same group, added last:
    # PTB runs the first matching handler of each group, so these only see the leftovers.
    app.add_handlers([
        MessageHandler(filters.COMMAND & private, fallback.unknown_command),
        MessageHandler(filters.TEXT & private, fallback.free_text),
        MessageHandler(private & ~filters.StatusUpdate.ALL, fallback.other_message),
        CallbackQueryHandler(fallback.stale_button),
    ])
    # Inline mode (@bot <words> in any chat): the matching cases, as shareable cards.
    app.add_handler(InlineQueryHandler(inline.inline_query))
    app.add_error_handler(fallback.on_error)


async def _post_init(app: Application) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    if services.handles_updates:
        i18n.warm_up()
        await services.db.warm(DEFAULT_CONCURRENCY)  # a connection for each update slot
        await _load_content(services)
        try:  # the default menu; coordinators' and owners' per chat
            await publish_command_menus(app)
        except TelegramError as error:  # e.g. another process publishing the same menus
            log.warning("command menus not published this time (%s); the menus already set "
                        "stay", type(error).__name__)
    if not services.runs_jobs:
        return
    await _start_delivery(app)  # services.delivery: the one sender of broadcasts
    await schedule_reminder_jobs(app)  # JobQueue alarms rebuilt from the Reminder table
    schedule_digest_job(app)  # the daily news digests, from the DigestItem table
    # Abandoned letter wizards (and the signatures typed into them) don't outlive a day.
    app.job_queue.run_repeating(_purge_abandoned_wizards, interval=3600, first=60,
                                name="purge-abandoned-wizards")


async def _load_content(services: Services) -> None:
    """content/ into the database. A broken case file or a case the database refuses is one log
    line and is skipped (its stored version, if any, stays in service); the rest load."""
    try:
        library, errors = load_library()
    except Exception:  # a content problem never keeps the bot from starting
        log.exception("content could not be loaded; the cases already stored stay in service")
        return
    for error in errors:
        log.error("content problem (not loaded): %s", error)
    # Several `web` processes starting at once load the same files: the loser of that race
    # (a unique key, or waiting on the winner's locks past DB_TIMEOUT) finds the rows stored on
    # its next try. Start-up goes on whatever happens here.
    attempts = 5
    for attempt in range(1, attempts + 1):
        try:
            async with services.db.session() as session:
                report = await sync_library(session=session, library=library)
            break
        except Exception as error:
            if not (isinstance(error, SQLAlchemyError) or database_unavailable(error)):
                log.exception("content could not be stored; the stored cases stay in service")
                return
            log.warning("content not stored this time (%s); %s", type(error).__name__,
                        "trying again" if attempt < attempts else "the stored cases stay in "
                        "service")
            await asyncio.sleep(0.5 * attempt)
    else:
        return
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
    await _stop_delivery(app)


# Alerts about a hearing's date carry [Add to calendar] (a cancellation: the file that removes it).
CALENDAR_ALERT_KINDS = frozenset({"hearing", "appeal_hearing", "postponed", "cancelled",
                                  "reminder"})
# Senders of the delivery worker: messages that may be sent-but-unrecorded at any moment.
DELIVERY_CONCURRENCY = 8
PAID_CONCURRENCY = 32
PAID_RATE = 1000.0  # Telegram's limit for paid broadcasts


async def _start_delivery(app: Application) -> None:
    """The delivery worker, with a Telegram connection pool of its own, the alert buttons from
    handlers.keyboards and progress in the coordinator's status message (sharing the worker's
    send budget). Leases and backoff run on the real clock (operational time), not
    ``Services.clock``, so a FakeClock that drives reminders in a test cannot make a live lease
    look expired."""
    services: Services = app.bot_data[SERVICES_KEY]
    settings = services.settings
    # Paid broadcasts (allow_paid_broadcast) lift Telegram's overall cap to 1000 msg/s; more
    # senders keep that many in flight (and as many may be re-sent after a crash).
    paid = settings.paid_broadcast
    concurrency = PAID_CONCURRENCY if paid else DELIVERY_CONCURRENCY
    # The lean transport: same Bot API calls, no PTB objects per send (bot/delivery/lean.py).
    # Counted on its way by (/metrics).
    transport = CountingTransport(await LeanTelegramTransport.connect(
        app.bot.token, settings.telegram_api_base_url, connections=concurrency + 2,
        paid_broadcast=paid))
    rate = PAID_RATE if paid else settings.send_rate
    # One budget per token for the whole deployment: on PostgreSQL (several processes may
    # send) slots are reserved in the database; on SQLite this process is the deployment.
    spacing = settings.send_chat_interval
    pacer = (Pacer(rate, spacing) if services.db.is_sqlite else
             SharedPacer(services.db, f"bot:{app.bot.token.partition(':')[0]}", rate, spacing))

    async def alert_buttons(alert: Alert, lang: str) -> InlineKeyboardMarkup:
        async with services.db.session() as session:
            case = await session.get(Case, alert.case_id)
        if alert.kind == DIGEST_KIND:
            return digest_keyboard(alert.payload or {}, lang)
        hearing = alert.event_id if alert.kind in CALENDAR_ALERT_KINDS else None
        return kb.alert_keyboard(alert.case_id, case_open=case is not None and case.is_open,
                                 lang=lang, hearing_id=hearing,
                                 attendance=alert.kind == REMINDER_KIND)

    services.delivery = DeliveryWorker(
        transport, services.db, pacer=pacer, concurrency=concurrency,
        lease=settings.delivery_lease, poll_interval=settings.delivery_poll_interval,
        retry_budget=settings.retry_budget_hours * 3600,
        markup_for=alert_buttons, text_for=render_alert,
        personal_for=ThankWriters(services.db),  # thanks in an outcome to those who wrote
        on_progress=StatusMessages(services.db, transport, pacer,
                                   render=alert_followups.status_renderer(services)),
        schedule_clock=FollowingClock(lambda: services.clock))  # quiet hours: the bot's time
    services.delivery.start()


async def _stop_delivery(app: Application) -> None:
    """Finish in-flight sends, give back claimed rows, close the worker's connections."""
    services: Services = app.bot_data[SERVICES_KEY]
    worker, services.delivery = services.delivery, None
    if worker is not None:
        await worker.stop()
        await worker.transport.close()
