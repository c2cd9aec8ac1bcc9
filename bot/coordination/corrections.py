"""A coordinator's follow-ups to a sent alert: correct its delivered copies in place, and
re-send the part that failed for reasons that may have passed.

A correction is a draft (``PendingBroadcast`` of kind ``correction``) so that any process can
continue it: [✏️ Correct] or ``/correct <alert>`` opens one that waits for the text, the typed
text makes it a preview, and [Send] — one conditional UPDATE, so two presses send once — queues
one edit per delivered copy through the outbox (:mod:`storage.alert_followups`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alert_texts import TEXT_LIMIT, case_title, heading
from bot.coordination.alert_status import kind_name
from bot.coordination.lookup import case_titles
from bot.i18n import t, tn
from bot.parsing import InputError, clean_text
from content.languages import INTERFACE_LANGUAGES
from storage import alert_followups as followups
from storage import audit
from storage import broadcasts as drafts
from storage.models import Alert, BroadcastStatus, Case, PendingBroadcast

CORRECTION = followups.CORRECTION
# How long a correction waits for its text, and how long its preview may be sent.
WAIT_TTL = dt.timedelta(minutes=30)
DRAFT_TTL = dt.timedelta(hours=2)


def render_correction(payload: dict, lang: str) -> str:
    """A corrected copy: the 'Corrected' heading in the reader's language, then the text as
    the coordinator typed it."""
    return (heading("✏️", t("Corrected", lang), case_title(payload, lang)) + "\n\n"
            + escape(payload["text"]))


async def _correctable(session: AsyncSession, alert_id: int | None, lang: str) -> Alert:
    """The alert a correction may be made of, or InputError saying why not."""
    alert = await session.get(Alert, alert_id) if alert_id else None
    if alert is None:
        raise InputError(t("There is no alert #{id}.", lang, id=alert_id or "?"))
    if alert.finished_at is None:
        raise InputError(t("Alert #{id} is still being sent. Correct it once it has been "
                           "delivered.", lang, id=alert.id))
    if not await followups.count_copies(session, alert.id):
        raise InputError(t("No delivered copy of alert #{id} can be edited.", lang, id=alert.id))
    return alert


async def open_correction(*, session: AsyncSession, alert_id: int | None, actor_id: int,
                          now: dt.datetime, lang: str) -> str:
    """[✏️ Correct] or /correct <alert>: a draft waiting for the corrected text; the prompt."""
    alert = await _correctable(session, alert_id, lang)
    await drafts.create_draft(session=session, actor_id=actor_id, case_id=alert.case_id,
                              kind=CORRECTION, payload={"corrects": alert.id, "text": None},
                              now=now)
    return (t("✏️ <b>Correct alert #{id}</b> ({kind}).", lang, id=alert.id,
              kind=escape(kind_name(alert.kind, lang))) + "\n"
            + t("Type the corrected text as your next message. Every delivered copy will be "
                "edited in place to say it; you will see a preview first.", lang))


async def waiting_draft(*, session: AsyncSession, actor_id: int,
                        now: dt.datetime) -> PendingBroadcast | None:
    """This coordinator's latest correction that still waits for its text."""
    rows = (await session.exec(
        select(PendingBroadcast)
        .where(PendingBroadcast.actor_id == actor_id, PendingBroadcast.kind == CORRECTION,
               PendingBroadcast.status == BroadcastStatus.DRAFT,
               PendingBroadcast.created_at >= now - WAIT_TTL)
        .order_by(PendingBroadcast.id.desc()).limit(1))).scalars().all()
    row = rows[0] if rows else None
    return row if row is not None and not (row.payload or {}).get("text") else None


@dataclass(frozen=True)
class CorrectionPreview:
    draft_id: int
    case_id: int
    case_open: bool  # for the copies' buttons
    text: str  # the corrected copy as the coordinator's language renders it
    copies: int
    question: str


async def preview_correction(*, session: AsyncSession, draft: PendingBroadcast, text: str,
                             lang: str) -> CorrectionPreview:
    """The typed text: checked, stored in the draft, shown as the copies will read."""
    corrected = clean_text(text, lang, limit=TEXT_LIMIT)
    if not corrected:
        raise InputError(t("The corrected text is empty. Type the text the copies should "
                           "say.", lang))
    alert = await _correctable(session, int(draft.payload["corrects"]), lang)
    case = await session.get(Case, alert.case_id)
    payload = {**case_titles(case), "corrects": alert.id, "text": corrected}
    draft.payload = payload
    session.add(draft)
    copies = await followups.count_copies(session, alert.id)
    question = (tn("👆 <b>Preview.</b> Send edits <b>{count}</b> delivered copy of alert #{id} "
                   "in place, to read as above.",
                   "👆 <b>Preview.</b> Send edits <b>{count}</b> delivered copies of alert #{id} "
                   "in place, to read as above.", copies, lang, id=alert.id)
                + "\n" + t("Nobody gets a new message. Send it?", lang))
    return CorrectionPreview(draft.id, alert.case_id, case is not None and case.is_open,
                             render_correction(payload, lang), copies, question)


