"""The command menus: what each kind of person sees after typing "/", from the command table.

Supporters get the default scope; owners and coordinators get their own menu per chat
(BotCommandScopeChat), so their commands never show to anyone else.
"""

from __future__ import annotations

import logging

from telegram import BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import Application

from bot.commands import Audience, table_of
from bot.services import SERVICES_KEY, Services
from storage import coordinators as coordinator_queries

log = logging.getLogger(__name__)


async def publish_menu(application: Application, user_id: int, audience: Audience) -> None:
    """Show this person the menu of their audience (a supporter: the default menu again).
    Telegram refuses chats that never started the bot; that is logged, not raised."""
    scope = BotCommandScopeChat(chat_id=user_id)
    try:
        if audience == Audience.SUPPORTER:
            await application.bot.delete_my_commands(scope=scope)
        else:
            await application.bot.set_my_commands(table_of(application).menu(audience),
                                                  scope=scope)
    except TelegramError as error:
        log.info("could not set the command menu of a chat: %s", error)


async def publish_command_menus(application: Application) -> None:
    """At start-up: the supporters' default menu, and every owner and coordinator their own."""
    svc: Services = application.bot_data[SERVICES_KEY]
    await application.bot.set_my_commands(table_of(application).menu(Audience.SUPPORTER),
                                          scope=BotCommandScopeDefault())
    async with svc.db.session() as session:
        coordinators = [row.user_id for row in
                        await coordinator_queries.list_coordinators(session=session)]
    for user_id in sorted(set(svc.settings.admin_ids)):
        await publish_menu(application, user_id, Audience.OWNER)
    for user_id in coordinators:
        if user_id not in svc.settings.admin_ids:
            await publish_menu(application, user_id, Audience.COORDINATOR)
