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

from bot.alert_texts import PLACE_LIMIT, TEXT_LIMIT, TRANSLATABLE, version_for
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
from bot.coordination.scope import EVERY_CASE, Scope
from bot.i18n import DEFAULT_LANGUAGE, t, tn
from bot.parsing import InputError, clean_text
from bot.render import case_title, shorten
from content.languages import INTERFACE_LANGUAGES, LANGUAGES
from storage import audit
from storage import broadcasts as drafts
from storage import cases as case_queries
from storage.audience import audience_by_language
from storage.models import BroadcastStatus, Case, PendingBroadcast

# A preview older than this is refused: the audience and the facts may have changed since.
DRAFT_TTL = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Draft:
    broadcast_id: int
    case_id: int
    case_title: str
    kind: str
    text: str  # exactly what the subscribers reading the coordinator's language will get
    audience: int  # how many will get it, now
    case_open: bool  # whether the case is still open once this is sent (for the keyboard)
    effect: str  # what else Send does, in one sentence
    subject: str | None = None  # the hearing it acts on (HTML)
    # The typed text's versions: (language, the alert as its readers get it), one per version
    # given; empty while the text is in one language only.
    versions: list[tuple[str, str]] = field(default_factory=list)
    recipients_by_version: dict[str, int] = field(default_factory=dict)
    can_add: list[str] = field(default_factory=list)  # languages a version may be added in


class DraftGone(InputError):
    """The draft was sent, cancelled or expired: nothing more can be added to it."""


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
    payload = dict(proposal.payload)
    if proposal.subject:
        payload["subject"] = proposal.subject
    # What the preview says besides the alert, kept for a preview shown again (a version added).
    payload["preview"] = {"effect": proposal.effect, "case_open": proposal.case_open}
    if TRANSLATABLE.get(proposal.kind) and payload.get(TRANSLATABLE[proposal.kind]):
        payload["written_in"] = request.lang  # the typed text is taken as the coordinator's
    row = await drafts.create_draft(session=session, actor_id=request.actor_id,
                                    case_id=proposal.case.id, kind=proposal.kind,
                                    payload=payload, now=request.now)
    return await describe_draft(session=session, row=row, case=proposal.case, lang=request.lang,
                                effect=proposal.effect, case_open=proposal.case_open)


async def describe_draft(*, session: AsyncSession, row: PendingBroadcast, case: Case,
                         lang: str, effect: str, case_open: bool) -> Draft:
    """What the preview shows of a stored draft: the alert (once per language version), who
    gets it, and which version each reader gets."""
    kind = BROADCAST_KINDS[row.kind]
    payload = row.payload
    # The coordinator sees what a subscriber reading their language gets; each subscriber gets
    # the same render in theirs when it is sent (bot.alert_render).
    text = _render(kind, payload, lang)
    audience = await count_audience(session, case.id)
    field_name = TRANSLATABLE.get(row.kind)
    versions = text_versions(payload, field_name)
    rendered: list[tuple[str, str]] = []
    by_version: dict[str, int] = {}
    if len(versions) > 1:
        rendered = [(code, _render(kind, payload, code)) for code in versions]
        languages = await audience_by_language(session=session, case_id=case.id)
        for reader, count in languages.items():
            chosen = version_for(versions, reader if reader in LANGUAGES else DEFAULT_LANGUAGE)
            by_version[chosen] = by_version.get(chosen, 0) + count
    can_add = [code for code in INTERFACE_LANGUAGES if code not in versions] \
        if field_name and versions else []
    return Draft(broadcast_id=row.id, case_id=case.id, case_title=case_title(case, lang),
                 kind=row.kind, text=text, audience=audience, case_open=case_open,
                 effect=effect, subject=payload.get("subject"), versions=rendered,
                 recipients_by_version=by_version, can_add=can_add)


def text_versions(payload: Payload, field_name: str | None) -> dict[str, str]:
    """{language: text} of the typed text: the versions given, with the one as typed."""
    if not field_name or not payload.get(field_name):
        return {}
    given = dict((payload.get("versions") or {}).get(field_name) or {})
    return {payload.get("written_in") or DEFAULT_LANGUAGE: payload[field_name], **given}


async def add_version(*, session: AsyncSession, broadcast_id: int, actor_id: int, language: str,
                      text: str, now: dt.datetime, lang: str) -> PendingBroadcast:
    """Put the coordinator's ``language`` version of the typed text into their draft."""
    row = await drafts.get_broadcast(session=session, broadcast_id=broadcast_id)
    if (row is None or row.actor_id != actor_id or row.status != BroadcastStatus.DRAFT
            or _created(row) < now - DRAFT_TTL):
        raise DraftGone(t("This preview was sent, cancelled or has expired, so no version can "
                          "be added to it. Run the command again for a fresh preview.", lang))
    field_name = TRANSLATABLE.get(row.kind)
    if not field_name or not row.payload.get(field_name) or language not in INTERFACE_LANGUAGES:
        raise InputError(t("This message has no text of yours to translate.", lang))
    versions = text_versions(row.payload, field_name)
    versions[language] = clean_text(text, lang, limit=PLACE_LIMIT if field_name == "place"
                                    else TEXT_LIMIT)
    payload = dict(row.payload)
    payload["versions"] = {**(payload.get("versions") or {}), field_name: versions}
    _render(BROADCAST_KINDS[row.kind], payload, language)  # it must still render
    if not await drafts.set_payload(session=session, broadcast_id=row.id, payload=payload):
        raise DraftGone(t("This preview was sent, cancelled or has expired.", lang))
    row.payload = payload
    return row


def _created(row: PendingBroadcast) -> dt.datetime:
    moment = row.created_at
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


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
    lines = [who]
    if draft.subject:
        lines.append(t("It is about: {hearing}", lang, hearing=draft.subject))
    if draft.versions:
        lines.append(t("<b>Versions</b> (each reader gets their language's, else the closest):",
                       lang))
        for code, _ in draft.versions:
            lines.append(t("• {language}: {people}", lang, language=LANGUAGES[code].name,
                           people=tn("{count} recipient", "{count} recipients",
                                     draft.recipients_by_version.get(code, 0), lang)))
    return "\n".join(lines) + f"\n{draft.effect}\n\n" + t("Send it?", lang)


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
                            lang: str = "en", scope: Scope = EVERY_CASE) -> Confirmed:
    """[Send]: make the change and queue the alert, once. Commit the session after this."""
    claimed = await drafts.leave_draft(session=session, broadcast_id=broadcast_id,
                                       actor_id=actor_id, status=BroadcastStatus.SENT,
                                       not_before=now - DRAFT_TTL)
    row = await drafts.get_broadcast(session=session, broadcast_id=broadcast_id)
    if not claimed:
        return _refusal(row, actor_id, lang)
    if not scope.allows(row.case_id):  # limited to other cases since the preview
        await drafts.set_status(session=session, broadcast_id=broadcast_id,
                                status=BroadcastStatus.CANCELLED)
        return Confirmed(False, t("You no longer coordinate this case. Nothing was sent.", lang),
                         final=True)
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
