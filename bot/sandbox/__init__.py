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

Faults: ``server.fail("sendMessage", 429, retry_after=3)``, ``server.block(alice.id)``;
Telegram's flood limits: ``BotApiServer(flood_limits=True)``. Inline mode:
``await alice.inline_query("text")``, ``await alice.inline_answer()``,
``await alice.choose_inline_result(result_id)``. Webhooks: the bot calls setWebhook and the
server POSTs its updates there.

Modules: :mod:`.server` (HTTP) on :mod:`.core` (what Telegram knows) with :mod:`.methods` (the
Bot API, by area); :mod:`.people` and :mod:`.chat` (the people and their chats); :mod:`.control`
(JSON control API); :mod:`.web` and :mod:`.run` (the sandbox's web chat and command).
"""

from .formatting import EntityParseError, parse_html, parse_markdown_v2
from .models import (
    ApiCall,
    CallbackAnswer,
    ChatEvent,
    FaultRule,
    InlineAnswer,
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
    "InlineAnswer",
    "SimDocument",
    "SimMessage",
    "SimUser",
    "Stats",
    "parse_html",
    "parse_markdown_v2",
]
