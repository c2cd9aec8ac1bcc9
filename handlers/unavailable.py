"""When the database cannot be reached in time: tell the person, change nothing, go on.

The update is answered (not retried: a webhook gets its 200, polling moves past it) and the
log gets one throttled line per minute, not a traceback per update.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.i18n import t
from bot.log_throttle import routine
from handlers.common import acknowledge, lang_of

log = logging.getLogger(__name__)


def unavailable_text(lang: str) -> str:
    return t("The bot is temporarily unavailable. Please try again in a minute.", lang)


async def tell_unavailable(update: object, error: BaseException | None) -> None:
    routine(log, "database_unreachable", "database unreachable or too slow while answering "
            "an update; the person was told to try again in a minute",
            error=type(error).__name__ if error else None)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await acknowledge(update)
        await update.effective_chat.send_message(unavailable_text(lang_of(update)))
    except Exception as failure:  # noqa: BLE001 - Telegram may be down too; never crash here
        routine(log, "unavailable_notice_failed", "could not send the 'temporarily "
                "unavailable' answer", error=type(failure).__name__)
