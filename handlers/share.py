"""[📣 Share] (``sh:<case_id>``), from a case card or any other message: the case's deep link,
Telegram's share button and, for coordinators, a QR code of the link for posters and flyers.

The answer is a new message, so the message the button was on (a card, a letter just sent)
stays as it was."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import render, sharing
from bot.fitting import CAPTION_LIMIT, fit_html
from bot.i18n import t
from bot.services import services
from handlers import keyboards as kb
from handlers.cases import case_from_button
from handlers.common import acknowledge, lang_of, respond
from handlers.roles import can_coordinate, user_id_of

log = logging.getLogger(__name__)


async def share_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    case_row = await case_from_button(update, context, kb.SHARE)
    if case_row is None:
        return
    lang = lang_of(update)
    await acknowledge(update)
    title = render.case_title(case_row, lang)
    link = sharing.deep_link(context.bot.username, case_row.slug)
    invitation = t("{title}: follow the case and help with a letter.", lang, title=title)
    text = t("📣 <b>Share “{title}”</b>\n\nAnyone who opens this link sees the case and can "
             "follow it:\n{link}\n\nTap the button below to send it to a chat or a group.", lang,
             title=render.escape(title), link=render.escape(link))
    await respond(update, text, kb.share_keyboard(case_row.id, sharing.share_url(link, invitation),
                                                  lang), edit=False)
    if not await can_coordinate(services(context), user_id_of(update)):
        return
    caption = t("QR code of the link to <b>{title}</b>, for posters and flyers:\n{link}", lang,
                title=render.escape(title), link=render.escape(link))
    try:
        await update.effective_chat.send_photo(
            sharing.qr_png(link), caption=fit_html(caption, CAPTION_LIMIT),
            parse_mode=ParseMode.HTML, filename=f"qr-{case_row.slug}.png")
    except TelegramError as error:  # the link above already went out
        log.warning("could not send the QR code: %s", error)
