"""The Bot API on the wire: how requests arrive and how answers and errors look.

A request's parameters come as a query string, a JSON body, a urlencoded form or a multipart
form (with files); PTB sends structured values (reply_markup, entities...) JSON-encoded inside
forms, and every value as a string. :func:`read_request` turns all of that into one
:class:`BotRequest` with typed values, as Telegram reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

__all__ = [
    "Answer",
    "ApiError",
    "BotRequest",
    "Upload",
    "bad",
    "coerce_params",
    "error_response",
    "json_response",
    "read_request",
]

# parameters PTB sends JSON-encoded inside form/multipart bodies
_JSON_PARAMS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "commands", "scope",
        "link_preview_options", "reply_parameters", "allowed_updates", "menu_button", "media",
        "results", "button", "options", "explanation_entities", "permissions", "rights",
        "message_ids", "reaction", "text_entities", "question_entities",
    }
)
_INT_PARAMS = frozenset(
    {
        "chat_id", "from_chat_id", "message_id", "offset", "limit", "timeout", "user_id",
        "cache_time", "reply_to_message_id", "message_thread_id", "duration", "width", "height",
        "max_connections",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_web_page_preview", "disable_notification", "protect_content", "show_alert",
        "drop_pending_updates", "allow_sending_without_reply", "has_spoiler",
        "disable_content_type_detection", "allow_paid_broadcast", "is_big", "is_personal",
        "show_caption_above_media",
    }
)


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass(frozen=True)
class Answer:
    """A result with the ``description`` Telegram adds to some answers ("Webhook was set")."""

    result: Any
    description: str


def bad(description: str) -> ApiError:
    """A 400 answer, worded like Telegram's: ``Bad Request: <description>``."""
    return ApiError(400, "Bad Request: " + description)


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart request."""

    filename: str | None
    content: bytes
    mime_type: str | None


@dataclass
class BotRequest:
    """One Bot API call: its parameters (typed), its uploads, and whether the caller still
    listens (a long poll whose client went away must not count its updates as fetched)."""

    params: dict[str, Any]
    files: dict[str, Upload] = field(default_factory=dict)
    request: web.Request | None = None

    @property
    def connected(self) -> bool:
        if self.request is None:
            return True
        transport = self.request.transport
        return transport is not None and not transport.is_closing()

    def upload(self, name: str) -> Upload | None:
        """The file a parameter refers to: sent under its own name or as ``attach://<field>``."""
        value = self.params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return self.files.get(value[len("attach://"):])
        return self.files.get(name)


async def read_request(request: web.Request) -> BotRequest:
    params: dict[str, Any] = dict(request.query) if request.query_string else {}
    files: dict[str, Upload] = {}
    if request.method == "POST" and request.body_exists:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise bad("JSON request body must be an object")
            params.update(body)
        elif ctype.startswith("multipart/"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename, value.file.read(), value.content_type)
                else:
                    params[key] = value
        else:  # application/x-www-form-urlencoded (and anything else form-like)
            raw = await request.read()
            if raw:
                params.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return BotRequest(coerce_params(params), files, request)


def coerce_params(params: dict[str, Any]) -> dict[str, Any]:
    """String values turned into what Telegram reads them as (JSON, integers, booleans)."""
    return {key: _coerce(key, value) if isinstance(value, str) else value
            for key, value in params.items()}


def _coerce(key: str, value: str) -> Any:
    if key in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if key == "reply_markup" else key
            raise bad(f"can't parse {what} JSON object") from None
    if key in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if key in _BOOL_PARAMS:
        return value.lower() in ("true", "1")
    return value


def json_response(payload: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


def error_response(err: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": err.status, "description": err.description}
    if err.parameters:
        body["parameters"] = err.parameters
    return json_response(body, err.status)
