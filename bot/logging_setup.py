"""Logging that can never print the bot token.

httpx logs every request URL at INFO, and Telegram URLs contain the token; so httpx and httpcore
are held at WARNING, and every record passes through a filter that masks the token anyway (an
exception message or a third-party DEBUG line could still carry it).
"""

from __future__ import annotations

import logging
import re

MASK = "<bot-token>"
# Any bot token shape in a URL path: /bot123456:ABC…/ — masked even when we don't know it.
_TOKEN_IN_URL = re.compile(r"bot\d+:[A-Za-z0-9_-]+")


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return _TOKEN_IN_URL.sub("bot" + MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    install_redaction(handler, secrets)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_http_clients()


def install_redaction(handler: logging.Handler, secrets: list[str]) -> None:
    handler.addFilter(RedactingFilter(secrets))


def quiet_http_clients() -> None:
    for name in ("httpx", "httpcore", "apscheduler.executors.default"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # aiosqlite logs every cursor operation at DEBUG: noise that drowns the bot's own lines.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
