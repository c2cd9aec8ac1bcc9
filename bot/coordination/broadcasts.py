"""A coordinator's alert from command to outbox: the draft and its preview, then [Send] or
[Cancel].

Send is one transaction that starts with a conditional UPDATE of the draft (draft → sent): of
two presses, in one process or two, exactly one goes on to make the change (the kind's
``apply``) and queue the alert; the other is told it was already handled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alerts import count_audience, enqueue_alert
from bot.coordination.kinds import (
    ALERT_LANGUAGE,
    Applying,
    BroadcastKind,
    DraftRequest,
    Payload,
    Propose,
)
from bot.coordination.lookup import case_timezone
from bot.coordination.registry import BROADCAST_KINDS
from bot.i18n import t, tn
from bot.parsing import InputError
from bot.render import case_title, shorten
from storage import audit
from storage import broadcasts as drafts
from storage import cases as case_queries
from storage.models import BroadcastStatus, PendingBroadcast

# A preview older than this is refused: the audience and the facts may have changed since.
DRAFT_TTL = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Draft:
    broadcast_id: int
    case_id: int
    case_title: str
    kind: str
    text: str  # exactly what the subscribers will get
    audience: int  # how many will get it, now
    case_open: bool  # whether the case is still open once this is sent (for the keyboard)
    effect: str  # what else Send does, in one sentence


def _render(kind: BroadcastKind, payload: Payload, lang: str) -> str:
    try:
        return kind.render(payload, lang)
    except (KeyError, TypeError, ValueError):  # a draft stored in an older shape
        raise InputError(t("This preview can no longer be sent; run the command again for a "
                           "fresh preview.", lang)) from None


async def make_draft(*, session: AsyncSession, request: DraftRequest,
                     propose: Propose) -> Draft:
    """Check the command (``propose``), render its alert once and store it as a draft."""
    proposal = await propose(session, request)
    # The coordinator sees what a subscriber reading their language gets; each subscriber gets
    # the same render in theirs when it is sent (bot.alert_render).
    text = _render(BROADCAST_KINDS[proposal.kind], proposal.payload, request.lang)
    row = await drafts.create_draft(session=session, actor_id=request.actor_id,
                                    case_id=proposal.case.id, kind=proposal.kind,
                                    payload=proposal.payload, now=request.now)
    audience = await count_audience(session, proposal.case.id)
    return Draft(broadcast_id=row.id, case_id=proposal.case.id,
                 case_title=case_title(proposal.case, request.lang),
                 kind=proposal.kind, text=text, audience=audience,
                 case_open=proposal.case_open, effect=proposal.effect)


def preview_question(draft: Draft, lang: str = "en") -> str:
    """The line under the preview: who gets it, what else happens, Send or Cancel."""
    title = escape(shorten(draft.case_title, 120))
    if draft.audience:
        who = t("👆 <b>Preview.</b> This is exactly what {people} of <b>{title}</b> will get.",
                lang, people=tn("<b>{count}</b> subscriber", "<b>{count}</b> subscribers",
                                draft.audience, lang), title=title)
    else:
        who = t("👆 <b>Preview.</b> Nobody follows <b>{title}</b> yet, so nobody will get this "
                "message.", lang, title=title)
    return f"{who}\n{draft.effect}\n\n" + t("Send it?", lang)


# ------------------------------------------------------------------------------------------
# Send or cancel a draft

@dataclass(frozen=True)
class Confirmed:
    ok: bool
    message: str  # for the coordinator: the status line, or why nothing was sent
    alert_id: int | None = None
    recipients: int = 0
    final: bool = False  # the draft is settled for good; the preview's buttons can go
    event_ids: list[int] = field(default_factory=list)  # events whose reminders changed


def _refusal(row: PendingBroadcast | None, actor_id: int, lang: str) -> Confirmed:
    if row is None or row.actor_id != actor_id:
        return Confirmed(False, t("This button is not valid. Nothing was sent.", lang))
    if row.status == BroadcastStatus.SENT:
        return Confirmed(False, t("This message was already sent; it is not sent twice.", lang))
    if row.status == BroadcastStatus.CANCELLED:
        return Confirmed(False, t("This message was cancelled. Nothing was sent.", lang))
    return Confirmed(False, t("This preview has expired. Nothing was sent; run the command "
                              "again for a fresh preview.", lang), final=True)


async def confirm_broadcast(*, session: AsyncSession, broadcast_id: int, actor_id: int,
                            now: dt.datetime, reminder_offsets: Sequence[int],
                            default_timezone: str = "UTC", status_chat_id: int | None = None,
                            status_message_id: int | None = None,
                            lang: str = "en") -> Confirmed:
    """[Send]: make the change and queue the alert, once. Commit the session after this."""
    claimed = await drafts.leave_draft(session=session, broadcast_id=broadcast_id,
                                       actor_id=actor_id, status=BroadcastStatus.SENT,
                                       not_before=now - DRAFT_TTL)
    row = await drafts.get_broadcast(session=session, broadcast_id=broadcast_id)
    if not claimed:
        return _refusal(row, actor_id, lang)
    case = await case_queries.get_case(session=session, case_id=row.case_id)
    kind = BROADCAST_KINDS.get(row.kind)
    try:
        if kind is None:
            raise InputError(t("This kind of message can no longer be sent.", lang))
        text = _render(kind, row.payload, ALERT_LANGUAGE)
        applied = await kind.apply(Applying(
            session=session, broadcast=row, case=case, actor_id=actor_id, now=now,
            reminder_offsets=reminder_offsets, lang=lang,
            timezone=row.payload.get("timezone") or case_timezone(case, default_timezone)))
    except InputError as error:  # the facts changed since the preview
        await drafts.set_status(session=session, broadcast_id=broadcast_id,
                                status=BroadcastStatus.CANCELLED)
        return Confirmed(False, f"{error.text}\n" + t("Nothing was sent.", lang), final=True)
    alert = await enqueue_alert(session=session, case_id=case.id, kind=row.kind, text=text,
                                event_id=applied.event_id, dedupe_key=f"broadcast:{row.id}",
                                created_by=actor_id, status_chat_id=status_chat_id,
                                status_message_id=status_message_id,
                                payload={**row.payload, "report_lang": lang}, now=now)
    recipients = alert.recipients if alert is not None else 0
    if alert is not None and not recipients:
        # Nothing to deliver: the answer below is the whole report, not a "0 of 0" edit.
        alert.status_chat_id = alert.status_message_id = None
        session.add(alert)
    await drafts.set_status(session=session, broadcast_id=row.id, status=BroadcastStatus.SENT,
                            alert_id=alert.id if alert is not None else None)
    await audit.record(session=session, actor_id=actor_id, action=row.kind,
                       detail=f"{case.slug}: {applied.summary}; alert to {recipients}", now=now)
    if recipients:
        message = t("📤 Sending to {people}…", lang,
                    people=tn("{count} subscriber", "{count} subscribers", recipients, lang))
    else:
        message = t("✅ Done. Nobody follows this case, so no message went out.", lang)
    return Confirmed(True, message, alert_id=alert.id if alert is not None else None,
                     recipients=recipients, final=True, event_ids=applied.changed)


async def cancel_broadcast(*, session: AsyncSession, broadcast_id: int, actor_id: int,
                           now: dt.datetime, lang: str = "en") -> Confirmed:
    """[Cancel]: the draft is dropped; nothing is sent or changed."""
    claimed = await drafts.leave_draft(session=session, broadcast_id=broadcast_id,
                                       actor_id=actor_id, status=BroadcastStatus.CANCELLED,
                                       not_before=now - DRAFT_TTL)
    row = await drafts.get_broadcast(session=session, broadcast_id=broadcast_id)
    if not claimed:
        return _refusal(row, actor_id, lang)
    await audit.record(session=session, actor_id=actor_id, action="cancel_" + row.kind,
                       detail=f"preview #{row.id} dropped, nothing sent", now=now)
    return Confirmed(True, t("✖️ Cancelled. Nothing was sent.", lang), final=True)
