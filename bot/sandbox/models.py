"""Plain data objects the sandbox Bot API server hands to tests and to the web chat."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

__all__ = [
    "ApiCall",
    "CallbackAnswer",
    "ChatEvent",
    "FaultRule",
    "InlineAnswer",
    "SimDocument",
    "SimMessage",
    "Stats",
]


@dataclass(frozen=True)
class SimDocument:
    """A file attached to a message (sent by the bot or uploaded by a simulated user): a
    document, or the picture of a photo (then ``width`` and ``height`` are set)."""

    file_id: str
    file_unique_id: str
    filename: str | None
    mime_type: str | None
    content: bytes = field(repr=False)
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    # aliases
    @property
    def file_name(self) -> str | None:
        return self.filename

    @property
    def data(self) -> bytes:
        return self.content

    @property
    def mime(self) -> str | None:
        return self.mime_type

    def to_dict(self, *, with_content: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "filename": self.filename,
            "mime_type": self.mime_type,
            "size": self.size,
        }
        if self.width is not None:
            d["width"], d["height"] = self.width, self.height
        if with_content:
            d["content_base64"] = base64.b64encode(self.content).decode()
        return d


@dataclass(frozen=True)
class SimMessage:
    """One message in a simulated private chat, as the user sees it.

    Instances are immutable snapshots: an edit or a deletion replaces the object in the chat
    (``user.messages`` always shows the current state; what ``user.reply()`` returned keeps the
    state at the time of that event).
    """

    message_id: int
    chat_id: int
    date: int
    from_bot: bool
    text: str  # plain text (entities parsed) - the caption for documents and photos
    html: str | None = None  # the text/caption exactly as the bot sent it (raw HTML)
    parse_mode: str | None = None
    entities: tuple[dict, ...] = ()
    buttons: list[list[dict]] = field(default_factory=list)  # inline keyboard rows
    keyboard: list[list[str]] | None = None  # reply keyboard (texts), if any
    document: SimDocument | None = None
    photo: SimDocument | None = None  # the picture, as it was uploaded
    reply_to_message_id: int | None = None
    edited: int = 0
    deleted: bool = False
    link_preview_disabled: bool = False
    has_protected_content: bool = False  # sent with protect_content (no forwarding, no saving)
    via_bot: bool = False  # posted by the person through the bot's inline mode

    # -- buttons -------------------------------------------------------------------------
    @property
    def button_texts(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]

    @property
    def flat_buttons(self) -> list[dict]:
        return [b for row in self.buttons for b in row]

    def find_button(self, label: str) -> dict | None:
        """Exact text match first, then substring, then case-insensitive substring.
        Returns None if nothing (or more than one different button) matches."""
        flat = self.flat_buttons
        for pred in (
            lambda t: t == label,
            lambda t: label in t,
            lambda t: label.casefold() in t.casefold(),
        ):
            found = [b for b in flat if pred(b["text"])]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return None if len({b["text"] for b in found}) > 1 else found[0]
        return None

    def has_button(self, label: str) -> bool:
        return self.find_button(label) is not None

    def callback_data(self, label: str) -> str | None:
        b = self.find_button(label)
        return b.get("callback_data") if b else None

    # -- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "date": self.date,
            "from_bot": self.from_bot,
            "text": self.text,
            "html": self.html,
            "parse_mode": self.parse_mode,
            "entities": list(self.entities),
            "buttons": self.buttons,
            "keyboard": self.keyboard,
            "document": self.document.to_dict() if self.document else None,
            "photo": self.photo.to_dict() if self.photo else None,
            "reply_to_message_id": self.reply_to_message_id,
            "edited": self.edited,
            "deleted": self.deleted,
            "has_protected_content": self.has_protected_content,
            "via_bot": self.via_bot,
        }

    def __str__(self) -> str:
        who = "bot" if self.from_bot else "user"
        flags = ("" if not self.edited else f" (edited x{self.edited})") + (
            " (deleted)" if self.deleted else ""
        )
        body = repr(self.text if len(self.text) <= 300 else self.text[:300] + "…")
        if self.document:
            body = f"[document {self.document.filename!r}, {self.document.size} B] " + body
        if self.photo:
            body = f"[photo {self.photo.width}x{self.photo.height}, {self.photo.size} B] " + body
        kb = ""
        if self.buttons:
            kb = " " + " / ".join(
                "[" + " | ".join(b["text"] for b in row) + "]" for row in self.buttons
            )
        return f"#{self.message_id} {who}{flags}: {body}{kb}"


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered (answerCallbackQuery) to a button press."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    data: str | None  # the callback_data of the press that was answered
    message_id: int | None
    time: float


@dataclass(frozen=True)
class InlineAnswer:
    """What the bot answered (answerInlineQuery) to a person's inline query."""

    query_id: str
    query: str
    results: tuple[dict, ...]  # InlineQueryResult dicts as the bot sent them, in order
    cache_time: int
    is_personal: bool
    next_offset: str
    button: dict | None
    time: float

    @property
    def result_ids(self) -> list[str]:
        return [r["id"] for r in self.results]

    def result(self, result_id: str) -> dict | None:
        return next((r for r in self.results if r["id"] == result_id), None)


