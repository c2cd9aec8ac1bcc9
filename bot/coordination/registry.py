"""The broadcast kinds: one entry each. A new kind is one entry here plus its functions (a
proposal that a command in ``handlers/command_table.py`` previews, a render, an apply)."""

from __future__ import annotations

from bot.alert_texts import AlertKind
from bot.coordination import hearings, updates
from bot.coordination.kinds import BroadcastKind

BROADCAST_KINDS: dict[str, BroadcastKind] = {kind.name: kind for kind in (
    BroadcastKind(AlertKind.HEARING, hearings.render_scheduled, hearings.apply_scheduled),
    BroadcastKind(AlertKind.APPEAL_HEARING, hearings.render_scheduled, hearings.apply_scheduled),
    BroadcastKind(AlertKind.POSTPONED, hearings.render_postponed, hearings.apply_postponed),
    BroadcastKind(AlertKind.CANCELLED, hearings.render_cancelled, hearings.apply_cancelled),
    BroadcastKind(AlertKind.OUTCOME, updates.render_outcome, updates.apply_outcome),
    BroadcastKind(AlertKind.NEWS, updates.render_news, updates.apply_news),
    BroadcastKind(AlertKind.CLOSED, updates.render_closed, updates.apply_closed),
    BroadcastKind(AlertKind.REOPENED, updates.render_reopened, updates.apply_reopened),
)}
