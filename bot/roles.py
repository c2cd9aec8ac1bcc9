"""The process roles of `appeal-bot`: ``run``, ``web`` and ``worker``.

- ``run``: everything in one process, long polling (``deleteWebhook`` first) — one machine.
- ``web``: takes updates by webhook (``setWebhook`` with the secret token at start) and handles
  them; serves ``/healthz`` and ``/metrics`` next to the webhook on ``WEBHOOK_LISTEN``. No
  delivery, no jobs.
- ``worker``: delivery, reminders, purges and a heartbeat row; ``/healthz`` and ``/metrics`` on
  ``WORKER_LISTEN``. No updates.

Any number of ``web`` and ``worker`` processes may share one PostgreSQL: all state is in the
database (outbox leases, reminder dedupe keys, the letter wizard). Each waits for the database
and then Telegram before it starts (:mod:`bot.startup`) and stops cleanly on SIGTERM/SIGINT.
A second long-polling process (409 Conflict) logs one line and exits with ``EXIT_CONFLICT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import secrets
import signal
import socket

import uvicorn
from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings, parse_listen
from bot.db_faults import database_unavailable
from bot.log_throttle import recovered, routine
from bot.metrics import DatabaseGauges
from bot.runner import shut_down
from bot.startup import settle_memory, wait_for_database, wait_for_telegram, wait_until
from bot.web.app import build_web_app
from storage import heartbeats
from storage.db import Database

log = logging.getLogger(__name__)

ROLES = ("run", "web", "worker")
EXIT_CONFLICT = 3  # another process polls with this token
EXIT_BAD_TOKEN = 4
HEARTBEAT_SECONDS = 5.0


class RoleError(Exception):
    """A setting the role needs is missing (one clear line)."""


def check_role_settings(role: str, settings: Settings) -> None:
    if role == "web":
        if settings.webhook_url is None:
            raise RoleError("appeal-bot web needs WEBHOOK_URL: the public https:// URL Telegram "
                            "posts updates to (e.g. https://bot.example.org/telegram)")
        if settings.webhook_secret is None:
            raise RoleError("appeal-bot web needs WEBHOOK_SECRET: a random string of A-Z, a-z, "
                            "0-9, _ and - (e.g. `openssl rand -hex 32`); Telegram sends it with "
                            "every update and requests without it are refused")


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the role owns SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


def _http_server(app, listen: str) -> _Server:
    host, port = parse_listen(listen)
    return _Server(uvicorn.Config(app, host=host, port=port, lifespan="off",
                                  log_level="warning", access_log=False))


class Role:
    def __init__(self, role: str, settings: Settings) -> None:
        self.role = role
        self.settings = settings
        self.db = Database(settings.database_url, timeout=settings.db_timeout)
        self.app: Application | None = None
        self.stopping = asyncio.Event()
        self.exit_code = 0
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._tasks: list[asyncio.Task] = []
        self._http: _Server | None = None
        self._gauges = DatabaseGauges(self.db)

    # ----------------------------------------------------------------------- lifecycle
    async def serve(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        try:
            await self._start()
        except InvalidToken:
            log.error("Telegram refused the token (TELEGRAM_BOT_TOKEN): get the right one from "
                      "@BotFather; not starting", extra={"kind": "bad_token"})
            await self.db.dispose()
            return EXIT_BAD_TOKEN
        except asyncio.CancelledError:
            await self.db.dispose()
            return 1
        log.info("ready", extra={"kind": "ready", "role": self.role})
        await self.stopping.wait()
        await self._stop()
        return self.exit_code

    async def _start(self) -> None:
        waiting = asyncio.ensure_future(self._wait_for_dependencies())
        stop = asyncio.ensure_future(self.stopping.wait())
        try:
            await asyncio.wait([waiting, stop], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if not waiting.done():  # stopped while still waiting
            waiting.cancel()
            raise asyncio.CancelledError
        waiting.result()
        app = self.app
        if app.post_init:
            await app.post_init(app)
        if self.role == "run":
            await wait_until("Telegram (deleteWebhook)", app.bot.delete_webhook,
                             retry_on=(NetworkError, RetryAfter),
                             first_delay=self.settings.startup_retry_delay)
            await app.updater.start_polling(poll_interval=0, timeout=10,
                                            allowed_updates=Update.ALL_TYPES,
                                            error_callback=self._polling_error)
        await app.start()
        if self.role == "web":
            secret = self.settings.webhook_secret.get_secret_value()
            # Every `web` process sets the same webhook; Telegram may answer one of them "retry
            # after 1 s" (setWebhook is rate-limited): wait and set it again.
            await wait_until("Telegram (setWebhook)", functools.partial(
                app.bot.set_webhook, self.settings.webhook_url, secret_token=secret,
                allowed_updates=Update.ALL_TYPES), retry_on=(NetworkError, RetryAfter),
                first_delay=self.settings.startup_retry_delay)
            self._serve_http(build_web_app(db=self.db, role="web", application=app,
                                           db_timeout=self.settings.db_timeout,
                                           webhook_url=self.settings.webhook_url,
                                           secret=secret), self.settings.webhook_listen)
        elif self.role == "worker":
            self._tasks.append(asyncio.create_task(self._heartbeat(), name="worker-heartbeat"))
            self._serve_http(build_web_app(db=self.db, role="worker",
                                           db_timeout=self.settings.db_timeout),
                             self.settings.worker_listen)
        if self.role != "run":
            self._gauges.start()
        settle_memory()

    async def _wait_for_dependencies(self) -> None:
        first_delay = self.settings.startup_retry_delay
        await wait_for_database(self.db, first_delay=first_delay)
        self.app = build_application(self.settings, self.db, role=self.role)
        await wait_for_telegram(self.app, first_delay=first_delay)

    def _serve_http(self, asgi_app, listen: str) -> None:
        self._http = _http_server(asgi_app, listen)
        self._tasks.append(asyncio.create_task(self._http.serve(), name="http"))

    async def _stop(self) -> None:
        app = self.app
        if self._http is not None:  # no new webhook requests; then handle what was queued
            self._http.should_exit = True
            http = next(task for task in self._tasks if task.get_name() == "http")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(http), timeout=10)
        await self._gauges.stop()
        if app.updater is not None and app.updater.running:
            if self.exit_code == EXIT_CONFLICT:
                # The updater's last getUpdates marks fetched updates read; after a 409 they are
                # the other poller's, and that call would end its poll with a 409 in turn.
                with contextlib.suppress(AttributeError):
                    app.updater._Updater__polling_cleanup_cb = None
                logging.getLogger("telegram.ext.Updater").setLevel(logging.ERROR)
            await app.updater.stop()
        await shut_down(app)
        for task in self._tasks:
            if task.get_name() == "worker-heartbeat":
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.role == "worker":
            with contextlib.suppress(Exception):
                async with asyncio.timeout(self.settings.db_timeout):
                    async with self.db.session() as session:
                        await heartbeats.forget(session=session, worker_id=self.worker_id)
        await self.db.dispose()
        log.info("stopped", extra={"kind": "stopped", "role": self.role})

    # ----------------------------------------------------------------------- while running
    def _polling_error(self, error: TelegramError) -> None:
        if isinstance(error, Conflict):
            if self.exit_code != EXIT_CONFLICT:
                self.exit_code = EXIT_CONFLICT
                log.error(
                    "another process is already receiving this bot's updates (409 Conflict "
                    "from getUpdates). Only one `appeal-bot run` may poll per token: stop the "
                    "other one, or run several `appeal-bot web` processes behind a webhook. "
                    "Exiting.", extra={"kind": "polling_conflict"})
            self.stopping.set()
            return
        routine(log, "telegram_unavailable", "Telegram unreachable while polling; retrying",
                error=type(error).__name__)

    async def _heartbeat(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.settings.db_timeout):
                    async with self.db.session() as session:
                        await heartbeats.beat(session=session, worker_id=self.worker_id,
                                              role=self.role, now=dt.datetime.now(dt.UTC))
                recovered(log, "database_unreachable", "database reachable again")
            except Exception as error:
                if not database_unavailable(error):
                    log.exception("worker heartbeat failed")
                else:
                    routine(log, "database_unreachable", "database unreachable; worker "
                            "heartbeat not written", error=type(error).__name__)
            await asyncio.sleep(HEARTBEAT_SECONDS)


def serve(role: str, settings: Settings) -> int:
    return asyncio.run(Role(role, settings).serve())
