"""/staleaddresses and its buttons: coordinators confirm or learn how to change old addresses."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import stale_addresses as stale
from bot.i18n import N_, t
from bot.render import shorten
from bot.services import services
from handlers import keyboards as kb
from handlers.admin import can_coordinate, coordinators_only
from handlers.common import acknowledge, lang_of, respond
from storage.authorities import get_authority

log = logging.getLogger(__name__)

PATTERN = kb.pattern(kb.STALE_ADDRESSES)
GONE = N_("That addressee is no longer in the directory.")


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int, *,
                notice: str | None = None, edit: bool) -> None:
    svc = services(context)
    lang = lang_of(update)
    async with svc.db.session() as session:
        items = await stale.find_stale(session=session, today=svc.clock.now().date())
    shown, page = stale.page_of(items, page)
    first = page * stale.PAGE_SIZE + 1
    markup = kb.stale_addresses_keyboard(
        [(number, item.authority.key, shorten(item.authority.name, 24))
         for number, item in enumerate(shown, start=first)],
        page, stale.page_count(items), lang) if items else None
    await respond(update, stale.list_text(items, page, lang, notice), markup, edit=edit)


@coordinators_only
async def stale_addresses_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _show(update, context, 0, edit=False)


async def stale_addresses_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    lang = lang_of(update)
    user = update.effective_user
    if not await can_coordinate(svc, user.id if user else None):
        await acknowledge(update, t("This command is not available.", lang), alert=True)
        return
    parsed = kb.parse_stale_addresses(update.callback_query.data)
    if parsed is None:
        await acknowledge(update, t("This button is not valid.", lang), alert=True)
        return
    action, page, key = parsed
    if action == "p":
        await acknowledge(update)
        await _show(update, context, page, edit=True)
        return
    if action == "e":
        async with svc.db.session() as session:
            authority = await get_authority(session=session, key=key)
        if authority is None:
            await acknowledge(update, t(GONE, lang), alert=True)
            return
        await acknowledge(update)
        await respond(update, stale.edit_text(authority, lang), edit=False)
        return
    now = svc.clock.now()
    async with svc.db.session() as session:
        authority = await stale.mark_verified(session=session, key=key, actor_id=user.id,
                                              now=now)
    if authority is None:
        await acknowledge(update, t(GONE, lang), alert=True)
        return
    log.info("address of %s marked as still current", key)
    await acknowledge(update, t("Marked as still current.", lang))
    await _show(update, context, page, notice=stale.verified_notice(authority, now, lang),
                edit=True)
