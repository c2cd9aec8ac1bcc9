"""The shapes every broadcast kind shares: the request a command makes, the proposal it turns
into, and what Send changes. Types only; the kinds themselves are in ``registry``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alert_texts import AlertKind
from bot.coordination.scope import EVERY_CASE, Scope
from bot.i18n import DEFAULT_LANGUAGE
from storage.models import Case, PendingBroadcast

# One text goes to every subscriber (Alert.text), so alerts and timeline entries are written in
# the default language whatever the coordinator's own; what the coordinator reads is in theirs.
ALERT_LANGUAGE = DEFAULT_LANGUAGE

Payload = Mapping[str, Any]  # JSON: everything the kind's render and apply need


@dataclass(frozen=True)
class DraftRequest:
    """A coordinator's command, as the proposal functions read it."""

    actor_id: int
    now: dt.datetime
    text: str  # everything after the /command, line breaks kept
    default_timezone: str
    reminder_offsets: Sequence[int]
    lang: str = "en"
    scope: Scope = EVERY_CASE  # the cases this coordinator may act on

    @property
    def args(self) -> list[str]:
        return self.text.split()

    def first_and_rest(self) -> tuple[str | None, str]:
        """(first word, the rest with its line breaks), e.g. a slug and a news text."""
        parts = self.text.strip().split(maxsplit=1)
        if not parts:
            return None, ""
        return parts[0], parts[1] if len(parts) > 1 else ""


@dataclass(frozen=True)
class Proposal:
    """What a command asks to send, before it is rendered and stored as a draft."""

    case: Case
    kind: AlertKind
    payload: dict[str, Any]
    case_open: bool  # whether the case is still open once this is sent (for the keyboard)
    effect: str  # what else Send does, in one sentence (in the coordinator's language)
    subject: str | None = None  # the hearing it acts on (HTML), named in the preview


Propose = Callable[[AsyncSession, DraftRequest], Awaitable[Proposal]]


@dataclass(frozen=True)
class Applying:
    """A confirmed draft, about to become a change."""

    session: AsyncSession
    broadcast: PendingBroadcast
    case: Case
    actor_id: int
    now: dt.datetime
    reminder_offsets: Sequence[int]
    timezone: str  # the one the draft was rendered with
    lang: str  # the coordinator's, for refusals

    @property
    def payload(self) -> Payload:
        return self.broadcast.payload


@dataclass(frozen=True)
class Applied:
    event_id: int | None  # the event the alert is about
    summary: str  # for the audit log
    changed: list[int] = field(default_factory=list)  # events whose reminders changed


@dataclass(frozen=True)
class BroadcastKind:
    """One kind of coordinator alert: how it reads and what sending it changes.

    ``render(payload, lang)`` is pure: the same payload gives the same text, so the preview is
    exactly what subscribers get. ``apply`` raises :class:`bot.parsing.InputError` when the
    facts changed since the preview; then nothing is sent."""

    name: AlertKind
    render: Callable[[Payload, str], str]
    apply: Callable[[Applying], Awaitable[Applied]]
