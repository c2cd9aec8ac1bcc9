"""After an alert went out: its status message (rendered for the delivery worker), and the
buttons under its final report — [✏️ Correct], [📊 Stats], [🔁 Retry N failed] — with
``/correct <alert> [text]`` and the typed text of a correction.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.coordination import alert_status, corrections
from bot.delivery.report import RenderStatus, Report
from bot.i18n import t
from bot.parsing import InputError, parse_db_id
from bot.services import Services, services
from handlers import keyboards as kb
from handlers import letters
from handlers.common import acknowledge, lang_of, respond
from handlers.roles import NOT_YOURS, can_coordinate, may_work_on_alert, user_id_of
from storage.alerts import alert_report
from storage.models import Alert


async def render_status(svc: Services, alert_id: int, report: Report,
                        lang: str) -> tuple[str, Any]:
    """The status message of an alert: header, progress or tally; buttons once it is done."""
    async with svc.db.session() as session:
        text, facts, details = await alert_status.status_text(
            session=session, alert_id=alert_id, report=report, lang=lang,
            default_timezone=svc.settings.default_timezone)
    if report["pending"] or facts is None:
        return text, None
    return text, kb.report_keyboard(alert_id, correctable=report["sent"] > 0,
                                    retryable=details.retryable, lang=lang)


def status_renderer(svc: Services) -> RenderStatus:
    """For :class:`bot.delivery.StatusMessages` (the wiring)."""
    async def render(alert_id: int, report: Report, lang: str) -> tuple[str, Any]:
        return await render_status(svc, alert_id, report, lang)
    return render


async def show_final_report(update: Update, svc: Services, alert_id: int, lang: str) -> None:
    """Put the final report in the status message (if the worker finished before we made it
    the status message)."""
    async with svc.db.session() as session:
        report = await alert_report(session, alert_id)
    text, markup = await render_status(svc, alert_id, report, lang)
    await respond(update, text, markup)


# ----------------------------------------------------------------------- starting a correction
async def correct_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/correct <alert id> [corrected text]"""
    svc = services(context)
    lang = lang_of(update)
    message = update.effective_message
    parts = ((message.text or "") if message is not None else "").split(maxsplit=2)
    text = parts[2] if len(parts) > 2 else ""
    alert_id = parse_db_id(parts[1].removeprefix("#")) if len(parts) > 1 else None
    if alert_id is None:
        raise InputError(usage=True)
    if not await may_work_on_alert(svc, user_id_of(update), alert_id):
        raise InputError(t(NOT_YOURS, lang))
    async with svc.db.session() as session:
        prompt = await corrections.open_correction(session=session, alert_id=alert_id,
                                                   actor_id=user_id_of(update),
                                                   now=svc.clock.now(), lang=lang)
    if text.strip():
        await _preview(update, svc, text, lang)
    else:
        await respond(update, prompt, edit=False)


async def correction_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text from a coordinator whose correction waits for it; any other text goes on to the
    letter wizard's signature step (one handler per group runs: this one passes it on)."""
    svc = services(context)
    user_id = user_id_of(update)
    message = update.effective_message
    if message is not None and message.text and await can_coordinate(svc, user_id):
        async with svc.db.session() as session:
            waiting = await corrections.waiting_draft(session=session, actor_id=user_id,
                                                      now=svc.clock.now())
        if waiting is not None:
            try:
                await _preview(update, svc, message.text, lang_of(update))
            except InputError as error:
                await respond(update, error.text or t("Nothing was changed.", lang_of(update)),
                              edit=False)
            return
    await letters.signature_text(update, context)


async def _preview(update: Update, svc: Services, text: str, lang: str) -> None:
    async with svc.db.session() as session:
        draft = await corrections.waiting_draft(session=session, actor_id=user_id_of(update),
                                                now=svc.clock.now())
        if draft is None:
            raise InputError(t("This correction has expired. Press [✏️ Correct] again.", lang))
        preview = await corrections.preview_correction(session=session, draft=draft, text=text,
                                                       lang=lang)
    # Exactly what each copy will say (with its buttons), then the question.
    await respond(update, preview.text, kb.alert_keyboard(preview.case_id, preview.case_open, lang),
                  edit=False)
    await respond(update, preview.question,
                  kb.correction_keyboard(preview.draft_id, preview.copies, lang), edit=False)


