"""The project's own Telegram Bot API server, for tests and the offline sandbox.

Typical test::

    async with BotApiServer() as server:
        app = server.application_builder().build()  # token/base_url/base_file_url set
        register_handlers(app)
        async with running(app):  # bot.runner.running: initialize, start polling, start
            alice = server.user("Alice")  # private chat, chat.id == alice.id
            await alice.send("/start")
            msg = await alice.reply()  # next new/edited bot message (SimMessage)
            await alice.press("Take action")  # inline button by (part of) its label
            await server.idle()  # all updates fetched, no Bot API call for 0.15 s
            assert alice.messages[-1].text == "..."

Faults: ``server.fail("sendMessage", 429, retry_after=3)``, ``server.block(alice.id)``.
"""

from .formatting import EntityParseError, parse_html, parse_markdown_v2
from .models import (
    ApiCall,
    CallbackAnswer,
    ChatEvent,
    FaultRule,
    SimDocument,
    SimMessage,
    Stats,
)
from .people import SimUser
from .server import ApiError, BotApiServer

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiServer",
    "CallbackAnswer",
    "ChatEvent",
    "EntityParseError",
    "FaultRule",
    "SimDocument",
    "SimMessage",
    "SimUser",
    "Stats",
    "parse_html",
    "parse_markdown_v2",
]
