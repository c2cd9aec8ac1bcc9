"""Logging that can never print the bot token, nor what people type, in key=value or JSON
lines.

httpx logs every request URL at INFO, and Telegram URLs contain the token; so httpx and httpcore
are held at WARNING, and every record passes through a filter that masks the token anyway (an
exception message or a third-party DEBUG line could still carry it).

At DEBUG, the libraries log payloads: python-telegram-bot every Bot API call's parameters and
every update (chat ids, names, texts, signatures), SQLAlchemy every statement's parameters and
the rows it fetched, aiosqlite every call. :class:`PayloadFilter` keeps their message templates
and hides the values they fill in; the PDF library's glyph warnings (which list the characters
of a signature) are held back by :func:`bot.pdf_fonts.quiet_pdf_library`.

Lines are ``ts=… level=… logger=… msg="…" key=value…`` (``LOG_FORMAT=kv``, the default) or one
JSON object per line (``LOG_FORMAT=json``); fields given as ``extra={"alert_id": 7}`` become
keys an operator can grep (``alert_id=7``). Routine conditions are throttled
(:mod:`bot.log_throttle`). Never put a chat id next to a text, a name or a signature in a field.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Mapping
from typing import TextIO

from bot.log_throttle import ThrottleFilter
from bot.pdf_fonts import quiet_pdf_library

MASK = "<bot-token>"
# Any bot token shape in a URL path: /bot123456:ABC…/ — masked even when we don't know it.
_TOKEN_IN_URL = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
# Attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime",
                                                                         "taskName"}


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
        for key in extra_fields(record):
            value = getattr(record, key)
            if isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


# Loggers (and their children) whose values may carry what a person sent or typed.
PAYLOAD_LOGGERS = ("telegram", "aiohttp", "httpx", "httpcore", "sqlalchemy", "aiosqlite", "asyncpg")
HIDDEN = "<hidden>"
# A Bot API method name (sendMessage, getUpdates): kept, so a DEBUG log still says what was
# called. Nothing a person types reaches a log call as an argument of its own.
_METHOD_NAME = re.compile(r"[a-z]+(?:[A-Z][a-z]*)+")
_PLACEHOLDER = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def _from_payload_logger(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in PAYLOAD_LOGGERS)


def _shown(value: object) -> str:
    if isinstance(value, str) and _METHOD_NAME.fullmatch(value):
        return value
    if isinstance(value, BaseException):  # a network or API error says what went wrong
        return f"{type(value).__name__}: {value}"
    return HIDDEN


class PayloadFilter(logging.Filter):
    """Hide the values the payload loggers fill into their messages (parameters, updates,
    rows); keep the message templates, written by the libraries' authors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _from_payload_logger(record.name):
            return True
        if not isinstance(record.msg, str):  # an object logged as it is: an update, a row
            record.msg, record.args = HIDDEN, None
            return True
        if not record.args:
            return True
        values = iter(() if isinstance(record.args, Mapping) else record.args)

        def fill(match: re.Match[str]) -> str:
            if match.group() == "%%":
                return "%"
            return _shown(next(values, None))

        record.msg, record.args = _PLACEHOLDER.sub(fill, record.msg), None
        return True


def extra_fields(record: logging.LogRecord) -> list[str]:
    return [key for key in vars(record) if key not in _STANDARD and not key.startswith("_")]


def _fields(record: logging.LogRecord) -> dict[str, object]:
    fields: dict[str, object] = {
        "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "msg": record.getMessage(),
    }
    for key in extra_fields(record):
        fields[key] = getattr(record, key)
    if record.exc_text:
        fields["traceback"] = record.exc_text
    return fields


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        traceback = fields.pop("traceback", None)
        line = " ".join(f"{key}={_kv(value)}" for key, value in fields.items())
        return line + ("\n" + str(traceback) if traceback else "")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_fields(record), ensure_ascii=False, default=str)


def _kv(value: object) -> str:
    text = str(value)
    if text and not any(c in text for c in ' "=\n\t'):
        return text
    return json.dumps(text, ensure_ascii=False)


def configure_logging(level: str, secrets: list[str], log_format: str = "kv",
                      stream: TextIO | None = None) -> None:
    """One handler on the root logger (``stream``: stderr unless given) that throttles routine
    lines and masks secrets and payloads."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if log_format == "json" else KeyValueFormatter())
    handler.addFilter(ThrottleFilter())  # before redaction: a dropped line costs nothing
    install_redaction(handler, secrets)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_http_clients()


def install_redaction(handler: logging.Handler, secrets: list[str]) -> None:
    handler.addFilter(PayloadFilter())
    handler.addFilter(RedactingFilter(secrets))


def quiet_http_clients() -> None:
    for name in ("httpx", "httpcore", "apscheduler.executors.default"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # aiosqlite logs every cursor operation at DEBUG: noise that drowns the bot's own lines.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    quiet_pdf_library()
    # uvicorn's access log would put every webhook request in the log
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
