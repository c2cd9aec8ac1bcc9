"""What a bot may send, checked as Telegram checks it: text and captions (parse_mode, entities,
length after parsing) and reply markup (inline keyboards, callback data, button URLs).

Every check raises :class:`~.protocol.ApiError` with Telegram's wording.
"""

from __future__ import annotations

import re
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from .formatting import EntityParseError, parse_html, parse_markdown_v2, trim_text
from .protocol import bad

__all__ = [
    "MAX_CALLBACK_DATA",
    "MAX_CAPTION",
    "MAX_TEXT",
    "caption_fields",
    "check_markup",
    "formatted",
    "message_text",
    "refuse_unchanged",
    "valid_button_url",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100

_BUTTON_ACTIONS = (
    "callback_data", "url", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game",
    "pay", "web_app", "copy_text",
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_EMPTY = {"text": None, "caption": "", "entities": [], "caption_entities": [], "reply_markup": None}


def formatted(text: str, parse_mode: Any, entities: Any, *,
              caption: bool = False) -> tuple[str, list[dict]]:
    """Plain text and entities of a text or caption, trimmed like Telegram trims it."""
    mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
    try:
        if mode == "html":
            plain, ents = parse_html(text)
        elif mode == "markdownv2":
            plain, ents = parse_markdown_v2(text)
        elif mode in ("", "markdown"):
            plain, ents = text, _explicit_entities(entities, caption)
        else:
            raise bad(f"unsupported parse_mode {parse_mode!r}")
    except EntityParseError as exc:
        raise bad(f"can't parse entities: {exc}") from None
    return trim_text(plain, ents)


def _explicit_entities(entities: Any, caption: bool) -> list[dict]:
    if entities is None:
        return []
    if isinstance(entities, list) and all(
        isinstance(e, dict) and {"type", "offset", "length"} <= e.keys() for e in entities
    ):
        return [dict(e) for e in entities]
    raise bad(f"can't parse {'caption_' if caption else ''}entities JSON object")


def message_text(p: dict) -> tuple[str, str, list[dict]]:
    """The text of a send or an edit: (as sent, plain, entities)."""
    text = p.get("text")
    if text is None or text == "":
        raise bad("message text is empty")
    text = str(text)
    plain, ents = formatted(text, p.get("parse_mode"), p.get("entities"))
    if not plain:
        raise bad("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad("message is too long")
    return text, plain, ents


def caption_fields(p: dict) -> tuple[str | None, dict[str, Any]]:
    """The caption of a document or photo: (as sent or None, Message fields to set)."""
    caption = p.get("caption")
    if caption in (None, ""):
        return None, {}
    sent = str(caption)
    plain, ents = formatted(sent, p.get("parse_mode"), p.get("caption_entities"), caption=True)
    if len(plain) > MAX_CAPTION:
        raise bad("message caption is too long")
    fields: dict[str, Any] = {}
    if plain:
        fields["caption"] = plain
    if ents:
        fields["caption_entities"] = ents
    return sent, fields


def refuse_unchanged(raw: dict, new: dict) -> None:
    """Telegram refuses an edit that changes nothing (the 'message is not modified' error)."""
    if all(raw.get(key, _EMPTY[key]) == value for key, value in new.items()):
        raise bad(_NOT_MODIFIED)


# ---------------------------------------------------------------------------- reply markup

def check_markup(markup: Any) -> tuple[dict | None, list[list[str]] | None]:
    """Validate reply_markup; returns (inline markup to store on the message or None, reply
    keyboard texts or None)."""
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return check_inline_keyboard(markup), None
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list):
            raise bad("can't parse reply keyboard markup JSON object")
        texts = [[b if isinstance(b, str) else str(b.get("text", "")) for b in row]
                 for row in rows]
        return None, texts
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None, None
    raise bad("can't parse reply keyboard markup JSON object")


def check_inline_keyboard(markup: dict) -> dict:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad("can't parse inline keyboard markup JSON object")
    clean_rows = [[_check_button(b) for b in row] for row in rows]
    if sum(len(row) for row in clean_rows) > MAX_BUTTONS:
        raise bad("reply markup is too long")
    return {"inline_keyboard": clean_rows}


def _check_button(b: Any) -> dict:
    if not isinstance(b, dict) or not isinstance(b.get("text"), str):
        raise bad("can't parse inline keyboard button: Text must be a string")
    if not any(k in b for k in _BUTTON_ACTIONS):
        raise bad("can't parse inline keyboard button: Text buttons are unallowed in the "
                  "inline keyboard")
    if "callback_data" in b:
        data = b["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad("BUTTON_DATA_INVALID")
    if "url" in b:
        url = b["url"]
        if not isinstance(url, str) or not valid_button_url(url):
            raise bad(f"inline keyboard button URL '{url}' is invalid: wrong HTTP URL")
    return dict(b)


def valid_button_url(url: str) -> bool:
    u = url.strip()
    if not u or any(c.isspace() for c in u):
        return False
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*)://", u)
    if m is None:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\d)", u):  # e.g. "javascript:..", "mailto:"
            return False
        u = "http://" + u  # Telegram accepts "example.com/path"
        scheme = "http"
    else:
        scheme = m.group(1).lower()
    if scheme == "tg":
        return True
    if scheme not in ("http", "https"):
        return False
    try:
        host = urlsplit(u).hostname
    except ValueError:
        return False
    if not host:
        return False
    try:
        ip_address(host)
        return True
    except ValueError:
        pass
    return "." in host.strip(".") and all(
        re.fullmatch(r"[A-Za-z0-9\-_]+|xn--[A-Za-z0-9\-]+", part) or not part.isascii()
        for part in host.split(".")
        if part
    )
