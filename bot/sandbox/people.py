"""Simulated Telegram users: the people's side of the sandbox.

A :class:`SimUser` is one person with a private chat with the bot (``chat.id == user.id``).
Through it a test (or the sandbox web chat) sends messages, uploads documents, presses inline
buttons and types inline queries, and reads what the bot sent back. A person reaches Telegram
only through the :class:`TelegramService` methods below, as a Telegram app would; the chat itself
(:class:`~.chat.ChatLog`) belongs to Telegram and the person only reads it.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from typing import Any, Protocol

from .chat import ChatLog
from .models import CallbackAnswer, InlineAnswer, SimDocument, SimMessage

__all__ = ["SimUser", "TelegramService"]

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
INLINE_CHAT_TYPES = ("sender", "private", "group", "supergroup", "channel")


class TelegramService(Protocol):
    """What a person's Telegram app asks of Telegram (``SimTelegram`` provides it)."""

    def block(self, user_id: int, *, notify: bool = False) -> None: ...

    def unblock(self, user_id: int, *, notify: bool = False) -> None: ...

    def user_sends(self, user: SimUser, fields: dict[str, Any], *,
                   document: SimDocument | None = None) -> dict: ...

    def upload(self, content: bytes, filename: str | None, mime_type: str | None) -> SimDocument:
        ...

    def press_button(self, user: SimUser, message_id: int, data: str) -> str: ...

    def ask_inline(self, user: SimUser, query: str, offset: str, chat_type: str) -> str: ...

    async def inline_answer(self, query_id: str, timeout: float) -> InlineAnswer | None: ...

    def choose_inline_result(self, user: SimUser, query_id: str, result_id: str) -> SimMessage:
        ...

    def diagnostics(self) -> str: ...


