"""What every recipient of an alert gets, built once per alert and language.

The wiring says how an alert looks in a channel: ``text_for(alert, lang)`` renders its text
(default: ``alert.text``), ``markup_for(alert, lang)`` (sync or async) builds its buttons.
Senders of the same alert and language share one build; the worker forgets an alert when it
is finished.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.delivery.results import SendResult, Transport
from bot.fitting import fit_html
from storage.alerts import ClaimedDelivery
from storage.db import Database
from storage.models import Alert

# Builds an alert's buttons for the transport's channel in a language; may return an awaitable.
MarkupFor = Callable[[Alert, str], Any]
# Renders an alert's text in a recipient's language (Telegram HTML).
TextFor = Callable[[Alert, str], str]
# For a claimed batch: {delivery id: text → that recipient's own copy}; others get the text.
PersonalFor = Callable[[list[ClaimedDelivery]], Any]


@dataclass(eq=False)
class AlertMessage:
    """What every recipient of one alert in one language gets."""

    text: str
    markup: Any
    created_at: dt.datetime | None = None  # when the alert was written (retry budget)
    broken: str | None = None  # the alert itself cannot be sent (malformed)


class AlertMessages:
    def __init__(self, db: Database, markup_for: MarkupFor | None = None,
                 text_for: TextFor | None = None) -> None:
        self.db = db
        self.markup_for = markup_for
        self.text_for = text_for
        self._built: dict[tuple[int, str], AlertMessage] = {}  # (alert id, language)
        self._loading: dict[tuple[int, str], asyncio.Future] = {}

    async def get(self, alert_id: int, lang: str) -> AlertMessage | None:
        """The alert in ``lang``; None if the alert is gone (deleted with its deliveries)."""
        key = (alert_id, lang)
        message = self._built.get(key)
        if message is not None:
            return message
        loading = self._loading.get(key)
        if loading is None:
            loading = asyncio.ensure_future(self._load(*key))
            self._loading[key] = loading
            loading.add_done_callback(lambda _t: self._loading.pop(key, None))
        return await asyncio.shield(loading)

    async def _load(self, alert_id: int, lang: str) -> AlertMessage | None:
        async with self.db.session() as session:
            alert = await session.get(Alert, alert_id)
        if alert is None:
            return None
        markup = None
        if self.markup_for is not None:
            markup = self.markup_for(alert, lang)
            if inspect.isawaitable(markup):
                markup = await markup
        text = alert.text if self.text_for is None else self.text_for(alert, lang)
        created = alert.created_at
        if created is not None and created.tzinfo is None:
            created = created.replace(tzinfo=dt.UTC)
        message = AlertMessage(text, markup, created)
        self._built[(alert_id, lang)] = message
        return message

    def forget(self, alert_id: int) -> None:
        for key in [key for key in self._built if key[0] == alert_id]:
            del self._built[key]


async def send_or_edit(transport: Transport, row: ClaimedDelivery, message: AlertMessage,
                       personal: Callable[[str], str] | None) -> SendResult:
    """A new message, or an edit of a correction's copy (buttons again: else removed);
    ``personal`` makes this recipient's own copy of the text."""
    text = fit_html(personal(message.text) if personal else message.text)
    if row.edit_message_id is not None:
        return await transport.edit(row.chat_id, row.edit_message_id, text, message.markup)
    return await transport.send(row.chat_id, text, message.markup)
