"""Every command the bot answers, declared once: name, audience, handler, menu text, /help line,
usage.

``bot/app.py`` registers each through :func:`answering` (which enforces the audience and answers
bad input with the command's usage) and installs the table in the application, where the
command menus (``handlers/menus.py``) and /help (``handlers/start.py``) read it. Adding a
command is one entry here plus its handler; a coordinator command that messages subscribers is
``previewing(<its proposal>)`` (see ``bot/coordination``).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.commands import Audience, Command, CommandTable, Handler
from bot.coordination import hearings, updates
from bot.i18n import N_, t
from bot.parsing import InputError
from bot.services import services
from handlers import alert_followups, cases, language, letters, privacy, reports, start, team
from handlers import stale_addresses as stale
from handlers.admin import previewing
from handlers.common import lang_of, respond
from handlers.roles import audience_of, not_available, user_id_of

log = logging.getLogger(__name__)

SUPPORTER, COORDINATOR, OWNER = Audience.SUPPORTER, Audience.COORDINATOR, Audience.OWNER

# Usage lines (HTML: the angle brackets are escaped), shown when a command's arguments don't fit.
HEARING_USAGE = N_("<b>Usage:</b> /hearing &lt;case&gt; &lt;YYYY-MM-DD HH:MM&gt; [place…]\n"
                   "The time is the court's local time (the case's time zone) unless you add an "
                   "offset, e.g. <code>2026-12-01 10:00+06:00</code>.\n"
                   "Example: <code>/hearing kharkova 2026-12-01 10:00 Shymkent City Court</code>")
APPEAL_USAGE = N_("<b>Usage:</b> /appeal &lt;case&gt; &lt;YYYY-MM-DD HH:MM&gt; [place…]\n"
                  "Schedules an appeal hearing. The time is the court's local time unless you "
                  "add an offset, e.g. <code>2026-12-01 10:00+06:00</code>.")
POSTPONE_USAGE = N_("<b>Usage:</b> /postpone &lt;event id&gt; &lt;YYYY-MM-DD HH:MM&gt;\n"
                    "/upcoming lists the hearings with their ids.")
CANCEL_USAGE = N_("<b>Usage:</b> /cancelhearing &lt;event id&gt;\n"
                  "/upcoming lists the hearings with their ids.")
OUTCOME_USAGE = N_("<b>Usage:</b> /outcome &lt;event id&gt; &lt;what happened&gt;\n"
                   "Example: <code>/outcome 12 The court upheld the sentence.</code>")
NEWS_USAGE = N_("<b>Usage:</b> /news &lt;case&gt; &lt;text&gt;\n"
                "Example: <code>/news kharkova She was allowed a visit from her family.</code>")
CLOSE_USAGE = N_("<b>Usage:</b> /closecase &lt;case&gt; &lt;why no further action is needed&gt;\n"
                 "Example: <code>/closecase kharkova The sentence has been served.</code>")
STATS_USAGE = N_("<b>Usage:</b> /stats [case]")
ADD_USAGE = N_("<b>Usage:</b> /addcoordinator &lt;user id&gt;\nThe numeric Telegram user id, "
               "e.g. <code>/addcoordinator 123456789</code>.")
CORRECT_USAGE = N_("<b>Usage:</b> /correct &lt;alert id&gt; [corrected text]\n"
                   "Edits every delivered copy of the alert in place. Without the text, you "
                   "type it next. The alert's number is in its status message.")
REMOVE_USAGE = N_("<b>Usage:</b> /removecoordinator &lt;user id&gt;\n/coordinators lists them.")

COMMANDS = CommandTable([
    # Supporters: menu text, then the /help line
    Command("start", SUPPORTER, start.start, menu=None),  # the welcome; deep links /start <case>
    Command("cases", SUPPORTER, cases.cases_command, N_("Browse the cases"),
            N_("browse the cases and read what is happening")),
    Command("mycases", SUPPORTER, cases.my_cases_command, N_("The cases you follow"),
            N_("the cases you follow")),
    Command("write", SUPPORTER, letters.write_command, N_("Write a letter for a case"),
            N_("write the letter an appeal asks for")),
    Command("unsubscribe", SUPPORTER, cases.unsubscribe_command, N_("Stop following a case"),
            N_("stop following a case")),
    Command("privacy", SUPPORTER, privacy.privacy_command, N_("What the bot keeps about you"),
            N_("what I keep about you and why")),
    Command("forget", SUPPORTER, privacy.forget_command,
            N_("Delete everything the bot keeps about you"),
            N_("delete everything I keep about you")),
    Command("language", SUPPORTER, language.language_command, N_("Choose your language"),
            N_("the language I write to you in")),
    Command("help", SUPPORTER, start.help_command, N_("What the bot can do"), N_("this message")),
    # Coordinators (the owners in ADMIN_IDS and the coordinators they add): the commands that
    # message subscribers preview first, then [Send] / [Cancel].
    Command("hearing", COORDINATOR, previewing(hearings.propose_hearing),
            N_("Schedule a hearing"), usage=HEARING_USAGE),
    Command("appeal", COORDINATOR, previewing(hearings.propose_appeal),
            N_("Schedule an appeal hearing"), usage=APPEAL_USAGE),
    Command("postpone", COORDINATOR, previewing(hearings.propose_postpone),
            N_("Move a hearing to a new date"), usage=POSTPONE_USAGE),
    Command("cancelhearing", COORDINATOR, previewing(hearings.propose_cancel),
            N_("Cancel a hearing"), usage=CANCEL_USAGE),
    Command("outcome", COORDINATOR, previewing(updates.propose_outcome),
            N_("Tell subscribers what happened at a hearing"), usage=OUTCOME_USAGE),
    Command("news", COORDINATOR, previewing(updates.propose_news),
            N_("Send news about a case to its subscribers"), usage=NEWS_USAGE),
    Command("closecase", COORDINATOR, previewing(updates.propose_close),
            N_("Close a case: no further action needed"), usage=CLOSE_USAGE),
    Command("correct", COORDINATOR, alert_followups.correct_command,
            N_("Correct a sent alert in place"), usage=CORRECT_USAGE),
    Command("upcoming", COORDINATOR, reports.upcoming_command,
            N_("Scheduled hearings, with their ids")),
    Command("stats", COORDINATOR, reports.stats_command, N_("Subscribers, deliveries and letters"),
            usage=STATS_USAGE),
    Command("audit", COORDINATOR, reports.audit_command, N_("Who did what, and when")),
    Command("staleaddresses", COORDINATOR, stale.stale_addresses_command,
            N_("Addresses not checked for a year")),
    # Owners
    Command("coordinators", OWNER, team.coordinators_command, N_("List the coordinators")),
    Command("addcoordinator", OWNER, team.add_coordinator_command,
            N_("Make someone a coordinator"), usage=ADD_USAGE),
    Command("removecoordinator", OWNER, team.remove_coordinator_command,
            N_("Remove a coordinator"), usage=REMOVE_USAGE),
])


def explain(error: InputError, command: Command, lang: str) -> str:
    """The answer to bad input: what was wrong, then (if asked) how the command is used."""
    parts = [error.text] if error.text else []
    if error.usage or not parts:
        parts.append(t(command.usage, lang) if command.usage
                     else t("/help lists the commands and how to use them.", lang))
    return "\n\n".join(parts)


def answering(command: Command) -> Handler:
    """``command``'s handler behind its audience: anyone below it gets "not available" and
    nothing changes; an :class:`InputError` from the handler is answered with the usage."""

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if command.audience != Audience.SUPPORTER:
            audience = await audience_of(services(context), user_id_of(update))
            if not audience.may_use(command):
                log.info("refused /%s to a %s", command.name, audience)
                await not_available(update)
                return
        try:
            await command.handler(update, context)
        except InputError as error:
            await respond(update, explain(error, command, lang_of(update)), edit=False)

    answer.__name__ = answer.__qualname__ = f"answer_{command.name}"
    return answer
