"""The simulated Telegram behind the Bot API server.

:class:`SimTelegram` holds what Telegram knows about one bot: its identity and profile, the
people and their private chats with it, the update queue (and webhook), files, pending
callback and inline queries, flood limits, and the record of Bot API calls. The Bot API
methods (:mod:`.methods`) act on it; people (:class:`~.people.SimUser`) use it through the
:class:`~.people.TelegramService` methods; :class:`~.server.BotApiServer` serves it over HTTP.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from .chat import PLAIN, ChatLog, Extras
from .events import EventLog
from .files import FileStore
from .flood import TELEGRAM_LIMITS, FloodControl
from .inline import TOO_OLD, InlineQueries
from .models import ApiCall, ChatEvent, InlineAnswer, SimDocument, SimMessage, Stats
from .people import SimUser
from .profile import BotProfile
from .protocol import ApiError, bad
from .signals import Signal
from .updates import UpdateQueue
from .webhook import WebhookSender

__all__ = ["SimTelegram"]


class SimTelegram:
    """Telegram as one bot and its people see it (see the module docstring)."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "appeal_test_bot",
        bot_name: str = "Appeal Bot",
        *,
        flood_limits: bool = False,
        flood_limit_per_chat: float | None = None,
        flood_limit_global: float | None = None,
        callback_query_ttl: float = 900.0,
        inline_query_ttl: float = 10.0,
        inline_mode: bool = True,
        inline_feedback: bool = False,
        max_calls: int = 100_000,
        max_events: int = 20_000,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_name = bot_name
        try:
            self.bot_id = int(token.split(":", 1)[0])
        except ValueError:
            self.bot_id = 123456
        overall, per_chat, _paid = TELEGRAM_LIMITS if flood_limits else (None, None, None)
        #: Telegram's send limits (429 beyond them); ``flood_limits=True`` switches all on
        self.flood = FloodControl(flood_limit_global or overall, flood_limit_per_chat or per_chat)
        #: seconds after which answerCallbackQuery says "query is too old"
        self.callback_query_ttl = callback_query_ttl
        #: the bot has inline mode on (BotFather /setinline) and inline feedback on
        #: (/setinlinefeedback: chosen results come as chosen_inline_result updates)
        self.inline_mode = inline_mode
        self.inline_feedback = inline_feedback
        self.max_calls = max_calls

        #: every Bot API request, in order (ApiCall); clear it freely
        self.calls: list[ApiCall] = []
        self.stats = Stats()
        self.updates = UpdateQueue()
        self.files = FileStore()
        self.profile = BotProfile(bot_name)
        self.inline = InlineQueries(inline_query_ttl)
        self.event_log = EventLog(max_events)
        #: the webhook updates go to (setWebhook), None while the bot long-polls
        self.webhook: WebhookSender | None = None
        self.webhook_set_at = float("-inf")  # time.monotonic() of the last setWebhook
        #: delivery of webhook updates: first retry delay, longest delay, request timeout (s)
        self.webhook_retry_delay = 0.1
        self.webhook_max_retry_delay = 5.0
        self.webhook_timeout = 10.0

        self._users: dict[int, SimUser] = {}
        self._user_ids = itertools.count(1001)
        self._callback_queries: dict[str, dict] = {}
        self._query_seq = itertools.count(1)
        self._activity = Signal()
        self._last_activity = time.monotonic()

    # ================================================================== flood limits
    @property
    def flood_limit_per_chat(self) -> float | None:
        """Messages/s allowed to one chat; None = unlimited (answers 429 when exceeded)."""
        return self.flood.per_chat

    @flood_limit_per_chat.setter
    def flood_limit_per_chat(self, value: float | None) -> None:
        self.flood.per_chat = value

    @property
    def flood_limit_global(self) -> float | None:
        """Messages/s allowed overall; None = unlimited (answers 429 when exceeded)."""
        return self.flood.overall

    @flood_limit_global.setter
    def flood_limit_global(self, value: float | None) -> None:
        self.flood.overall = value

    # ================================================================== people
    def user(
        self,
        first_name: str,
        user_id: int | None = None,
        language_code: str | None = "en",
        *,
        last_name: str | None = None,
        username: str | None = None,
        started: bool = False,
    ) -> SimUser:
        """Create (or return the existing) simulated user; chat.id == user.id.

        ``started=True`` pretends the user already talked to the bot (otherwise a send to them
        answers "chat not found" until they send something)."""
        if user_id is not None and user_id in self._users:
            u = self._users[user_id]
            u.started = u.started or started
            return u
        if user_id is None:
            user_id = next(self._user_ids)
            while user_id in self._users:
                user_id = next(self._user_ids)
        user_id = int(user_id)
        u = SimUser(self, ChatLog(user_id), user_id, first_name, last_name=last_name,
                    username=username, language_code=language_code)
        u.started = started
        self._users[u.id] = u
        self.emit("user", u.id, data=u.to_dict())
        return u

    @property
    def users(self) -> list[SimUser]:
        return list(self._users.values())

    def get_user(self, user_id: int) -> SimUser:
        return self._users[int(user_id)]

    def find_user(self, user_id: object) -> SimUser | None:
        return self._users.get(user_id) if isinstance(user_id, int) else None

    def block(self, user_id: int, *, notify: bool = False) -> None:
        """The user blocks the bot: every send to their chat answers 403 until unblock().
        ``notify=True`` also queues a ``my_chat_member`` update like Telegram does."""
        u = self._users[int(user_id)]
        u.blocked = True
        self.emit("block", u.id)
        if notify:
            self.push_update("my_chat_member", self._member_update(u, "kicked"))

    def unblock(self, user_id: int, *, notify: bool = False) -> None:
        u = self._users[int(user_id)]
        u.blocked = False
        self.emit("unblock", u.id)
        if notify:
            self.push_update("my_chat_member", self._member_update(u, "member"))

    def _member_update(self, u: SimUser, new_status: str) -> dict:
        bot = self.bot_user()
        kicked = {"status": "kicked", "user": bot, "until_date": 0}
        member = {"status": "member", "user": bot}
        return {
            "chat": u.chat_dict(),
            "from": u.user_dict(),
            "date": int(time.time()),
            "old_chat_member": member if new_status == "kicked" else kicked,
            "new_chat_member": member if new_status == "member" else kicked,
        }

    def chat_for(self, params: dict, *, check_blocked: bool = True) -> SimUser:
        """The person whose private chat a Bot API call names in ``chat_id``."""
        cid = params.get("chat_id")
        if cid is None or cid == "":
            raise bad("chat_id is empty")
        u = self.find_user(cid)
        if u is None or not u.started:
            raise bad("chat not found")
        if check_blocked and u.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return u

    # ================================================================== the bot
    def bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_name,
                "username": self.bot_username}

    def me(self) -> dict:
        """What getMe answers."""
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.inline_mode,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """Commands stored for exactly this scope + language (like getMyCommands)."""
        return self.profile.commands(scope, language_code)

    def commands_for(self, user_id: int) -> list[dict]:
        """The command menu Telegram would show in the private chat with ``user_id``:
        chat scope > all_private_chats > default, each language-specific first."""
        u = self._users.get(int(user_id))
        return self.profile.commands_for(int(user_id), (u.language_code if u else None) or "")

    def file(self, file_id: str) -> SimDocument | None:
        return self.files.get(file_id)

    # ================================================================== messages
    def post_bot_message(self, u: SimUser, fields: dict, extras: Extras = PLAIN) -> dict:
        """The bot's new message in ``u``'s chat; returns its Message dict."""
        raw, _sim = self._add_message(u.chat, self.bot_user(), u.chat_dict(), fields, extras,
                                      from_bot=True)
        return raw

    def edit_message(self, chat: ChatLog, message_id: int, changes: dict, *,
                     html: str | None | type = ...,
                     parse_mode: str | None | type = ...) -> dict:
        """The bot edits a message in ``chat``; returns its Message dict."""
        sim = chat.edit(message_id, changes, int(time.time()), html=html, parse_mode=parse_mode)
        self.stats.edits += 1
        if chat.chat_id:
            self.emit("edit", chat.chat_id, sim)
        return chat.raw(message_id) or {}

    def delete_message(self, u: SimUser, message_id: object) -> bool:
        sim = u.chat.delete(message_id) if isinstance(message_id, int) else None
        if sim is None:
            return False
        self.emit("delete", u.id, sim)
        return True

    def _add_message(self, chat: ChatLog, sender: dict, chat_dict: dict, fields: dict,
                     extras: Extras, *, from_bot: bool) -> tuple[dict, SimMessage]:
        raw = {"message_id": chat.new_message_id(), "from": sender, "chat": chat_dict,
               "date": int(time.time()), **fields}
        sim = chat.add(raw, from_bot=from_bot, extras=extras)
        if chat.chat_id:  # not a chat the bot is out of (see SimUser.elsewhere)
            self.emit("message", chat.chat_id, sim)
        return dict(raw), sim

    # ================================================================== what people do
    def user_sends(self, user: SimUser, fields: dict[str, Any], *,
                   document: SimDocument | None = None) -> dict:
        """A person's message in their chat with the bot; the bot gets it as an update."""
        if document is not None:
            fields = {"document": self.files.document_dict(document), **fields}
        msg, _sim = self._add_message(user.chat, user.user_dict(), user.chat_dict(), fields,
                                      Extras(document=document), from_bot=False)
        self.push_update("message", msg)
        return msg

    def upload(self, content: bytes, filename: str | None, mime_type: str | None) -> SimDocument:
        return self.files.store(content, filename, mime_type)

    def press_button(self, user: SimUser, message_id: int, data: str) -> str:
        raw = user.chat.raw(message_id)
        if raw is None:
            raise AssertionError(f"message #{message_id} is not in the chat with {user.full_name}")
        qid = str(4_000_000_000_000_000 + user.id * 1_000_000 + next(self._query_seq))
        self._callback_queries[qid] = {"user": user.id, "message_id": message_id, "data": data,
                                       "time": time.monotonic(), "answered": False}
        self.emit("callback_query", user.id, user.chat.get(message_id),
                  data={"query_id": qid, "data": data})
        # a button on a message sent through inline mode names that message by its inline id
        inline_message_id = self.inline.message_id_of(user.chat, message_id)
        where = ({"inline_message_id": inline_message_id} if inline_message_id
                 else {"message": raw})
        self.push_update("callback_query", {
            "id": qid,
            "from": user.user_dict(),
            **where,
            "chat_instance": str(-(user.id * 7919 + self.bot_id) % 10**18),
            "data": data,
        })
        return qid

    def callback_query(self, query_id: str) -> dict:
        """A pending button press the bot answers now (or Telegram's error)."""
        q = self._callback_queries.get(query_id)
        if q is None or q["answered"] or time.monotonic() - q["time"] > self.callback_query_ttl:
            raise bad(TOO_OLD)
        return q

    def ask_inline(self, user: SimUser, query: str, offset: str, chat_type: str) -> str:
        if not self.inline_mode:
            raise AssertionError("the bot has no inline mode (BotApiServer(inline_mode=False))")
        q = self.inline.open(user.id, query, offset, chat_type)
        self.emit("inline_query", user.id, data={"query_id": q.id, "query": query})
        self.push_update("inline_query", q.update(user.user_dict()))
        return q.id

    async def inline_answer(self, query_id: str, timeout: float) -> InlineAnswer | None:
        return await self.inline.wait_answer(query_id, timeout)

    def choose_inline_result(self, user: SimUser, query_id: str, result_id: str) -> SimMessage:
        q = self.inline.get(query_id)
        if q is None or q.user_id != user.id or q.answer is None:
            raise AssertionError(f"the bot has not answered {user.full_name}'s inline query "
                                 f"{query_id}")
        prepared = q.messages.get(result_id)
        if prepared is None:
            raise AssertionError(f"no result {result_id!r} in the answer to {q.query!r}; "
                                 f"results: {q.answer.result_ids}")
        in_bot_chat = q.chat_type == "sender"
        chat = user.chat if in_bot_chat else user.elsewhere
        chat_dict = user.chat_dict() if in_bot_chat else {"id": 0, "type": q.chat_type}
        fields = {**prepared.fields, "via_bot": self.bot_user()}
        msg, sim = self._add_message(chat, user.user_dict(), chat_dict, fields,
                                     prepared.extras, from_bot=False)
        if in_bot_chat:  # the bot is in this chat: it sees the message
            self.push_update("message", msg)
        chosen = {"result_id": result_id, "from": user.user_dict(), "query": q.query}
        if "reply_markup" in fields:  # only then can the bot edit it later
            chosen["inline_message_id"] = self.inline.name_message(chat, msg["message_id"])
        if self.inline_feedback:
            self.push_update("chosen_inline_result", chosen)
        return sim

    # ================================================================== updates & activity
    def push_update(self, kind: str, obj: dict) -> dict | None:
        update = self.updates.push(kind, obj)
        self.touch()
        return update

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet returned by getUpdates (or delivered to the webhook)."""
        return self.updates.unfetched

    def touch(self) -> None:
        """Something happened (an update, a call): idle() waits for quiet."""
        self._last_activity = time.monotonic()
        self._activity.fire()

    async def execute(self, method: str, params: dict[str, Any]) -> object:
        """Run a Bot API call that did not come over HTTP (one in a webhook's answer)."""
        raise NotImplementedError("the HTTP server runs Bot API methods")

    def diagnostics(self) -> str:
        recent = self.calls[-8:]
        lines = [f"  {c.method} -> {c.status} {c.description or ''}".rstrip() for c in recent]
        return (
            f"server: {self.pending_updates} unfetched update(s), {len(self.updates)} "
            f"unconfirmed; last calls:\n" + ("\n".join(lines) if lines else "  (none)")
        )

    # ================================================================== events
    def emit(self, type_: str, chat_id: int | None, message: SimMessage | None = None,
             data: dict | None = None) -> ChatEvent:
        return self.event_log.emit(type_, chat_id, message, data)

    def add_listener(self, callback: Callable[[ChatEvent], Any]) -> Callable[[], None]:
        """Call ``callback(event)`` for everything that happens in chats (sync or async).
        Returns a function that removes the listener."""
        return self.event_log.add_listener(callback)

    def remove_listener(self, callback: Callable[[ChatEvent], Any]) -> None:
        self.event_log.remove_listener(callback)

    @property
    def last_event_seq(self) -> int:
        return self.event_log.last_seq

    def events_since(self, after: int = 0, limit: int | None = None) -> list[ChatEvent]:
        return self.event_log.since(after, limit)

    async def wait_events(self, after: int, timeout: float) -> list[ChatEvent]:
        """Events with seq > after; waits up to ``timeout`` for the first one."""
        return await self.event_log.wait(after, timeout)

    def events(self, after: int | None = None) -> AsyncIterator[ChatEvent]:
        """``async for event in server.events():`` - events from now on (or after ``after``)."""
        return self.event_log.stream(after)
