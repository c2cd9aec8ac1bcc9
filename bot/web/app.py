"""One Starlette app: the webhook Telegram posts updates to, ``/healthz`` and ``/metrics``.

Unlike PTB's ``customwebhookbot.py`` example, which queues each update and answers 200 at once,
the webhook answers once the update is handled (through the Application's update processor, so
each chat's updates still run in order): a process killed meanwhile has not answered, and
Telegram sends the update again — to another ``web`` process behind the proxy — instead of it
being lost. A handler's error is the error handler's business and still answers 200, so a
failing update is not sent again and again.
A request without the right ``X-Telegram-Bot-Api-Secret-Token`` gets 403 (compared in constant
time), a body over ``MAX_BODY`` bytes 413, one that is not an update 400. ``worker`` serves the
same app without the webhook route.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot import health, metrics
from bot.log_throttle import routine
from storage.db import Database

log = logging.getLogger(__name__)

# Telegram's updates are a few KB; a document's update holds only its file id.
MAX_BODY = 1 << 20
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(webhook_url: str) -> str:
    """The path Telegram will POST to: that of WEBHOOK_URL (a reverse proxy keeps it)."""
    return urlsplit(webhook_url).path or "/"


def build_web_app(*, db: Database, role: str, db_timeout: float,
                  application: Application | None = None, webhook_url: str | None = None,
                  secret: str | None = None) -> Starlette:
    in_hand = _InHand()

    async def healthz(request: Request) -> Response:
        queued = in_hand.count if application is not None else 0
        status, body = await health.check(db, role=role, timeout=db_timeout,
                                          update_queue_size=queued)
        return JSONResponse(body, status_code=status)

    async def metrics_page(request: Request) -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    routes = [Route("/healthz", healthz, methods=["GET"]),
              Route("/metrics", metrics_page, methods=["GET"])]
    if application is not None and webhook_url is not None and secret:
        routes.append(Route(webhook_path(webhook_url),
                            _webhook(application, secret.encode(), in_hand), methods=["POST"]))
    return Starlette(routes=routes)


class _InHand:
    """Updates received by the webhook and not yet handled (``update_queue`` in /healthz)."""

    def __init__(self) -> None:
        self.count = 0


def _webhook(application: Application, secret: bytes, in_hand: _InHand):
    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            routine(log, "webhook_bad_secret", "webhook request without the right secret token "
                    "refused (403)")
            return Response(status_code=403)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return Response(status_code=413)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return Response(status_code=413)
        try:
            data = json.loads(body)
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None or not isinstance(data.get("update_id"), int):
            return Response(status_code=400)
        in_hand.count += 1
        try:
            await application.update_processor.process_update(
                update, application.process_update(update))
        finally:
            in_hand.count -= 1
        return Response(status_code=200)

    return receive
