"""How a broadcast's progress is told: the coordinator's status line, and the progress callback
that keeps the coordinator's status message up to date while the worker sends.

A report is ``{pending, sent, blocked, failed, total}`` (:func:`storage.alerts.alert_report`);
the worker calls ``on_progress(alert_id, report)`` while an alert is being sent and once at the
end (``pending == 0``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.delivery.pacing import Pacer
from bot.delivery.results import SendOutcome, SendResult, Transport
from bot.i18n import t
from storage.db import Database
from storage.models import Alert

log = logging.getLogger(__name__)

Report = dict[str, int]
OnProgress = Callable[[int, Report], Awaitable[Any]]
# The wiring's status message for (alert id, report, language): its text and buttons.
RenderStatus = Callable[[int, Report, str], Awaitable[tuple[str, Any]]]


def format_report(report: Report, lang: str = "en") -> str:
    """The coordinator's status line: '⏳ Sending… 120 of 300' or the final tally."""
    done = report["sent"] + report["blocked"] + report["failed"]
    if report["pending"]:
        text = t("⏳ Sending… {done} of {total}", lang, done=done, total=report["total"])
    else:
        text = t("✅ Delivered to {sent} of {total}", lang, sent=report["sent"],
                 total=report["total"])
    if report["blocked"]:
        text += " · " + t("🚫 {n} blocked the bot", lang, n=report["blocked"])
    if report["failed"]:
        text += " · " + t("⚠️ {n} failed", lang, n=report["failed"])
    return text


class StatusMessages:
    """``on_progress`` that edits the alert's status message (``Alert.status_chat_id`` /
    ``status_message_id``, set by the coordinator's [Send]) with :func:`format_report`.

    Edits count against the same send budget as the broadcast (``pacer``); a 429 on an edit
    pauses every sender like one on a send. While an alert is being sent its message is
    edited at most once per ``min_interval`` seconds (a progress bar needs no more); the final
    report always goes. ``render`` (from the wiring) gives the text and buttons; without it
    the message is :func:`format_report`'s line.
    """

    def __init__(self, db: Database, transport: Transport, pacer: Pacer, *,
                 render: RenderStatus | None = None, min_interval: float = 3.0) -> None:
        self.db = db
        self.transport = transport
        self.pacer = pacer
        self.render = render
        self.min_interval = min_interval
        self._last_edit: dict[int, float] = {}
        self.final_tries = 8  # ~2 minutes of backoff for the final report
        self._retrying: set[asyncio.Task] = set()
        # alert id → (chat, message, the coordinator's language)
        self._targets: dict[int, tuple[int, int, str] | None] = {}

    async def __call__(self, alert_id: int, report: Report) -> None:
        target = await self._target(alert_id)
        final = report["pending"] == 0
        if final:
            self._targets.pop(alert_id, None)  # the last report of this alert
            self._last_edit.pop(alert_id, None)
        if target is None:
            return
        now = time.monotonic()
        if not final:
            if now - self._last_edit.get(alert_id, -1e9) < self.min_interval:
                return
            self._last_edit[alert_id] = now
        result = await self._edit(alert_id, target, report)
        if result.outcome is SendOutcome.RETRY and report["pending"] == 0:
            # The final count is the last word the coordinator gets: try again in the
            # background (a progress line that fails is overtaken by the next one).
            task = asyncio.create_task(self._final_retries(alert_id, target, report))
            self._retrying.add(task)
            task.add_done_callback(self._retrying.discard)
        elif not result.ok:
            log.warning("status message of alert %s not updated: %s", alert_id, result.error)

    async def _edit(self, alert_id: int, target: tuple[int, int, str],
                    report: Report) -> SendResult:
        chat_id, message_id, lang = target
        text, markup = format_report(report, lang), None
        if self.render is not None:
            text, markup = await self.render(alert_id, report, lang)
        await self.pacer.acquire()
        result = await self.transport.edit(chat_id, message_id, text, markup)
        if result.outcome is SendOutcome.RETRY_AFTER:
            self.pacer.pause(result.retry_after or 0.0)
        return result

    async def _final_retries(self, alert_id: int, target: tuple[int, int, str],
                             report: Report) -> None:
        delay = 1.0
        for _ in range(self.final_tries):
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
            result = await self._edit(alert_id, target, report)
            if result.ok or result.outcome not in (SendOutcome.RETRY, SendOutcome.RETRY_AFTER):
                break
        if not result.ok:
            log.warning("final status of alert %s not shown: %s", alert_id, result.error)

    async def _target(self, alert_id: int) -> tuple[int, int, str] | None:
        if alert_id not in self._targets:
            async with self.db.session() as session:
                alert = await session.get(Alert, alert_id)
            has_status = (alert is not None and alert.status_chat_id is not None
                          and alert.status_message_id is not None)
            # [Send] records the coordinator's language with the alert (see
            # bot.coordination.broadcasts); the report is written in it.
            lang = str((alert.payload or {}).get("report_lang") or "en") if alert else "en"
            self._targets[alert_id] = ((alert.status_chat_id, alert.status_message_id, lang)
                                       if has_status else None)
        return self._targets[alert_id]
