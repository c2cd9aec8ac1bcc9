"""HTTP clients for the Bot API that share one TLS context.

Each PTB ``HTTPXRequest`` builds an httpx client, and each httpx client loads the certificate
bundle into a fresh TLS context by default (about 50 ms). The bot makes four of them (answers,
long polling, the delivery worker, the status messages); one context, loaded once per process,
serves them all.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx
from telegram.request import HTTPXRequest

# PTB's own defaults (ApplicationBuilder): a wide pool for sends, one connection for polling.
ANSWERS_POOL = 256
POLLING_POOL = 1


@cache
def shared_tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def telegram_request(connection_pool_size: int) -> HTTPXRequest:
    return HTTPXRequest(connection_pool_size=connection_pool_size,
                        httpx_kwargs={"verify": shared_tls_context()})
