"""Hearings into people's calendars: [🗓 Add to calendar] (``ic:<event_id>``) under hearing
alerts, reminders and cards sends that hearing as an .ics file; /calendar sends one file with
every hearing ahead in the cases the person follows."""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import ics, render, sharing
from bot.alert_texts import hearing_name
from bot.fitting import CAPTION_LIMIT, fit_html
from bot.i18n import t, tn
from bot.services import services
from handlers import keyboards as kb
from handlers.common import acknowledge, lang_of, respond
from storage import hearings as hearing_queries
from storage.models import Case, Event, EventStatus

log = logging.getLogger(__name__)


def _hearing(context: ContextTypes.DEFAULT_TYPE, event: Event, case: Case) -> ics.Hearing:
    zone = render.resolve_timezone(case.timezone, services(context).settings.default_timezone)
    return ics.Hearing(event=event, case=case, timezone=zone,
                       link=sharing.deep_link(context.bot.username, case.slug))


async def _send_calendar(update: Update, context: ContextTypes.DEFAULT_TYPE,
                         hearings: list[ics.Hearing], filename: str, caption: str) -> None:
    content = ics.calendar_file(hearings, bot_username=context.bot.username,
                                lang=lang_of(update), now=services(context).clock.now())
    await update.effective_chat.send_document(
        InputFile(content, filename=filename, attach=True), caption=fit_html(caption,
                                                                              CAPTION_LIMIT),
        parse_mode=ParseMode.HTML)


async def calendar_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    event_id = kb.parse_event_id(update.callback_query.data, kb.CALENDAR)
    found = None
    if event_id is not None:
        async with services(context).db.session() as session:
            found = await hearing_queries.hearing_with_case(session=session, event_id=event_id)
    if found is None:
        await acknowledge(update, t("That hearing is no longer on the timeline.", lang),
                          alert=True)
        return
    await acknowledge(update)
    event, case = found
    hearing = _hearing(context, event, case)
    what = t("{hearing}: {title}", lang, hearing=hearing_name(event.kind, lang),
             title=render.escape(render.case_title(case, lang)))
    if event.status == EventStatus.CANCELLED:
        caption = t("🗓 {what} — cancelled. Open the file to remove it from your calendar.",
                    lang, what=what)
    else:
        caption = t("🗓 {what}, {when}. Open the file to add it to your calendar; if the date "
                    "changes, the file from the next alert updates the same entry.", lang,
                    what=what, when=render.escape(render.event_when(event, hearing.timezone,
                                                                    lang)))
    await _send_calendar(update, context, [hearing], ics.filename(case.slug), caption)


async def calendar_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/calendar: every hearing ahead in the cases I follow, in one .ics file."""
    lang = lang_of(update)
    svc = services(context)
    async with svc.db.session() as session:
        rows = await hearing_queries.upcoming_followed(session=session,
                                                       chat_id=update.effective_chat.id,
                                                       now=svc.clock.now())
    if not rows:
        await respond(update, t("🗓 No hearing is scheduled in the cases you follow. When one "
                                "is, its alert has an [Add to calendar] button, and /calendar "
                                "sends them all.", lang), kb.browse_keyboard(lang), edit=False)
        return
    caption = tn("🗓 {count} hearing ahead in the cases you follow. Open the file to add it to "
                 "your calendar.",
                 "🗓 {count} hearings ahead in the cases you follow. Open the file to add them "
                 "to your calendar.", len(rows), lang)
    await _send_calendar(update, context, [_hearing(context, event, case) for event, case in rows],
                         ics.filename(None), caption)
