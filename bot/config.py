"""Settings from the environment or a `.env` file (pydantic-settings)."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org/bot"

# How to fix each setting, for the one-line message a bad value gets.
HINTS = {
    "TELEGRAM_BOT_TOKEN": "the token @BotFather gave you, like 123456:ABC-DEF…",
    "TELEGRAM_API_BASE_URL": "an http(s) URL ending in /bot, e.g. https://api.telegram.org/bot",
    "DATABASE_URL": "e.g. sqlite+aiosqlite:///./appeal-bot.db or postgresql+asyncpg://user@host/db",
    "ADMIN_IDS": "comma-separated numeric Telegram user ids, e.g. 12345,67890",
    "DEFAULT_TIMEZONE": "an IANA time zone such as Asia/Almaty",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "SEND_RATE": "messages per second across all chats, a number > 0 (default 30)",
    "REMINDER_OFFSETS": "comma-separated durations before a hearing, e.g. 7d,1d,2h",
    "SANDBOX_PORT": "a TCP port number, e.g. 8080",
    "WEBHOOK_URL": "the public https:// URL Telegram posts updates to, e.g. https://bot.example.org/telegram",
    "WEBHOOK_LISTEN": "host:port the web process listens on, e.g. 0.0.0.0:8443",
    "WEBHOOK_SECRET": "1-256 characters A-Z, a-z, 0-9, _ and -, e.g. from `openssl rand -hex 32`",
    "WORKER_LISTEN": "host:port of the worker's /healthz and /metrics, e.g. 127.0.0.1:9100",
    "LOG_FORMAT": "kv (key=value lines, the default) or json",
    "DB_TIMEOUT": "seconds a database call may take while answering someone, e.g. 5",
    "RETRY_BUDGET_HOURS": "hours a failing delivery is retried for, a number > 0 (default 6)",
    "PAID_BROADCAST": "true or false: send with allow_paid_broadcast (up to 1000 msg/s)",
    "SEND_CHAT_INTERVAL": "seconds between two messages to one chat, a number >= 0 (default 1)",
    "DELIVERY_POLL_INTERVAL": "seconds between a worker's looks for due deliveries when nothing "
                              "woke it, a number > 0 (default 1)",
    "DELIVERY_LEASE": "seconds a worker holds the deliveries it claimed, a number > 0 (default 10)",
    "STARTUP_RETRY_DELAY": "seconds before the first retry at start-up, doubling up to 10 "
                           "(default 0.5)",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API
    database_url: str = "sqlite+aiosqlite:///./appeal-bot.db"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_timezone: str = "Asia/Almaty"
    log_level: str = "INFO"
    # Delivery pace: Telegram allows about 30 messages/s overall and 1/s per chat.
    send_rate: float = Field(default=30.0, gt=0, le=1000)
    send_chat_interval: float = Field(default=1.0, ge=0, le=60)
    # How long a delivery that fails for reasons that may pass (5xx, network) is retried.
    retry_budget_hours: float = Field(default=6.0, gt=0, le=24 * 7)
    # Telegram's paid broadcasts (allow_paid_broadcast, paid in Stars): up to 1000 msg/s.
    paid_broadcast: bool = False
    # How long claimed deliveries stay a worker's (renewed while it lives): after a crash they
    # are sent by another worker once it runs out.
    delivery_lease: float = Field(default=10.0, gt=0, le=600)
    # How often a worker looks for due deliveries that nothing woke it for (another process's
    # alerts, retries and quiet hours coming due).
    delivery_poll_interval: float = Field(default=1.0, gt=0, le=60)
    # Start-up waits for the database and Telegram retry after this many seconds, doubling up
    # to 10 s.
    startup_retry_delay: float = Field(default=0.5, gt=0, le=10)
    # When to remind subscribers before a hearing; data, not code.
    reminder_offsets: Annotated[tuple[int, ...], NoDecode] = (7 * 24 * 60, 24 * 60, 120)
    sandbox_port: int = Field(default=8080, ge=0, le=65535)
    sandbox_database_url: str = "sqlite+aiosqlite:///./appeal-bot-sandbox.db"
    # Process roles (bot/roles.py): `web` takes updates by webhook, `worker` delivers and reminds.
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0:8443"
    webhook_secret: SecretStr | None = None
    worker_listen: str = "127.0.0.1:9100"
    log_format: str = "kv"
    # Every database call (connect, query) gives up after this many seconds, so a database that
    # hangs gets people a "temporarily unavailable" answer instead of silence.
    db_timeout: float = Field(default=5.0, gt=0, le=120)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an https:// URL")
        return value.strip()

    @field_validator("webhook_listen", "worker_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        parse_listen(value)
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        secret = value.get_secret_value()
        # Telegram's rule for secret_token
        if len(secret) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret):
            raise ValueError("may only hold 1-256 characters A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value.lower() not in {"kv", "json"}:
            raise ValueError("must be kv or json")
        return value.lower()

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        token = value.get_secret_value().strip()
        head, _, tail = token.partition(":")
        if not head.isdigit() or len(tail) < 5:
            raise ValueError("does not look like a bot token")
        return SecretStr(token)

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must use sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("must be numbers separated by commas")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("unknown log level")
        return value.upper()

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _offsets(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(parse_duration_minutes(part) for part in value.split(",") if part.strip())
        return value


def parse_listen(text: str) -> tuple[str, int]:
    """'0.0.0.0:8443' → ('0.0.0.0', 8443)."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{text!r} is not host:port")
    return host.strip("[]"), int(port)


def parse_duration_minutes(text: str) -> int:
    """'7d' → 10080, '2h' → 120, '30m' → 30."""
    text = text.strip().lower()
    units = {"d": 24 * 60, "h": 60, "m": 1}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise ValueError(f"{text!r} is not a duration like 7d, 1d or 2h")
    return int(text[:-1]) * units[text[-1]]


class SettingsError(Exception):
    """One clear line naming the bad setting and how to fix it."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        reason = first["msg"].removeprefix("Value error, ")
        hint = HINTS.get(name, "")
        raise SettingsError(
            f"Setting {name} is invalid: {reason}." + (f" Expected {hint}." if hint else "")
        ) from None
