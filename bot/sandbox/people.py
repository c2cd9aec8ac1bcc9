"""Simulated Telegram users: the control side of the sandbox Bot API server.

A :class:`SimUser` owns a private chat with the bot (``chat.id == user.id``). Through it a test
(or the sandbox web chat) sends messages, uploads documents and presses inline buttons, and
reads what the bot sent back.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
import time
from typing import TYPE_CHECKING, Any

from .models import CallbackAnswer, SimMessage

if TYPE_CHECKING:  # pragma: no cover
    from .server import BotApiServer

__all__ = ["SimUser"]

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")


class _Signal:
    """A broadcast wake-up: every waiter is released by the next ``fire()``."""

    __slots__ = ("_fut",)

    def __init__(self) -> None:
        self._fut: asyncio.Future | None = None

    def fire(self) -> None:
        fut = self._fut
        if fut is not None:
            self._fut = None
            if not fut.done():
                fut.set_result(None)

    async def wait(self, timeout: float | None) -> bool:
        """Wait for the next fire(); False on timeout."""
        if timeout is not None and timeout <= 0:
            return False
        loop = asyncio.get_running_loop()
        fut = self._fut
        if fut is None or fut.done() or fut.get_loop() is not loop:
            fut = self._fut = loop.create_future()
        done, _ = await asyncio.wait((fut,), timeout=timeout)
        return bool(done)


class _Bucket:
    """Token bucket for the optional flood limits."""

    __slots__ = ("rate", "stamp", "tokens")

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = max(1.0, rate)
        self.stamp = time.monotonic()

    def take(self) -> int:
        """Take one token; return 0 on success, otherwise the retry_after (s) to answer."""
        now = time.monotonic()
        cap = max(1.0, self.rate)
        self.tokens = min(cap, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0
        missing = 1.0 - self.tokens
        return max(1, int(-(-missing // self.rate)))


class SimUser:
    """A simulated person in a private chat with the bot. Create with ``server.user(...)``."""

    def __init__(
        self,
        server: BotApiServer,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> None:
        self.server = server
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        #: True once the user has written to the bot (before that: "chat not found")
        self.started = False
        #: True while the user has blocked the bot (every send answers 403)
        self.blocked = False
        #: answers the bot gave to this user's button presses, in order
        self.callback_answers: list[CallbackAnswer] = []
        # chat state -----------------------------------------------------------------------
        self._next_message_id = 1
        self._raw: dict[int, dict] = {}  # message_id -> Telegram Message dict (current)
        self._sim: dict[int, SimMessage] = {}  # message_id -> current SimMessage
        self._order: list[int] = []  # all message ids, in order
        self._bot_events: list[SimMessage] = []  # new/edited bot messages (snapshots)
        self._cursor = 0  # index into _bot_events for reply()
        self._changed = _Signal()
        self._bucket: _Bucket | None = None
        self.menu_button: dict | None = None

    # ------------------------------------------------------------------ identity
    @property
    def chat_id(self) -> int:
        return self.id

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def user_dict(self) -> dict[str, Any]:
        """The Telegram ``User`` object for this person."""
        d: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            d["last_name"] = self.last_name
        if self.username:
            d["username"] = self.username
        if self.language_code:
            d["language_code"] = self.language_code
        return d

    def chat_dict(self) -> dict[str, Any]:
        """The Telegram ``Chat`` object of the private chat with this person."""
        d: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            d["last_name"] = self.last_name
        if self.username:
            d["username"] = self.username
        return d

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
            "started": self.started,
            "blocked": self.blocked,
        }

    def __repr__(self) -> str:
        return f"<SimUser {self.id} {self.full_name!r}>"

    # ------------------------------------------------------------------ acting
    def _before_action(self) -> None:
        if self.blocked:  # like pressing "Restart bot" in the client
            self.server.unblock(self.id)
        self.started = True
        self._cursor = len(self._bot_events)

    async def send(self, text: str, *, reply_to: int | SimMessage | None = None) -> dict:
        """The user sends a text message. Returns the Telegram Message dict.

        A leading ``/command`` (optionally ``@botname``) gets a ``bot_command`` entity like in
        Telegram. If the user had blocked the bot, sending unblocks it (the client's
        "Restart bot").
        """
        if not isinstance(text, str) or not text:
            raise ValueError("a Telegram message needs non-empty text")
        self._before_action()
        fields: dict[str, Any] = {"text": text}
        m = _COMMAND_RE.match(text)
        if m:
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": m.end()}]
        if reply_to is not None:
            rid = reply_to.message_id if isinstance(reply_to, SimMessage) else int(reply_to)
            if rid in self._raw:
                fields["reply_to_message"] = dict(self._raw[rid])
        msg = self.server._add_message(self, from_bot=False, fields=fields)
        self.server._push_update("message", msg)
        await asyncio.sleep(0)
        return msg

    async def send_document(
        self,
        filename: str,
        content: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> dict:
        """The user uploads a file. The bot can getFile + download it."""
        self._before_action()
        if mime_type is None:
            mime_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        doc = self.server._store_file(bytes(content), filename, mime_type)
        fields: dict[str, Any] = {"document": self.server._document_dict(doc)}
        if caption:
            fields["caption"] = caption
        msg = self.server._add_message(self, from_bot=False, fields=fields, document=doc)
        self.server._push_update("message", msg)
        await asyncio.sleep(0)
        return msg

    def _resolve_message(self, message: SimMessage | int | None, *, need_keyboard: bool):
        if message is not None:
            mid = message.message_id if isinstance(message, SimMessage) else int(message)
            sim = self._sim.get(mid)
            if sim is None or sim.deleted:
                raise AssertionError(
                    f"message #{mid} is not (or no longer) in the chat with {self.full_name}"
                    f"\n{self.dump()}"
                )
            return sim
        for mid in reversed(self._order):
            sim = self._sim[mid]
            if sim.from_bot and not sim.deleted and (sim.buttons or not need_keyboard):
                return sim
        raise AssertionError(
            f"no bot message with an inline keyboard in the chat with {self.full_name}"
            f"\n{self.dump()}"
        )

    async def press(self, label: str, message: SimMessage | int | None = None) -> str:
        """Press the inline button whose text is (or contains) ``label`` on ``message`` or on
        the most recent bot message with an inline keyboard. Returns the callback query id."""
        sim = self._resolve_message(message, need_keyboard=True)
        button = sim.find_button(label)
        if button is None:
            available = ", ".join(repr(t) for t in sim.button_texts) or "(none)"
            raise AssertionError(
                f"no (unambiguous) inline button matching {label!r} on message "
                f"#{sim.message_id} {sim.text[:80]!r}; available buttons: {available}"
            )
        if "callback_data" not in button:
            raise AssertionError(f"button {button['text']!r} is not a callback button: {button}")
        return await self.press_data(button["callback_data"], message=sim)

    async def press_data(self, data: str, message: SimMessage | int | None = None) -> str:
        """Press a button with arbitrary (possibly forged) callback data on ``message`` or the
        most recent bot message with an inline keyboard (or, failing that, any bot message)."""
        try:
            sim = self._resolve_message(message, need_keyboard=True)
        except AssertionError:
            if message is not None:
                raise
            sim = self._resolve_message(None, need_keyboard=False)
        self._before_action()
        return self.server._press(self, sim.message_id, data)

    # ------------------------------------------------------------------ reading
    @property
    def messages(self) -> list[SimMessage]:
        """Messages the bot sent in this chat, in order, in their current state (edits applied
        in place; deleted ones stay with ``deleted=True``)."""
        return [self._sim[i] for i in self._order if self._sim[i].from_bot]

    @property
    def history(self) -> list[SimMessage]:
        """All messages in the chat (the user's and the bot's), current state."""
        return [self._sim[i] for i in self._order]

    def last_message(self) -> SimMessage | None:
        """The most recent (not deleted) bot message, or None."""
        for mid in reversed(self._order):
            sim = self._sim[mid]
            if sim.from_bot and not sim.deleted:
                return sim
        return None

    def message(self, message_id: int) -> SimMessage:
        return self._sim[message_id]

    @property
    def texts(self) -> list[str]:
        """Texts of the bot's current (not deleted) messages."""
        return [m.text for m in self.messages if not m.deleted]

    def dump(self, last: int = 15) -> str:
        hist = self.history[-last:]
        head = f"chat with {self.full_name} ({self.id}), {len(self._order)} messages"
        if not hist:
            return head + ": (empty)"
        return head + ":\n" + "\n".join("  " + str(m) for m in hist)

    async def reply(self, timeout: float = 5.0) -> SimMessage:
        """Wait for the next new or edited bot message in this chat since the user's last
        action (send/press) or the previous reply(); return it (a snapshot)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._cursor < len(self._bot_events):
                sim = self._bot_events[self._cursor]
                self._cursor += 1
                return sim
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"{self.full_name} got no new bot message or edit within {timeout}s.\n"
                    f"{self.dump()}\n{self.server._diagnostics()}"
                )
            await self._changed.wait(remaining)

    async def replies(self, n: int, timeout: float = 5.0) -> list[SimMessage]:
        """Wait for the next ``n`` new/edited bot messages (one deadline for all)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        out: list[SimMessage] = []
        for _ in range(n):
            try:
                out.append(await self.reply(max(0.0, deadline - loop.time())))
            except TimeoutError as exc:
                raise TimeoutError(
                    f"expected {n} bot messages/edits, got {len(out)} within {timeout}s.\n{exc}"
                ) from None
        return out

    async def assert_no_reply(self, wait: float = 0.3) -> None:
        """Assert that the bot sends/edits nothing in this chat for ``wait`` seconds."""
        try:
            sim = await self.reply(wait)
        except TimeoutError:
            return
        raise AssertionError(f"expected no reply, but the bot sent: {sim}\n{self.dump()}")

    def skip_replies(self) -> None:
        """Forget pending (not yet awaited) bot messages for reply()."""
        self._cursor = len(self._bot_events)

    # ------------------------------------------------------------------ blocking
    def block(self) -> None:
        self.server.block(self.id)

    def unblock(self) -> None:
        self.server.unblock(self.id)
