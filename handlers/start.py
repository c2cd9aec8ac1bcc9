"""/start (with or without a deep-link payload) and /help."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import N_, t
from bot.services import services
from content.schema import SLUG_PATTERN
from handlers import admin
from handlers import keyboards as kb
from handlers.cases import show_card, show_case_list, subscribe_to
from handlers.common import lang_of, respond
from handlers.menus import SUPPORTER_COMMANDS, commands_for
from storage import cases as case_queries


def welcome_text(lang: str) -> str:
    return t(
        "👋 <b>Welcome to Appeal Bot.</b>\n\n"
        "Trade unionists, journalists and activists in Kazakhstan are prosecuted for their work. "
        "Here you can follow their cases: I will tell you when a hearing or an appeal is "
        "scheduled, remind you before it, tell you the outcome, and help you write the letter "
        "each appeal asks for.\n\n"
        "I keep almost nothing about you, and /forget deletes it.", lang)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    if not context.args:
        await respond(update, welcome_text(lang), kb.browse_keyboard(lang), edit=False)
        return
    payload = context.args[0]
    case_row = None
    if re.fullmatch(SLUG_PATTERN, payload):
        async with services(context).db.session() as session:
            case_row = await case_queries.get_case_by_slug(session=session, slug=payload)
    if case_row is None:
        await show_case_list(update, context, 0, edit=False, intro=t(
            "I could not find the case this link points to — it may have been renamed or "
            "removed. Here are the cases I know.", lang))
        return
    notice = await subscribe_to(update, context, case_row)
    await show_card(update, context, case_row, notice=notice, edit=False)


HELP = N_(
    "<b>What I can do</b>\n\n"
    "/cases — browse the cases and read what is happening\n"
    "/mycases — the cases you follow\n"
    "/write — write the letter an appeal asks for\n"
    "/unsubscribe — stop following a case\n"
    "/privacy — what I keep about you and why\n"
    "/forget — delete everything I keep about you\n"
    "/language — the language I write to you in\n"
    "/help — this message\n\n"
    "On a case you can tap 🔔 Subscribe to be told about hearings, reminders before them, "
    "outcomes and news, and ✍️ Write a letter to the authorities the appeal lists."
)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    text = t(HELP, lang)
    user = update.effective_user
    role = await admin.role_of(services(context), user.id if user else None)
    if role is not None:  # coordinators also see their own commands
        extra = [line for line in commands_for(role) if line not in SUPPORTER_COMMANDS]
        text += "\n\n" + t("<b>For coordinators</b>", lang) + "\n" + "\n".join(
            f"/{name} — {t(description, lang)}" for name, description in extra)
        text += "\n" + t("Send a case file (YAML) as a document to add or update a case.", lang)
    await respond(update, text, kb.browse_keyboard(lang), edit=False)
