"""Owners manage who coordinates: /coordinators, /addcoordinator <id>, /removecoordinator <id>.
A person's command menu follows their role at once."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.commands import Audience
from bot.coordination import team
from bot.i18n import t
from bot.parsing import InputError, ascii_number, parse_user_id
from bot.services import services
from handlers.common import lang_of, respond
from handlers.menus import publish_menu
from handlers.roles import is_owner, user_id_of


def _user_id_argument(context: ContextTypes.DEFAULT_TYPE, lang: str) -> int:
    """The one argument, a Telegram user id; InputError (with the usage) otherwise."""
    args = list(context.args or [])
    user_id = parse_user_id(args[0]) if len(args) == 1 else None
    if user_id is None:
        number = ascii_number(args[0]) if len(args) == 1 else None
        raise InputError(None if number is None else t(
            "<code>{id}</code> cannot be a Telegram user id.", lang, id=number), usage=True)
    return user_id


async def coordinators_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/coordinators"""
    svc = services(context)
    async with svc.db.session() as session:
        text = await team.coordinators_text(session=session, owners=svc.settings.admin_ids,
                                            lang=lang_of(update))
    await respond(update, text, edit=False)


async def add_coordinator_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/addcoordinator <user id>"""
    svc = services(context)
    lang = lang_of(update)
    user_id = _user_id_argument(context, lang)
    if is_owner(svc, user_id):
        await respond(update, t("<code>{id}</code> is an owner (ADMIN_IDS) and can already "
                                "coordinate.", lang, id=user_id), edit=False)
        return
    async with svc.db.session() as session:
        added = await team.add_coordinator(session=session, owner_id=user_id_of(update),
                                           user_id=user_id, now=svc.clock.now())
    if added:
        await publish_menu(context.application, user_id, Audience.COORDINATOR)
        text = t("✅ <code>{id}</code> is now a coordinator. Their command menu shows the "
                 "coordinator commands.", lang, id=user_id)
    else:
        text = t("<code>{id}</code> is already a coordinator.", lang, id=user_id)
    await respond(update, text, edit=False)


async def remove_coordinator_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/removecoordinator <user id>"""
    svc = services(context)
    lang = lang_of(update)
    user_id = _user_id_argument(context, lang)
    if is_owner(svc, user_id):
        await respond(update, t("<code>{id}</code> is an owner: owners come from ADMIN_IDS in "
                                "the configuration, not from chat.", lang, id=user_id),
                      edit=False)
        return
    async with svc.db.session() as session:
        removed = await team.remove_coordinator(session=session, owner_id=user_id_of(update),
                                                user_id=user_id, now=svc.clock.now())
    if removed:
        await publish_menu(context.application, user_id, Audience.SUPPORTER)
        text = t("✅ <code>{id}</code> is no longer a coordinator.", lang, id=user_id)
    else:
        text = t("<code>{id}</code> is not a coordinator. /coordinators lists them.", lang,
                 id=user_id)
    await respond(update, text, edit=False)