class SimUser:
    """A simulated person in a private chat with the bot. Create with ``server.user(...)``."""

    def __init__(
        self,
        server: TelegramService,
        chat: ChatLog,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> None:
        self.server = server
        #: the private chat with the bot (Telegram writes it; read it through the methods below)
        self.chat = chat
        #: chats the bot is not in, where this person posted through the bot's inline mode
        self.elsewhere = ChatLog(0)
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
        self._seen_changes = 0  # how many of the bot's sends/edits reply() has handed out
        self._inline_queries: list[str] = []  # ids of this person's inline queries, in order

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
        self.skip_replies()

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
            replied = self.chat.raw(rid)
            if replied is not None:
                fields["reply_to_message"] = replied
        msg = self.server.user_sends(self, fields)
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
        doc = self.server.upload(bytes(content), filename, mime_type)
        fields: dict[str, Any] = {}
        if caption:
            fields["caption"] = caption
        msg = self.server.user_sends(self, fields, document=doc)
        await asyncio.sleep(0)
        return msg

    def _resolve_message(self, message: SimMessage | int | None, *, need_keyboard: bool):
        if message is not None:
            mid = message.message_id if isinstance(message, SimMessage) else int(message)
            sim = self.chat.get(mid)
            if sim is None or sim.deleted:
                raise AssertionError(
                    f"message #{mid} is not (or no longer) in the chat with {self.full_name}"
                    f"\n{self.dump()}"
                )
            return sim
        sim = self.chat.latest_from_bot(with_buttons=need_keyboard)
        if sim is None:
            raise AssertionError(
                f"no bot message with an inline keyboard in the chat with {self.full_name}"
                f"\n{self.dump()}"
            )
        return sim

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
        return self.server.press_button(self, sim.message_id, data)

    # ------------------------------------------------------------------ inline mode
    async def inline_query(self, query: str, *, offset: str = "",
                           chat_type: str = "sender") -> str:
        """The user types ``@bot query`` in a chat of ``chat_type`` ("sender" is this private
        chat with the bot). Returns the inline query id; read the bot's answer with
        inline_answer()."""
        if chat_type not in INLINE_CHAT_TYPES:
            raise ValueError(f"chat_type must be one of {', '.join(INLINE_CHAT_TYPES)}")
        if len(query) > 256:
            raise ValueError("an inline query has at most 256 characters")
        query_id = self.server.ask_inline(self, query, offset, chat_type)
        self._inline_queries.append(query_id)
        await asyncio.sleep(0)
        return query_id

    async def inline_answer(self, query_id: str | None = None,
                            timeout: float = 5.0) -> InlineAnswer:
        """Wait for the bot's answer to ``query_id`` (default: this user's latest query)."""
        query_id = query_id or self._latest_inline_query()
        answer = await self.server.inline_answer(query_id, timeout)
        if answer is None:
            raise TimeoutError(
                f"the bot did not answer {self.full_name}'s inline query {query_id} within "
                f"{timeout}s.\n{self.server.diagnostics()}"
            )
        return answer

    async def choose_inline_result(self, result_id: str,
                                   query_id: str | None = None) -> SimMessage:
        """The user taps result ``result_id`` of the bot's answer: its message is posted, from
        the user and ``via_bot``, into the chat the query was typed in (this chat for
        "sender", otherwise ``self.elsewhere``). Returns that message."""
        query_id = query_id or self._latest_inline_query()
        self._before_action()
        sim = self.server.choose_inline_result(self, query_id, result_id)
        await asyncio.sleep(0)
        return sim

    def _latest_inline_query(self) -> str:
        if not self._inline_queries:
            raise AssertionError(f"{self.full_name} has not typed an inline query")
        return self._inline_queries[-1]

    # ------------------------------------------------------------------ reading
    @property
    def messages(self) -> list[SimMessage]:
        """Messages the bot sent in this chat, in order, in their current state (edits applied
        in place; deleted ones stay with ``deleted=True``)."""
        return [m for m in self.chat.history if m.from_bot]

    @property
    def history(self) -> list[SimMessage]:
        """All messages in the chat (the user's and the bot's), current state."""
        return self.chat.history

    def last_message(self) -> SimMessage | None:
        """The most recent (not deleted) bot message, or None."""
        return self.chat.latest_from_bot()

    def message(self, message_id: int) -> SimMessage:
        sim = self.chat.get(message_id)
        if sim is None:
            raise KeyError(message_id)
        return sim

    @property
    def texts(self) -> list[str]:
        """Texts of the bot's current (not deleted) messages."""
        return [m.text for m in self.messages if not m.deleted]

    def dump(self, last: int = 15) -> str:
        hist = self.history[-last:]
        head = f"chat with {self.full_name} ({self.id}), {len(self.chat)} messages"
        if not hist:
            return head + ": (empty)"
        return head + ":\n" + "\n".join("  " + str(m) for m in hist)

    async def answer_to(self, query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """The bot's answer to the button press ``query_id`` (from press/press_data), once it
        came: a bot that is slow to answer is waited for, not taken for one that never will."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            answer = next((a for a in self.callback_answers if a.query_id == query_id), None)
            if answer is not None:
                return answer
            if loop.time() >= deadline:
                raise TimeoutError(f"{self.full_name}'s press {query_id} got no answer within "
                                   f"{timeout}s.\n{self.dump()}\n{self.server.diagnostics()}")
            await asyncio.sleep(0.01)

    async def reply(self, timeout: float = 5.0) -> SimMessage:
        """Wait for the next new or edited bot message in this chat since the user's last
        action (send/press) or the previous reply(); return it (a snapshot)."""
        sim = await self.chat.bot_change(self._seen_changes, timeout)
        if sim is None:
            raise TimeoutError(
                f"{self.full_name} got no new bot message or edit within {timeout}s.\n"
                f"{self.dump()}\n{self.server.diagnostics()}"
            )
        self._seen_changes += 1
        return sim

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
        self._seen_changes = self.chat.bot_change_count

    # ------------------------------------------------------------------ blocking
    def block(self) -> None:
        self.server.block(self.id)

    def unblock(self) -> None:
        self.server.unblock(self.id)