@dataclass(frozen=True)
class Done:
    ok: bool
    message: str
    alert_id: int | None = None
    queued: int = 0


async def confirm_correction(*, session: AsyncSession, draft_id: int, actor_id: int,
                             now: dt.datetime, status_chat_id: int | None,
                             status_message_id: int | None, lang: str) -> Done:
    """[Send] under a correction's preview: queue one edit per delivered copy, once."""
    claimed = await drafts.leave_draft(session=session, broadcast_id=draft_id,
                                       actor_id=actor_id, status=BroadcastStatus.SENT,
                                       not_before=now - DRAFT_TTL)
    row = await drafts.get_broadcast(session=session, broadcast_id=draft_id)
    if claimed and (row.kind != CORRECTION or not row.payload.get("text")):
        # Not a correction's preview (a forged button): leave the draft as it was.
        await drafts.set_status(session=session, broadcast_id=draft_id,
                                status=BroadcastStatus.DRAFT)
        claimed = False
    if not claimed:
        if (row is not None and row.kind == CORRECTION and row.actor_id == actor_id
                and row.status == BroadcastStatus.SENT):
            return Done(False, t("This correction was already sent; it is not sent twice.",
                                 lang))
        return Done(False, t("This button is not valid. Nothing was sent.", lang))
    original = await session.get(Alert, int(row.payload["corrects"]))
    if original is None:
        return Done(False, t("The alert was deleted. Nothing was sent.", lang))
    payload = {**row.payload, "report_lang": lang,
               "texts": {code: render_correction(row.payload, code)
                         for code in INTERFACE_LANGUAGES}}
    alert = await followups.queue_correction(
        session=session, original=original, text=payload["texts"].get("en", ""),
        payload=payload, dedupe_key=f"correction:{row.id}", created_by=actor_id,
        status_chat_id=status_chat_id, status_message_id=status_message_id)
    queued = alert.recipients if alert is not None else 0
    await drafts.set_status(session=session, broadcast_id=row.id, status=BroadcastStatus.SENT,
                            alert_id=alert.id if alert is not None else None)
    await audit.record(session=session, actor_id=actor_id, action="correct",
                       detail=f"alert #{original.id}: {queued} copies to edit "
                              f"(correction #{alert.id if alert else '?'})", now=now)
    if alert is not None and not queued:
        alert.status_chat_id = alert.status_message_id = None
        session.add(alert)
        return Done(True, t("✅ Done. No copy could be edited any more.", lang), alert.id, 0)
    return Done(True, tn("✏️ Editing {count} copy…", "✏️ Editing {count} copies…", queued, lang),
                alert.id if alert is not None else None, queued)


async def cancel_correction(*, session: AsyncSession, draft_id: int, actor_id: int,
                            now: dt.datetime, lang: str) -> Done:
    claimed = await drafts.leave_draft(session=session, broadcast_id=draft_id,
                                       actor_id=actor_id, status=BroadcastStatus.CANCELLED,
                                       not_before=now - DRAFT_TTL)
    row = await drafts.get_broadcast(session=session, broadcast_id=draft_id) if claimed else None
    if row is not None and row.kind != CORRECTION:  # a forged button: leave it as it was
        await drafts.set_status(session=session, broadcast_id=draft_id,
                                status=BroadcastStatus.DRAFT)
        claimed = False
    if not claimed:
        return Done(False, t("This button is not valid. Nothing was sent.", lang))
    return Done(True, t("✖️ Cancelled. No copy was changed.", lang))


async def retry_failed(*, session: AsyncSession, alert_id: int, actor_id: int,
                       now: dt.datetime, status_chat_id: int | None,
                       status_message_id: int | None, lang: str) -> Done:
    """[🔁 Retry N failed]: re-queue the failed deliveries whose cause may have passed."""
    queued = await followups.requeue_failed(session=session, alert_id=alert_id,
                                            status_chat_id=status_chat_id,
                                            status_message_id=status_message_id)
    if not queued:
        return Done(False, t("Nothing of alert #{id} is left to re-send.", lang, id=alert_id))
    await audit.record(session=session, actor_id=actor_id, action="retry_failed",
                       detail=f"alert #{alert_id}: {queued} failed deliveries re-queued", now=now)
    return Done(True, tn("🔁 Re-sending {count} delivery…", "🔁 Re-sending {count} deliveries…",
                         queued, lang), alert_id, queued)
