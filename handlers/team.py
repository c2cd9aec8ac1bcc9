"""Owners manage who coordinates: /coordinators, /addcoordinator <id>, /removecoordinator <id>.
A person's command menu follows their role at once."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from bot.commands import Audience
from bot.coordination import team
from bot.coordination.lookup import find_case
from bot.i18n import t
from bot.parsing import InputError, ascii_number, parse_user_id
from bot.services import services
from handlers.common import lang_of, respond
from handlers.menus import publish_menu
from handlers.previews import text_after_command
from handlers.roles import is_owner, user_id_of


def _user_id_argument(context: ContextTypes.DEFAULT_TYPE, lang: str, *,
                      more: bool = False) -> int:
    """The first argument, a Telegram user id (``more``: cases may follow); InputError (with
    the usage) otherwise."""
    args = list(context.args or [])
    fits = len(args) >= 1 if more else len(args) == 1
    user_id = parse_user_id(args[0]) if fits else None
    if user_id is None:
        number = ascii_number(args[0]) if fits else None
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
    user_id = _user_id_argument(context, lang, more=True)
    if is_owner(svc, user_id):
        await respond(update, t("<code>{id}</code> is an owner (ADMIN_IDS) and can already "
                                "coordinate.", lang, id=user_id), edit=False)
        return
    async with svc.db.session() as session:
        cases = []
        for name in list(context.args)[1:]:
            case = await find_case(session=session, text=name, lang=lang)
            if case not in cases:
                cases.append(case)
        added = await team.add_coordinator(session=session, owner_id=user_id_of(update),
                                           user_id=user_id, now=svc.clock.now(), cases=cases)
    which = (t("only these cases: {cases}", lang,
               cases=", ".join(f"<code>{escape(case.slug)}</code>" for case in cases))
             if cases else t("every case", lang))
    if added:
        await publish_menu(context.application, user_id, Audience.COORDINATOR)
        text = t("✅ <code>{id}</code> is now a coordinator of {which}. Their command menu "
                 "shows the coordinator commands.", lang, id=user_id, which=which)
    else:
        text = t("<code>{id}</code> is already a coordinator; from now on of {which}.", lang,
                 id=user_id, which=which)
    await respond(update, text, edit=False)


async def my_label_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mylabel <label>: the name /audit and /coordinators show for this coordinator."""
    svc = services(context)
    lang = lang_of(update)
    text = text_after_command(update)
    if not text.strip():
        raise InputError(usage=True)
    async with svc.db.session() as session:
        label = await team.set_label(session=session, user_id=user_id_of(update), text=text,
                                     now=svc.clock.now(), lang=lang)
    await respond(update, t("✅ /audit now shows you as <b>{label}</b>.", lang,
                            label=escape(label)), edit=False)


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