# ----------------------------------------------------------------------------------- buttons
async def _coordinator(update: Update, svc: Services, lang: str) -> bool:
    if await can_coordinate(svc, user_id_of(update)):
        return True
    await acknowledge(update, t("This command is not available.", lang), alert=True)
    return False


def _message_ids(update: Update) -> tuple[int | None, int | None]:
    message = update.callback_query.message
    if message is None or not message.is_accessible:
        return None, None
    return message.chat.id, message.message_id


async def _pressed(update: Update, svc, lang: str, parse):
    """The button's data parsed, if it is well formed and pressed by a coordinator; else None
    after saying why."""
    parsed = parse(update.callback_query.data)
    if parsed is None:
        await acknowledge(update, t("This button is not valid. Nothing was sent.", lang),
                          alert=True)
        return None
    return parsed if await _coordinator(update, svc, lang) else None


async def alert_action_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """[✏️ Correct], [📊 Stats] or [🔁 Retry N failed] under an alert's report."""
    svc, lang = services(context), lang_of(update)
    parsed = await _pressed(update, svc, lang, kb.parse_alert_action)
    if parsed is None:
        return
    alert_id, action = parsed
    if not await may_work_on_alert(svc, user_id_of(update), alert_id):
        await acknowledge(update, t(NOT_YOURS, lang), alert=True)
        return
    now = svc.clock.now()
    try:
        async with svc.db.session() as session:
            if action == kb.ALERT_STATS:
                text = await alert_status.alert_stats_text(
                    session=session, alert_id=alert_id, lang=lang,
                    default_timezone=svc.settings.default_timezone)
                text = text or t("There is no alert #{id}.", lang, id=alert_id)
            elif action == kb.ALERT_FIX:
                text = await corrections.open_correction(session=session, alert_id=alert_id,
                                                         actor_id=user_id_of(update), now=now,
                                                         lang=lang)
            else:
                chat_id, message_id = _message_ids(update)
                done = await corrections.retry_failed(
                    session=session, alert_id=alert_id, actor_id=user_id_of(update), now=now,
                    status_chat_id=chat_id, status_message_id=message_id, lang=lang)
    except InputError as error:
        await acknowledge(update, error.text, alert=True)
        return
    await acknowledge(update)
    if action == kb.ALERT_RETRY:
        if not done.ok:
            await respond(update, done.message, edit=False)
            return
        await respond(update, done.message)  # the report becomes the status message again
        await _if_finished(update, svc, alert_id, lang)
        return
    await respond(update, text, edit=False)


async def correction_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """[✏️ Edit N copies] / [✖️ Cancel] under a correction's preview."""
    svc, lang = services(context), lang_of(update)
    parsed = await _pressed(update, svc, lang, kb.parse_correction)
    if parsed is None:
        return
    draft_id, action = parsed
    chat_id, message_id = _message_ids(update)
    async with svc.db.session() as session:
        if action == kb.BROADCAST_SEND:
            done = await corrections.confirm_correction(
                session=session, draft_id=draft_id, actor_id=user_id_of(update),
                now=svc.clock.now(), status_chat_id=chat_id, status_message_id=message_id,
                lang=lang)
        else:
            done = await corrections.cancel_correction(
                session=session, draft_id=draft_id, actor_id=user_id_of(update),
                now=svc.clock.now(), lang=lang)
    if not done.ok:
        await acknowledge(update, done.message, alert=True)
        return
    await acknowledge(update)
    await respond(update, done.message)  # the question becomes the status message
    if done.alert_id is not None and done.queued:
        await _if_finished(update, svc, done.alert_id, lang)


async def _if_finished(update: Update, svc: Services, alert_id: int, lang: str) -> None:
    """Should the worker have finished before our edit landed, put its final report back."""
    async with svc.db.session() as session:
        alert = await session.get(Alert, alert_id, populate_existing=True)
        finished = alert is not None and alert.finished_at is not None
    if finished:
        await show_final_report(update, svc, alert_id, lang)
