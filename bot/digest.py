"""The daily news digest: one message a day that combines the news of the cases a person
follows, for those who chose it in /settings (sent at ``DIGEST_HOUR`` their time).

The news alerts are kept back at fan-out (:mod:`storage.digest`); a JobQueue job every
``DIGEST_SWEEP_SECONDS`` turns each person's due news into one digest alert through the outbox.
Its payload holds the news payloads, so each copy is rendered in the reader's language by the
same pure render the news alert itself uses. "Now" is ``Services.clock``.
"""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

from bot.alert_texts import AlertKind
from bot.coordination.registry import BROADCAST_KINDS
from bot.fitting import TEXT_LIMIT, telegram_length
from bot.i18n import t, tn
from bot.services import SERVICES_KEY
from content.languages import DEFAULT_LANGUAGE
from storage import digest as queries
from storage.db import Database
from storage.preferences import hold_for_quiet_hours

log = logging.getLogger(__name__)

DIGEST_SWEEP_SECONDS = 300
DIGEST_JOB = "news-digest"


def render_digest(payload: dict, lang: str) -> str:
    """'📰 Today's news' and each news item whole, while they fit one message."""
    render = BROADCAST_KINDS[AlertKind.NEWS].render
    items = [render(item, lang) for item in payload.get("news", [])]
    head = "📰 " + t("<b>Your daily news digest</b>", lang)
    parts = [head]
    for index, item in enumerate(items):
        reserve = 80 if index + 1 < len(items) else 0  # room for the "… and N more" line
        if telegram_length("\n\n".join([*parts, item])) + reserve > TEXT_LIMIT:
            parts.append(tn("… and {count} more item: /mycases",
                            "… and {count} more items: /mycases", len(items) - index, lang))
            break
        parts.append(item)
    return "\n\n".join(parts)


def _payload_of(news) -> tuple[dict, str]:
    payload = {"news": [{**alert.payload, "case_id": alert.case_id} for alert in news
                        if alert.payload],
               "case_ids": sorted({alert.case_id for alert in news})}
    return payload, render_digest(payload, DEFAULT_LANGUAGE)


async def send_due_digests(db: Database, now) -> int:
    """Queue the digest of everyone whose digest time has come; how many were queued."""
    async with db.session() as session:
        readers = await queries.due_readers(session=session, now=now)
    queued = 0
    for chat_id in readers:
        try:
            async with db.session() as session:
                alert = await queries.make_digest(session=session, chat_id=chat_id, now=now,
                                                  payload_of=_payload_of)
                if alert is not None:
                    await hold_for_quiet_hours(session=session, alert_id=alert.id, now=now)
                    queued += 1
        except Exception:
            log.exception("a news digest could not be queued")
    return queued


async def run_due_digests(application: Application) -> int:
    services = application.bot_data[SERVICES_KEY]
    return await send_due_digests(services.db, services.clock.now())


async def _digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await run_due_digests(context.application)
    except Exception:
        log.exception("news digest job failed")


def schedule_digest_job(application: Application) -> None:
    queue = application.job_queue
    if queue is not None and not queue.get_jobs_by_name(DIGEST_JOB):
        queue.run_repeating(_digest_job, interval=DIGEST_SWEEP_SECONDS, first=30,
                            name=DIGEST_JOB)
