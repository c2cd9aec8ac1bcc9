"""Starting and stopping an Application inside an already running event loop.

``Application.run_polling`` owns the loop, which suits the `run` command; the sandbox and the
tests run the bot next to other things (the local Bot API server, a web chat) and use this.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.ext import Application


@asynccontextmanager
async def running(app: Application, *, poll_timeout: int = 10) -> AsyncIterator[Application]:
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.updater.start_polling(poll_interval=0, timeout=poll_timeout,
                                    allowed_updates=Update.ALL_TYPES)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await shut_down(app)


async def shut_down(app: Application) -> None:
    """Stop a started Application (its updater already stopped), with its hooks, as
    ``run_polling`` does."""
    if app.running:
        await app.stop()
    if app.post_stop:
        await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)
