"""Showing a coordinator's draft: the alert exactly as subscribers will get it (once per
language version of the typed text, its buttons inert), then the question — who gets it, which
hearing it is about, who gets which version — with [Send] / [Cancel] and [Add a … version]."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.coordination import broadcasts
from bot.coordination.kinds import DraftRequest, Propose
from bot.i18n import N_, t
from bot.services import services
from handlers import keyboards as kb
from handlers.common import lang_of, respond
from handlers.roles import scope_for, user_id_of

ADD_VERSION = {"en": N_("➕ Add an English version"), "ru": N_("➕ Add a Russian version"),
               "kk": N_("➕ Add a Kazakh version")}


def text_after_command(update: Update) -> str:
    """Everything after the /command, line breaks kept."""
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def draft_request(update: Update, context: ContextTypes.DEFAULT_TYPE,
                        text: str) -> DraftRequest:
    svc = services(context)
    return DraftRequest(actor_id=user_id_of(update), now=svc.clock.now(), text=text,
                        default_timezone=svc.settings.default_timezone,
                        reminder_offsets=tuple(svc.settings.reminder_offsets),
                        lang=lang_of(update),
                        scope=await scope_for(svc, user_id_of(update)))


async def show_preview(update: Update, context: ContextTypes.DEFAULT_TYPE, propose: Propose,
                       text: str) -> None:
    """Check the command's text with ``propose`` and show its preview (InputError if bad)."""
    request = await draft_request(update, context, text)
    async with services(context).db.session() as session:
        draft = await broadcasts.make_draft(session=session, request=request, propose=propose)
    await show_draft(update, draft)


async def show_draft(update: Update, draft: broadcasts.Draft) -> None:
    lang = lang_of(update)
    # First exactly what subscribers will get (text and buttons, inert here), then the question.
    for code, text in draft.versions or [(lang, draft.text)]:
        alert = kb.alert_keyboard(draft.case_id, draft.case_open, code)
        await respond(update, text, kb.preview_keyboard(alert), edit=False)
    await respond(update, broadcasts.preview_question(draft, lang), question_keyboard(draft, lang),
                  edit=False)


def question_keyboard(draft: broadcasts.Draft, lang: str) -> InlineKeyboardMarkup:
    rows = list(kb.broadcast_keyboard(draft.broadcast_id, draft.audience, lang).inline_keyboard)
    rows += kb.version_buttons(draft.broadcast_id, [(code, t(ADD_VERSION[code], lang))
                                                    for code in draft.can_add
                                                    if code in ADD_VERSION])
    return InlineKeyboardMarkup(rows)
