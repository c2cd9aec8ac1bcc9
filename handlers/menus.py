"""The command menus: what each kind of person sees after typing "/", from the command table.

Every menu is published once per interface language: the English one without a
``language_code`` (what Telegram shows to any other app language) and the Russian and Kazakh
ones with theirs, so the menu follows the language of the person's Telegram app. Supporters get
the default scope; owners and coordinators get their own menu per chat (BotCommandScopeChat), so
their commands never show to anyone else — in every language, since Telegram looks up a chat's
scope with the app's language first.
"""

from __future__ import annotations

import logging

from telegram import BotCommandScope, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import Application

from bot.commands import Audience, table_of
from bot.services import SERVICES_KEY, Services
from content.languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES
from storage import coordinators as coordinator_queries

log = logging.getLogger(__name__)


def menu_language_codes() -> list[tuple[str, str | None]]:
    """(interface language, Telegram ``language_code``): the default language has none."""
    return [(lang, None if lang == DEFAULT_LANGUAGE else lang) for lang in INTERFACE_LANGUAGES]


async def _set_menus(application: Application, audience: Audience,
                     scope: BotCommandScope) -> None:
    table = table_of(application)
    for lang, code in menu_language_codes():
        await application.bot.set_my_commands(table.menu(audience, lang), scope=scope,
                                              language_code=code)


async def publish_menu(application: Application, user_id: int, audience: Audience) -> None:
    """Show this person the menu of their audience (a supporter: the default menu again).
    Telegram refuses chats that never started the bot; that is logged, not raised."""
    scope = BotCommandScopeChat(chat_id=user_id)
    try:
        if audience == Audience.SUPPORTER:
            for _, code in menu_language_codes():
                await application.bot.delete_my_commands(scope=scope, language_code=code)
        else:
            await _set_menus(application, audience, scope)
    except TelegramError as error:
        log.info("could not set the command menu of a chat: %s", error)


async def publish_command_menus(application: Application) -> None:
    """At start-up: the supporters' default menu, and every owner and coordinator their own."""
    svc: Services = application.bot_data[SERVICES_KEY]
    await _set_menus(application, Audience.SUPPORTER, BotCommandScopeDefault())
    async with svc.db.session() as session:
        coordinators = [row.user_id for row in
                        await coordinator_queries.list_coordinators(session=session)]
    for user_id in sorted(set(svc.settings.admin_ids)):
        await publish_menu(application, user_id, Audience.OWNER)
    for user_id in coordinators:
        if user_id not in svc.settings.admin_ids:
            await publish_menu(application, user_id, Audience.COORDINATOR)
