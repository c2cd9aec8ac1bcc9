"""/start (with or without a deep-link payload) and /help (generated from the command table)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import render
from bot.case_search import suggest
from bot.commands import Audience, table_of
from bot.i18n import t
from bot.parsing import shown
from bot.services import services
from handlers import keyboards as kb
from handlers.cases import (
    follow_in,
    read_card_facts,
    show_card,
    show_case_list,
    subscription_notice,
)
from handlers.common import lang_of, respond
from handlers.referrals import case_of_link, is_new
from handlers.roles import audience_of, user_id_of
from storage import cases as case_queries
from storage.referrals import count_join


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
    chat_id = update.effective_chat.id
    async with services(context).db.session() as session:
        # One transaction for the case, following it, the referral and what the card shows:
        # a shared link is opened by many people at once (bench/burst_bench.py).
        case_row, code = await case_of_link(session, context.args[0])
        if case_row is None:
            # a mistyped or hand-made link: the closest cases, as buttons
            close = suggest(context.args[0], await case_queries.all_cases(session=session))
        else:
            newcomer = await is_new(session, update)
            created = await follow_in(session, update, case_row)
            if newcomer and code and created is not None:  # stored now: one more joined
                await count_join(session=session, code=code, newcomer=chat_id)
            facts = await read_card_facts(session, update, case_row)
    if case_row is None:
        if close:
            await respond(update, t("I could not find the case “{slug}”. Did you mean one of "
                                    "these?", lang, slug=shown(context.args[0])),
                          kb.case_choice_keyboard([(row.id, render.case_title(row, lang))
                                                   for row in close]), edit=False)
            return
        await show_case_list(update, context, 0, edit=False, intro=t(
            "I could not find the case this link points to — it may have been renamed or "
            "removed. Here are the cases I know.", lang))
        return
    notice = subscription_notice(context, update, case_row, created, facts.next_hearing)
    if newcomer:
        # one line above the case: who we are, and where the privacy notice is
        notice = t("👋 Welcome to Appeal Bot. What I keep about you, and how to delete it: "
                   "/privacy", lang) + "\n" + notice
    await show_card(update, context, case_row, notice=notice, edit=False, facts=facts)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What the bot can do: the supporters' commands, and for coordinators theirs too."""
    lang = lang_of(update)
    table = table_of(context.application)
    parts = [t("<b>What I can do</b>", lang),
             "\n".join(table.help_lines(table.for_audience(Audience.SUPPORTER), lang)),
             t("On a case you can tap 🔔 Subscribe to be told about hearings, reminders before "
               "them, outcomes and news, and ✍️ Write a letter to the authorities the appeal "
               "lists.", lang)]
    audience = await audience_of(services(context), user_id_of(update))
    if audience != Audience.SUPPORTER:
        theirs = [command for command in table.for_audience(audience)
                  if command.audience != Audience.SUPPORTER]
        parts.append("\n".join([t("<b>For coordinators</b>", lang),
                                *table.help_lines(theirs, lang, syntax=True),
                                t("Send a case file (YAML) as a document to add or update a "
                                  "case.", lang)]))
    await respond(update, "\n\n".join(parts), kb.browse_keyboard(lang), edit=False)