@dataclass
class ChatEvent:
    """Something that happened in a simulated chat (for listeners, events(), /control/events).

    ``type`` is one of: ``message`` (new message, from bot or user - see message.from_bot),
    ``edit``, ``delete``, ``callback_query`` (user pressed a button), ``callback_answer``,
    ``inline_query`` (user typed an inline query), ``inline_answer``, ``chat_action`` (e.g.
    typing), ``user`` (a simulated user was created), ``block``, ``unblock``, ``commands`` (the
    bot changed its command menu; chat_id None).
    """

    seq: int
    type: str
    chat_id: int | None
    time: float
    message: SimMessage | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type,
            "chat_id": self.chat_id,
            "time": self.time,
            "message": self.message.to_dict() if self.message else None,
            **({"data": self.data} if self.data else {}),
        }


@dataclass
class ApiCall:
    """One Bot API request the server answered (``server.calls``)."""

    method: str  # canonical spelling, e.g. "sendMessage"
    params: dict[str, Any]
    time: float  # time.time() when the request arrived
    status: int = 0  # HTTP status answered (0 while in flight, 499 if the client went away)
    description: str | None = None  # error description for non-200 answers
    result: Any = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class FaultRule:
    """An injected failure (``server.fail(...)``)."""

    method: str = "*"  # method name (case-insensitive) or "*"
    status: int | None = None  # None = only a delay
    retry_after: int | None = None  # for 429
    times: int | None = 1  # None = forever
    chat_id: int | str | None = None
    description: str | None = None
    delay: float = 0.0
    # Do the call, then drop the connection instead of answering: Telegram accepted it but
    # the bot never hears so (a lost answer).
    drop_answer: bool = False
    hits: int = 0
    until: float | None = None  # time.monotonic() after which the rule no longer applies
    answer_delay: float = 0.0  # the call is carried out, then answered this much later

    def __post_init__(self) -> None:
        self._method_l = self.method.lower()
        if self.status == 429 and self.retry_after is None:
            self.retry_after = 1

    def matches(self, method_l: str, params: dict[str, Any]) -> bool:
        if self.expired:
            return False
        if self._method_l != "*" and self._method_l != method_l:
            return False
        if self.chat_id is not None:
            return str(params.get("chat_id")) == str(self.chat_id)
        return True

    @property
    def expired(self) -> bool:
        if self.until is not None and time.monotonic() >= self.until:
            return True
        return self.times is not None and self.hits >= self.times

    def error(self) -> tuple[int, str, dict | None]:
        assert self.status is not None
        st = self.status
        if st == 429:
            ra = int(self.retry_after or 1)
            return (
                st,
                self.description or f"Too Many Requests: retry after {ra}",
                {"retry_after": ra},
            )
        desc = self.description or _DEFAULT_DESCRIPTIONS.get(st)
        if desc is None:
            try:
                desc = HTTPStatus(st).phrase
            except ValueError:
                desc = f"Error {st}"
        return st, desc, None


@dataclass
class Stats:
    """Counters for benchmarks (``server.stats``)."""

    requests: int = 0
    messages_sent: int = 0  # successful send* calls (sendMessage, sendDocument, ...)
    edits: int = 0
    rate_limited: int = 0  # 429 answers (flood limits and injected faults)
    errors: int = 0  # all non-200 answers
    send_times: list[float] = field(default_factory=list)  # time.monotonic() per send

    @property
    def too_many_requests(self) -> int:  # alias
        return self.rate_limited

    def reset(self) -> None:
        self.requests = self.messages_sent = self.edits = 0
        self.rate_limited = self.errors = 0
        self.send_times.clear()

    def send_rate(self) -> float:
        """Average successful sends per second between the first and the last send."""
        t = self.send_times
        if len(t) < 2 or t[-1] <= t[0]:
            return 0.0
        return (len(t) - 1) / (t[-1] - t[0])

    def max_rate(self, window: float = 1.0) -> float:
        """Highest number of sends seen in any ``window``-second sliding window, per second."""
        t = self.send_times
        best = 0
        j = 0
        for i in range(len(t)):
            while t[i] - t[j] > window:
                j += 1
            best = max(best, i - j + 1)
        return best / window


def now() -> float:
    return time.time()
