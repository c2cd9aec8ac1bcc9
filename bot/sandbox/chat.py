"""One private chat with the bot, message by message.

A :class:`ChatLog` keeps every message twice: as Telegram keeps it (the ``Message`` dict the bot
receives and gets back from its calls) and as the person sees it (an immutable
:class:`~.models.SimMessage` snapshot). The simulated Telegram (:mod:`.core`) is the only writer;
the person (:class:`~.people.SimUser`) and the web chat only read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from .models import SimDocument, SimMessage
from .signals import Signal

__all__ = ["PLAIN", "ChatLog", "Extras"]


@dataclass(frozen=True)
class Extras:
    """What the person sees of a message that its ``Message`` dict does not say."""

    html: str | None = None  # the text or caption exactly as the bot sent it
    parse_mode: str | None = None
    keyboard: list[list[str]] | None = None  # reply keyboard texts
    document: SimDocument | None = None
    photo: SimDocument | None = None
    link_preview_disabled: bool = False


PLAIN = Extras()  # a message that is just its Message dict


class ChatLog:
    """The messages of one private chat (``chat.id == user.id``), in order."""

    def __init__(self, chat_id: int) -> None:
        self.chat_id = chat_id
        self._next_id = 1
        self._raw: dict[int, dict] = {}  # message_id -> current Message dict; gone once deleted
        self._seen: dict[int, SimMessage] = {}  # message_id -> what the person sees now
        self._extras: dict[int, Extras] = {}
        self._order: list[int] = []
        self._bot_changes: list[SimMessage] = []  # each new or edited bot message, in order
        self._changed = Signal()

    # ------------------------------------------------------------------ writing (Telegram)
    def new_message_id(self) -> int:
        """Message ids count up per chat, like in a private chat on Telegram."""
        message_id = self._next_id
        self._next_id += 1
        return message_id

    def add(self, raw: dict, *, from_bot: bool, extras: Extras = PLAIN) -> SimMessage:
        """Record a new message (``raw`` has its ``message_id`` from new_message_id())."""
        message_id = raw["message_id"]
        self._raw[message_id] = raw
        self._extras[message_id] = extras
        self._order.append(message_id)
        return self._show(message_id, _snapshot(self.chat_id, raw, from_bot, extras),
                          by_bot=from_bot)

    def edit(self, message_id: int, changes: dict, edit_date: int, *,
             html: str | None | type = ..., parse_mode: str | None | type = ...) -> SimMessage:
        """Apply the bot's edit of a message (its own, or one a person sent through its inline
        mode); a value of None removes that field."""
        raw = self._raw[message_id]
        for key, value in changes.items():
            if value is None:
                raw.pop(key, None)
            else:
                raw[key] = value
        raw["edit_date"] = edit_date
        extras = self._extras[message_id]
        if html is not ...:
            extras = replace(extras, html=html)
        if parse_mode is not ...:
            extras = replace(extras, parse_mode=parse_mode)
        self._extras[message_id] = extras
        before = self._seen[message_id]
        sim = replace(_snapshot(self.chat_id, raw, before.from_bot, extras),
                      edited=before.edited + 1)
        return self._show(message_id, sim, by_bot=True)

    def delete(self, message_id: int) -> SimMessage | None:
        """Remove a message from the chat; returns what the person last saw (marked deleted),
        or None if there is no such message."""
        if self._raw.pop(message_id, None) is None:
            return None
        sim = self._seen[message_id] = replace(self._seen[message_id], deleted=True)
        return sim

    def _show(self, message_id: int, sim: SimMessage, *, by_bot: bool) -> SimMessage:
        self._seen[message_id] = sim
        if by_bot:
            self._bot_changes.append(sim)
            self._changed.fire()
        return sim

    # ------------------------------------------------------------------ reading
    def raw(self, message_id: object) -> dict | None:
        """A copy of the Message dict Telegram keeps for a message still in the chat."""
        raw = self._raw.get(message_id) if isinstance(message_id, int) else None
        return dict(raw) if raw is not None else None

    def get(self, message_id: int) -> SimMessage | None:
        """What the person sees of a message (deleted ones stay, marked deleted)."""
        return self._seen.get(message_id)

    def __len__(self) -> int:
        return len(self._order)

    @property
    def history(self) -> list[SimMessage]:
        """Every message, the person's and the bot's, in its current state."""
        return [self._seen[i] for i in self._order]

    def latest_from_bot(self, *, with_buttons: bool = False) -> SimMessage | None:
        """The most recent bot message still in the chat (with an inline keyboard, if asked)."""
        for message_id in reversed(self._order):
            sim = self._seen[message_id]
            if sim.from_bot and not sim.deleted and (sim.buttons or not with_buttons):
                return sim
        return None

    @property
    def bot_change_count(self) -> int:
        """How many times the bot sent or edited a message here."""
        return len(self._bot_changes)

    async def bot_change(self, index: int, timeout: float) -> SimMessage | None:
        """The ``index``-th new or edited bot message (0-based), waiting up to ``timeout``
        seconds for it to happen; None if it did not."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while index >= len(self._bot_changes):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await self._changed.wait(remaining)
        return self._bot_changes[index]


def _snapshot(chat_id: int, raw: dict, from_bot: bool, extras: Extras) -> SimMessage:
    markup = raw.get("reply_markup")
    buttons: list[list[dict]] = []
    if markup and "inline_keyboard" in markup:
        buttons = [[dict(b) for b in row] for row in markup["inline_keyboard"]]
    reply_to = raw.get("reply_to_message")
    return SimMessage(
        message_id=raw["message_id"],
        chat_id=chat_id,
        date=raw["date"],
        from_bot=from_bot,
        text=raw.get("text", raw.get("caption", "")),
        html=extras.html,
        parse_mode=extras.parse_mode,
        entities=tuple(raw.get("entities", raw.get("caption_entities", ()))),
        buttons=buttons,
        keyboard=extras.keyboard,
        document=extras.document,
        photo=extras.photo,
        reply_to_message_id=reply_to["message_id"] if reply_to else None,
        link_preview_disabled=extras.link_preview_disabled,
        has_protected_content=bool(raw.get("has_protected_content")),
        via_bot="via_bot" in raw,
    )
