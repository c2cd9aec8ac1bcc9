"""HTTP clients for the Bot API: PTB's requests over aiohttp, sharing one TLS context.

The bot makes four of them (answers, long polling, the delivery worker, the status messages).
Each used to build its own TLS context from the certificate bundle (about 50 ms apiece); one,
loaded once per process, serves them all. Why aiohttp rather than PTB's default httpx:
:mod:`bot.aiohttp_request`.
"""

from __future__ import annotations

import ssl
from functools import cache

from bot.aiohttp_request import AiohttpRequest

# PTB's own defaults (ApplicationBuilder): a wide pool for sends, one connection for polling.
ANSWERS_POOL = 256
POLLING_POOL = 1


@cache
def shared_tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def telegram_request(connection_pool_size: int) -> AiohttpRequest:
    return AiohttpRequest(connection_pool_size, ssl_context=shared_tls_context())
