"""Getting updates: getUpdates (long polling) and the webhook methods.

A bot either long-polls or has a webhook, never both: getUpdates while a webhook is set answers
409, and setting a webhook ends a pending long poll with 409.
"""

from __future__ import annotations

import re
import time
from ipaddress import ip_address
from urllib.parse import urlsplit

from ..core import SimTelegram
from ..protocol import Answer, ApiError, BotRequest, bad
from ..updates import DEFAULT_UPDATE_TYPES
from ..webhook import WebhookSender, WebhookSettings
from .table import MethodTable

METHODS = MethodTable()

WEBHOOK_IS_ACTIVE = ("Conflict: can't use getUpdates method while webhook is active; use "
                     "deleteWebhook to delete the webhook first")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]*")


@METHODS.register("getUpdates")
async def get_updates(tg: SimTelegram, rq: BotRequest) -> list[dict]:
    p = rq.params
    if tg.webhook is not None:
        raise ApiError(409, WEBHOOK_IS_ACTIVE)
    try:
        limit = min(100, max(1, int(p.get("limit", 100))))
        timeout = max(0.0, float(p.get("timeout", 0)))
    except (TypeError, ValueError):
        raise bad("wrong parameter in getUpdates request") from None
    tg.updates.choose_types(p.get("allowed_updates"))
    offset = p.get("offset")
    if isinstance(offset, int) and offset:
        tg.updates.confirm(offset)
    batch = await tg.updates.long_poll(limit, timeout)
    if batch and rq.connected:  # a poll whose client went away hands nothing out
        tg.updates.handed_out(batch)
        tg.touch()
    return batch


@METHODS.register("setWebhook")
async def set_webhook(tg: SimTelegram, rq: BotRequest) -> Answer:
    p = rq.params
    url = str(p.get("url") or "")
    if not url:  # an empty URL removes the webhook
        return await delete_webhook(tg, rq)
    now = time.monotonic()
    if now < tg.webhook_set_at + 1.0:  # Telegram takes one setWebhook a second
        raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
    tg.webhook_set_at = now
    settings = _webhook_settings(rq, url)
    drop = bool(p.get("drop_pending_updates"))
    tg.updates.choose_types(p.get("allowed_updates"))
    if tg.webhook is not None and tg.webhook.settings == settings and not drop:
        return Answer(True, "Webhook is already set")
    tg.updates.end_poll()
    if tg.webhook is not None:
        await tg.webhook.stop()
    if drop:
        tg.updates.drop_all()
    tg.webhook = WebhookSender(tg.updates, settings, execute=tg.execute, touch=tg.touch,
                               retry_delay=tg.webhook_retry_delay,
                               max_retry_delay=tg.webhook_max_retry_delay,
                               timeout=tg.webhook_timeout)
    tg.webhook.start()
    return Answer(True, "Webhook was set")


def _webhook_settings(rq: BotRequest, url: str) -> WebhookSettings:
    p = rq.params
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (
            parts.port is None or parts.port > 0)
    except ValueError:
        valid = False
    if not valid:
        raise bad("invalid webhook URL specified")
    secret = str(p.get("secret_token") or "")
    if len(secret) > 256:
        raise bad("secret token is too long")
    if not _SECRET_TOKEN_RE.fullmatch(secret):
        raise bad("secret token contains unallowed characters")
    try:
        max_connections = min(100, max(1, int(p.get("max_connections") or 40)))
    except (TypeError, ValueError):
        max_connections = 40
    given_ip = str(p.get("ip_address") or "")
    return WebhookSettings(
        url=url,
        secret_token=secret,
        max_connections=max_connections,
        ip_address=given_ip or _literal_ip(parts.hostname or ""),
        has_custom_certificate=rq.upload("certificate") is not None,
    )


def _literal_ip(host: str) -> str:
    try:
        return str(ip_address(host))
    except ValueError:
        return ""  # a name: the sandbox resolves it only when it connects


@METHODS.register("deleteWebhook")
async def delete_webhook(tg: SimTelegram, rq: BotRequest) -> Answer:
    had_webhook = tg.webhook is not None
    if tg.webhook is not None:
        await tg.webhook.stop()
        tg.webhook = None
    if rq.params.get("drop_pending_updates"):
        tg.updates.drop_all()
    tg.touch()
    return Answer(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")


@METHODS.register("getWebhookInfo")
def get_webhook_info(tg: SimTelegram, rq: BotRequest) -> dict:
    hook = tg.webhook
    info: dict = {
        "url": hook.settings.url if hook else "",
        "has_custom_certificate": hook.settings.has_custom_certificate if hook else False,
        "pending_update_count": len(tg.updates),
    }
    if hook is not None:
        if hook.last_error_date:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        info["max_connections"] = hook.settings.max_connections
        info["ip_address"] = hook.settings.ip_address or "<unknown>"
    if tg.updates.allowed != DEFAULT_UPDATE_TYPES:
        info["allowed_updates"] = sorted(tg.updates.allowed)
    return info
