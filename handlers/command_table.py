"""Every command the bot answers, declared once: name, audience, handler, menu text, /help line,
usage.

``bot/app.py`` registers each through :func:`answering` (which enforces the audience and answers
bad input with the command's usage) and installs the table in the application, where the
command menus (``handlers/menus.py``) and /help (``handlers/start.py``) read it. Adding a
command is one entry here plus its handler; a coordinator command that messages subscribers is
``previewing(<its proposal>)`` (see ``bot/coordination``).
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.commands import Audience, Command, CommandTable, Handler
from bot.coordination import hearings, updates
from bot.coordination.team import LABEL_LIMIT
from bot.i18n import N_, t
from bot.parsing import InputError, example_day, zone_offset
from bot.services import services
from handlers import (
    alert_followups,
    calendar,
    case_editor,
    cases,
    importing,
    language,
    letters,
    mystats,
    privacy,
    replies,
    reports,
    settings,
    start,
    team,
    walks,
)
from handlers import stale_addresses as stale
from handlers.admin import previewing
from handlers.common import lang_of, respond
from handlers.roles import audience_of, not_available, user_id_of

log = logging.getLogger(__name__)

SUPPORTER, COORDINATOR, OWNER = Audience.SUPPORTER, Audience.COORDINATOR, Audience.OWNER

# Usage lines (HTML: the angle brackets are escaped), shown when a command's arguments don't fit.
# {date} is a week from today and {offset} the case's (or the default zone's) UTC offset now,
# so an example can always be sent as it is.
HEARING_USAGE = N_("<b>Usage:</b> /hearing &lt;case&gt; &lt;YYYY-MM-DD HH:MM&gt; [place…]\n"
                   "The time is the court's local time (the case's time zone) unless you add an "
                   "offset, e.g. <code>{date} 10:00{offset}</code>.\n"
                   "Example: <code>/hearing kharkova {date} 10:00 Shymkent City Court</code>\n"
                   "Or send /hearing alone and pick the case with a button.")
APPEAL_USAGE = N_("<b>Usage:</b> /appeal &lt;case&gt; &lt;YYYY-MM-DD HH:MM&gt; [place…]\n"
                  "Schedules an appeal hearing. The time is the court's local time unless you "
                  "add an offset, e.g. <code>{date} 10:00{offset}</code>.")
POSTPONE_USAGE = N_("<b>Usage:</b> /postpone &lt;event id&gt; &lt;YYYY-MM-DD HH:MM&gt;\n"
                    "Example: <code>/postpone 12 {date} 10:00</code>. /upcoming lists the "
                    "hearings with their ids; /postpone alone lets you pick one.")
CANCEL_USAGE = N_("<b>Usage:</b> /cancelhearing &lt;event id&gt;\n"
                  "/upcoming lists the hearings with their ids; /cancelhearing alone lets you "
                  "pick one.")
OUTCOME_USAGE = N_("<b>Usage:</b> /outcome &lt;event id&gt; &lt;what happened&gt;\n"
                   "Example: <code>/outcome 12 The court upheld the sentence.</code> Only a "
                   "hearing that has started has an outcome; /outcome alone lets you pick one.")
NEWS_USAGE = N_("<b>Usage:</b> /news &lt;case&gt; &lt;text&gt;\n"
                "Example: <code>/news kharkova She was allowed a visit from her family.</code>")
CLOSE_USAGE = N_("<b>Usage:</b> /closecase &lt;case&gt; &lt;why no further action is needed&gt;\n"
                 "Example: <code>/closecase kharkova The sentence has been served.</code>")
REOPEN_USAGE = N_("<b>Usage:</b> /reopencase &lt;case&gt; [why]\n"
                  "Example: <code>/reopencase kharkova A new charge was brought.</code>")
STATS_USAGE = N_("<b>Usage:</b> /stats [case]")
ADD_USAGE = N_("<b>Usage:</b> /addcoordinator &lt;user id&gt; [case…]\nThe numeric Telegram "
               "user id, e.g. <code>/addcoordinator 123456789</code>; name cases to limit them "
               "to those: <code>/addcoordinator 123456789 kharkova ulasik</code>.")
EDITCASE_USAGE = N_("<b>Usage:</b> /editcase &lt;case&gt;\nExample: <code>/editcase kharkova</code>")
EXPORTCASE_USAGE = N_("<b>Usage:</b> /exportcase &lt;case&gt;\n"
                      "Example: <code>/exportcase kharkova</code>")
REPLIES_USAGE = N_("<b>Usage:</b> /replies &lt;case&gt;\n"
                   "Example: <code>/replies kharkova</code>")
CORRECT_USAGE = N_("<b>Usage:</b> /correct &lt;alert id&gt; [corrected text]\n"
                   "Edits every delivered copy of the alert in place. Without the text, you "
                   "type it next. The alert's number is in its status message.")
REMOVE_USAGE = N_("<b>Usage:</b> /removecoordinator &lt;user id&gt;\n/coordinators lists them.")
LABEL_USAGE = N_("<b>Usage:</b> /mylabel &lt;label&gt;\nThe name /audit and /coordinators show "
                 "for you (at most {limit} characters), e.g. <code>/mylabel Aigerim</code>.")

COMMANDS = CommandTable([
    # Supporters: menu text, then the /help line
    Command("start", SUPPORTER, start.start, menu=None),  # the welcome; deep links /start <case>
    Command("cases", SUPPORTER, cases.cases_command, N_("Browse the cases"),
            N_("browse the cases and read what is happening")),
    Command("mycases", SUPPORTER, cases.my_cases_command, N_("The cases you follow"),
            N_("the cases you follow")),
    Command("write", SUPPORTER, letters.write_command, N_("Write a letter for a case"),
            N_("write the letter an appeal asks for")),
    Command("calendar", SUPPORTER, calendar.calendar_command,
            N_("Upcoming hearings for your calendar"),
            N_("the hearings ahead in the cases you follow, as a calendar file")),
    Command("unsubscribe", SUPPORTER, cases.unsubscribe_command, N_("Stop following a case"),
            N_("stop following a case")),
    Command("privacy", SUPPORTER, privacy.privacy_command, N_("What the bot keeps about you"),
            N_("what I keep about you and why")),
    Command("forget", SUPPORTER, privacy.forget_command,
            N_("Delete everything the bot keeps about you"),
            N_("delete everything I keep about you")),
    Command("language", SUPPORTER, language.language_command, N_("Choose your language"),
            N_("the language I write to you in")),
    Command("mystats", SUPPORTER, mystats.my_stats_command,
            N_("Your letters, your cases, your links"),
            N_("the letters you sent, the cases you follow, your personal links")),
    Command("settings", SUPPORTER, settings.settings_command,
            N_("Reminders, quiet hours, protected letters"),
            N_("which reminders you get, quiet hours, protected letters")),
    Command("help", SUPPORTER, start.help_command, N_("What the bot can do"), N_("this message")),
    # Coordinators (the owners in ADMIN_IDS and the coordinators they add): the commands that
    # message subscribers preview first, then [Send] / [Cancel].
    # Without arguments, those with a walk ask for them with buttons (bot/coordination/walks).
    Command("hearing", COORDINATOR, previewing(hearings.propose_hearing, walk="hearing"),
            N_("Schedule a hearing"), usage=HEARING_USAGE,
            syntax="<case> <YYYY-MM-DD HH:MM> [place…]"),
    Command("appeal", COORDINATOR, previewing(hearings.propose_appeal, walk="appeal"),
            N_("Schedule an appeal hearing"), usage=APPEAL_USAGE,
            syntax="<case> <YYYY-MM-DD HH:MM> [place…]"),
    Command("postpone", COORDINATOR, previewing(hearings.propose_postpone, walk="postpone"),
            N_("Move a hearing to a new date"), usage=POSTPONE_USAGE,
            syntax="<event id> <YYYY-MM-DD HH:MM>"),
    Command("cancelhearing", COORDINATOR,
            previewing(hearings.propose_cancel, walk="cancelhearing"),
            N_("Cancel a hearing"), usage=CANCEL_USAGE, syntax="<event id>"),
    Command("outcome", COORDINATOR, previewing(updates.propose_outcome, walk="outcome"),
            N_("Tell subscribers what happened at a hearing"), usage=OUTCOME_USAGE,
            syntax="<event id> <what happened>"),
    Command("news", COORDINATOR, previewing(updates.propose_news, walk="news"),
            N_("Send news about a case to its subscribers"), usage=NEWS_USAGE,
            syntax="<case> <text>"),
    Command("closecase", COORDINATOR, previewing(updates.propose_close, walk="closecase"),
            N_("Close a case: no further action needed"), usage=CLOSE_USAGE,
            syntax="<case> <why>"),
    Command("reopencase", COORDINATOR, previewing(updates.propose_reopen, walk="reopencase"),
            N_("Reopen a closed case"), usage=REOPEN_USAGE, syntax="<case> [why]"),
    Command("correct", COORDINATOR, alert_followups.correct_command,
            N_("Correct a sent alert in place"), usage=CORRECT_USAGE,
            syntax="<alert id> [corrected text]"),
    Command("upcoming", COORDINATOR, reports.upcoming_command,
            N_("Scheduled hearings, with their ids")),
    Command("stats", COORDINATOR, reports.stats_command, N_("Subscribers, deliveries and letters"),
            usage=STATS_USAGE, syntax="[case]"),
    Command("replies", COORDINATOR, replies.replies_command,
            N_("Authorities' replies supporters shared"), usage=REPLIES_USAGE),
    Command("audit", COORDINATOR, reports.audit_command, N_("Who did what, and when")),
    Command("mylabel", COORDINATOR, team.my_label_command,
            N_("The name /audit shows for you"), usage=LABEL_USAGE, syntax="<label>"),
    Command("staleaddresses", COORDINATOR, stale.stale_addresses_command,
            N_("Addresses not checked for a year")),
    Command("import", COORDINATOR, importing.import_command,
            N_("Turn an appeal's text into a draft case")),
    Command("newcase", COORDINATOR, case_editor.newcase_command,
            N_("Write a new case, field by field")),
    Command("editcase", COORDINATOR, case_editor.editcase_command, N_("Edit a case"),
            usage=EDITCASE_USAGE),
    Command("exportcase", COORDINATOR, case_editor.exportcase_command,
            N_("A case as a YAML file for content/cases"), usage=EXPORTCASE_USAGE),
    Command("newauthority", COORDINATOR, case_editor.newauthority_command,
            N_("Add an authority to the directory")),
    # Owners
    Command("coordinators", OWNER, team.coordinators_command, N_("List the coordinators")),
    Command("addcoordinator", OWNER, team.add_coordinator_command,
            N_("Make someone a coordinator"), usage=ADD_USAGE, syntax="<user id> [case…]"),
    Command("removecoordinator", OWNER, team.remove_coordinator_command,
            N_("Remove a coordinator"), usage=REMOVE_USAGE, syntax="<user id>"),
])


def explain(error: InputError, command: Command, lang: str, *, now: dt.datetime,
            default_timezone: str) -> str:
    """The answer to bad input: what was wrong, then (if asked) how the command is used, its
    example dates a week ahead and its offset the case's own (else the default zone's)."""
    parts = [error.text] if error.text else []
    if error.usage or not parts:
        parts.append(t(command.usage, lang, date=example_day(now),
                       offset=zone_offset(error.zone or default_timezone, now),
                       limit=LABEL_LIMIT)
                     if command.usage
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
            if error.choices and await walks.offer_choices(update, context, command.name, error):
                return  # "did you mean" as buttons, the rest of the command kept
            svc = services(context)
            await respond(update, explain(error, command, lang_of(update), now=svc.clock.now(),
                                          default_timezone=svc.settings.default_timezone),
                          edit=False)

    answer.__name__ = answer.__qualname__ = f"answer_{command.name}"
    return answer
