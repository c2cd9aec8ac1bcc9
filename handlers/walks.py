"""Coordinator commands walked through with buttons, and texts typed for a preview.

``/hearing`` (or ``/outcome``, ``/postpone``…) without arguments: pick the case, then one of its
hearings where the command is about a hearing, then type the rest; the gathered text goes
through the same proposal as a typed command. A mistyped case name starts the same walk with
the suggested cases as buttons. [Add a Russian version] under a preview waits here for the
typed version. The step lives in the database (``storage.walks``), so a restart loses
nothing; a button of an earlier step, or of a walk that ended, gets a clear answer.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.coordination import broadcasts
from bot.coordination.kinds import Propose
from bot.coordination.lookup import case_timezone, hearing_subject
from bot.coordination.scope import Scope
from bot.coordination.walks import (
    CASE,
    HEARING,
    TEXT,
    WALK_TTL,
    WALKS,
    command_text,
    eligible_hearings,
    page_of,
    walk_cases,
)
from bot.i18n import N_, t
from bot.parsing import InputError, example_day
from bot.render import case_title, shorten
from bot.services import services
from handlers import editor_text
from handlers import keyboards as kb
from handlers.common import acknowledge, lang_of, respond
from handlers.previews import show_draft, show_preview, text_after_command
from handlers.roles import can_coordinate, scope_for, user_id_of
from storage import cases as case_queries
from storage import walks as walk_store
from storage.models import Case, PendingBroadcast

log = logging.getLogger(__name__)

VERSION = "version"  # the walk of a typed language version of a preview's text
PAGE = 8
LANGUAGE_NAMES = {"en": N_("English"), "ru": N_("Russian"), "kk": N_("Kazakh")}
_PROPOSALS: dict[str, Propose] = {}


def register(command: str, propose: Propose) -> None:
    """Called by the command table (``previewing(…, walk=…)``) for each walkable command."""
    if command not in WALKS:
        raise ValueError(f"/{command} has no walk in bot.coordination.walks.WALKS")
    _PROPOSALS[command] = propose


# ------------------------------------------------------------------------------ starting

async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str, *,
                rest: str = "", only: list[int] | None = None,
                intro: str | None = None) -> None:
    """Ask for the case (all the command may act on, or ``only`` these suggested ones)."""
    svc, lang, user_id = services(context), lang_of(update), user_id_of(update)
    data = {"rest": rest, "only": only, "page": 0}
    scope = await scope_for(svc, user_id)
    async with svc.db.session() as session:
        cases = await _cases(session, svc, scope, command, data)
        if not cases:
            await walk_store.end_walk(session=session, user_id=user_id)
            text = t("There is nothing /{command} can act on right now.", lang,
                     command=command)
        else:
            nonce = await walk_store.start_walk(session=session, user_id=user_id,
                                                command=command, step=CASE, data=data,
                                                now=svc.clock.now())
    if not cases:
        await respond(update, text, edit=False)
        return
    await _show_cases(update, command, nonce, cases, 0, lang, intro=intro, edit=False)


async def offer_choices(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str,
                        error: InputError) -> bool:
    """A mistyped case name in a walkable command: the suggestions as buttons, the rest of
    what was typed kept. False when the command has no such walk (the caller answers)."""
    spec = WALKS.get(command)
    if command not in _PROPOSALS or spec is None or spec.hearings is not None:
        return False
    parts = text_after_command(update).strip().split(maxsplit=1)
    await begin(update, context, command, rest=parts[1] if len(parts) > 1 else "",
                only=[case_id for case_id, _ in error.choices], intro=error.text)
    return True


async def _cases(session, svc, scope: Scope, command: str, data: dict) -> list[Case]:
    if data.get("only"):
        return [case for case in await case_queries.all_cases(session=session)
                if case.id in data["only"] and scope.allows(case.id)]
    return await walk_cases(session=session, spec=WALKS[command], now=svc.clock.now(),
                            scope=scope)


async def _show_cases(update: Update, command: str, nonce: str, cases: list[Case], page: int,
                      lang: str, *, intro: str | None = None, edit: bool = True) -> None:
    shown, page, pages = page_of(cases, page, PAGE)
    question = (t("/{command}: pick the case, then the hearing.", lang, command=command)
                if WALKS[command].hearings is not None
                else t("/{command}: pick the case.", lang, command=command))
    text = f"{intro}\n\n{question}" if intro else question
    items = [(case.id, f"{case.slug} · {case_title(case, lang)}") for case in shown]
    await respond(update, text, kb.walk_keyboard(nonce, "c", items, page, pages, lang),
                  edit=edit)


# ------------------------------------------------------------------------------- buttons

async def walk_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A case, a hearing, another page or [Stop] in a walk."""
    svc, lang, user_id = services(context), lang_of(update), user_id_of(update)
    parsed = kb.parse_walk(update.callback_query.data)
    if parsed is None or not await can_coordinate(svc, user_id):
        await acknowledge(update, t("This button is not valid.", lang), alert=True)
        return
    nonce, action, number = parsed
    now = svc.clock.now()
    scope = await scope_for(svc, user_id)
    async with svc.db.session() as session:
        row = await walk_store.get_walk(session=session, user_id=user_id,
                                        fresh_after=now - WALK_TTL)
        if row is None or row.nonce != nonce or row.command not in _PROPOSALS:
            await acknowledge(update, t("This choice is out of date. Send the command again to "
                                        "start over.", lang), alert=True)
            return
        if action == "x":
            await walk_store.end_walk(session=session, user_id=user_id, expect_nonce=nonce)
            await acknowledge(update)
            await respond(update, t("Stopped. Nothing was changed.", lang))
            return
        command, data = row.command, dict(row.data)
        if action == "p":
            data["page"] = number
            if row.step == CASE:
                cases = await _cases(session, svc, scope, command, data)
            else:
                case = await case_queries.get_case(session=session, case_id=data["case_id"])
                hearings = await _hearings(session, svc, scope, command, case)
        elif action == "c" and row.step == CASE:
            cases = await _cases(session, svc, scope, command, data)
            case = next((case for case in cases if case.id == number), None)
        elif action == "h" and row.step == HEARING:
            case = await case_queries.get_case(session=session, case_id=data["case_id"])
            hearings = await _hearings(session, svc, scope, command, case)
        else:
            case = None
    await acknowledge(update)
    if action == "p":
        if row.step == CASE:
            await _show_cases(update, command, nonce, cases, number, lang)
        else:
            await _show_hearings(update, context, command, nonce, case, hearings, number,
                                 lang)
        return
    if action == "c":
        if case is None:
            await respond(update, t("That case cannot be chosen here any more. Send the command "
                                    "again to start over.", lang))
            return
        await _picked_case(update, context, row.command, nonce, data, case)
        return
    event = next((event for event in hearings if event.id == number), None) if case else None
    if event is None:
        await respond(update, t("That hearing cannot be chosen here any more (it was moved, "
                                "cancelled or held). Send the command again to start over.",
                                lang))
        return
    await _picked_target(update, context, command, nonce, data, case, event.id)


async def _hearings(session, svc, scope: Scope, command: str, case: Case | None) -> list:
    if case is None:
        return []
    return await eligible_hearings(session=session, spec=WALKS[command], now=svc.clock.now(),
                                   scope=scope, case_id=case.id)


async def _show_hearings(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str,
                         nonce: str, case: Case, hearings: list, page: int, lang: str) -> None:
    shown, page, pages = page_of(hearings, page, PAGE)
    zone = case_timezone(case, services(context).settings.default_timezone)
    items = [(event.id, _plain(hearing_subject(event, case, zone, lang))) for event in shown]
    text = t("/{command} · <b>{title}</b>: pick the hearing.", lang, command=command,
             title=escape(shorten(case_title(case, lang), 120)))
    await respond(update, text, kb.walk_keyboard(nonce, "h", items, page, pages, lang))


def _plain(html_text: str) -> str:
    """A button label from a line of HTML (buttons show no markup)."""
    for tag in ("<b>", "</b>", "<code>", "</code>"):
        html_text = html_text.replace(tag, "")
    return html_text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def _picked_case(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str,
                       nonce: str, data: dict, case: Case) -> None:
    spec, lang = WALKS[command], lang_of(update)
    if spec.hearings is None:
        await _picked_target(update, context, command, nonce, data, case, None)
        return
    svc = services(context)
    scope = await scope_for(svc, user_id_of(update))
    async with svc.db.session() as session:
        hearings = await _hearings(session, svc, scope, command, case)
        new_nonce = None
        if hearings:
            new_nonce = await walk_store.advance(
                session=session, user_id=user_id_of(update), expect_nonce=nonce, step=HEARING,
                data={**data, "case_id": case.id, "page": 0}, now=svc.clock.now())
    if not hearings or new_nonce is None:
        await respond(update, t("<b>{title}</b> has no hearing /{command} can act on. Send the "
                                "command again to pick another case.", lang,
                                title=escape(case_title(case, lang)), command=command))
        return
    await _show_hearings(update, context, command, new_nonce, case, hearings, 0, lang)


async def _picked_target(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str,
                         nonce: str, data: dict, case: Case, event_id: int | None) -> None:
    """The case (and hearing) are known: ask for the rest, or show the preview at once."""
    spec, lang, svc = WALKS[command], lang_of(update), services(context)
    rest = (data.get("rest") or "").strip()
    if spec.ask and not rest:
        async with svc.db.session() as session:
            new_nonce = await walk_store.advance(
                session=session, user_id=user_id_of(update), expect_nonce=nonce, step=TEXT,
                data={**data, "case_id": case.id, "event_id": event_id}, now=svc.clock.now())
        if new_nonce is None:
            await respond(update, t("This choice is out of date. Send the command again to "
                                    "start over.", lang))
            return
        await respond(update, t(spec.ask, lang, example=example_day(svc.clock.now()),
                                case=escape(shorten(case_title(case, lang), 120))),
                      kb.stop_keyboard(new_nonce, lang))
        return
    async with svc.db.session() as session:
        ended = await walk_store.end_walk(session=session, user_id=user_id_of(update),
                                          expect_nonce=nonce)
    if not ended:
        return
    await _preview_or_explain(update, context, command, command_text(spec, case, event_id, rest))


async def _preview_or_explain(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str,
                              text: str, *, retry_nonce: str | None = None) -> bool:
    try:
        await show_preview(update, context, _PROPOSALS[command], text)
    except InputError as error:
        lang = lang_of(update)
        answer = error.text or t("That did not work. Send /{command} again.", lang,
                                 command=command)
        if retry_nonce is not None:
            await respond(update, answer + "\n\n" + t("Type it again, or tap Stop.", lang),
                          kb.stop_keyboard(retry_nonce, lang), edit=False)
        else:
            await respond(update, answer, edit=False)
        return False
    return True


# ------------------------------------------------------------------------------- typing

async def walk_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text from a coordinator whose walk waits for it; anything else goes on to the letter
    wizard's signature step (one handler per group runs, so this one passes it on)."""
    message, user_id = update.effective_message, user_id_of(update)
    svc = services(context)
    row = None
    if message is not None and message.text and user_id is not None:
        async with svc.db.session() as session:
            row = await walk_store.get_walk(session=session, user_id=user_id,
                                            fresh_after=svc.clock.now() - WALK_TTL)
    if row is None or row.step != TEXT or not await can_coordinate(svc, user_id):
        await editor_text.draft_text(update, context)
        return
    if row.command == VERSION:
        await _version_text(update, context, row.nonce, dict(row.data), message.text)
        return
    if row.command not in _PROPOSALS:
        await editor_text.draft_text(update, context)
        return
    data = dict(row.data)
    async with svc.db.session() as session:
        case = await case_queries.get_case(session=session, case_id=data.get("case_id") or 0)
    if case is None:
        await respond(update, t("That case is gone. Send the command again.", lang_of(update)),
                      edit=False)
        return
    text = command_text(WALKS[row.command], case, data.get("event_id"), message.text)
    if await _preview_or_explain(update, context, row.command, text, retry_nonce=row.nonce):
        async with svc.db.session() as session:
            await walk_store.end_walk(session=session, user_id=user_id, expect_nonce=row.nonce)


# ---------------------------------------------------------------- versions of a preview

async def version_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """[Add a Russian version] under a preview: wait for the coordinator to type it."""
    svc, lang, user_id = services(context), lang_of(update), user_id_of(update)
    parsed = kb.parse_broadcast_version(update.callback_query.data)
    if parsed is None or not await can_coordinate(svc, user_id):
        await acknowledge(update, t("This button is not valid.", lang), alert=True)
        return
    broadcast_id, code = parsed
    async with svc.db.session() as session:
        row = await session.get(PendingBroadcast, broadcast_id)
        usable = (row is not None and row.actor_id == user_id and row.status == "draft"
                  and code in LANGUAGE_NAMES)
        if usable:
            message = update.callback_query.message
            nonce = await walk_store.start_walk(
                session=session, user_id=user_id, command=VERSION, step=TEXT,
                data={"broadcast_id": broadcast_id, "language": code,
                      "question": message.message_id if message is not None else None},
                now=svc.clock.now())
            original = broadcasts.text_versions(row.payload, broadcasts.TRANSLATABLE.get(
                row.kind))
    if not usable:
        await acknowledge(update, t("This preview was sent, cancelled or has expired.", lang),
                          alert=True)
        return
    await acknowledge(update)
    typed = next(iter(original.values()), "")
    await respond(update, t("Type the {language} version of this text. Readers of {language} "
                            "(and those whose language falls back to it) will get it:\n\n"
                            "<blockquote>{text}</blockquote>", lang,
                            language=t(LANGUAGE_NAMES[code], lang),
                            text=escape(shorten(typed, 1500))),
                  kb.stop_keyboard(nonce, lang), edit=False)


async def _version_text(update: Update, context: ContextTypes.DEFAULT_TYPE, nonce: str,
                        data: dict, text: str) -> None:
    svc, lang, user_id = services(context), lang_of(update), user_id_of(update)
    try:
        async with svc.db.session() as session:
            row = await broadcasts.add_version(
                session=session, broadcast_id=data["broadcast_id"], actor_id=user_id,
                language=data["language"], text=text, now=svc.clock.now(), lang=lang)
            case = await case_queries.get_case(session=session, case_id=row.case_id)
            preview = row.payload.get("preview") or {}
            draft = await broadcasts.describe_draft(
                session=session, row=row, case=case, lang=lang,
                effect=preview.get("effect", ""), case_open=preview.get("case_open", True))
            await walk_store.end_walk(session=session, user_id=user_id, expect_nonce=nonce)
    except broadcasts.DraftGone as error:  # nothing to wait for any more
        async with svc.db.session() as session:
            await walk_store.end_walk(session=session, user_id=user_id, expect_nonce=nonce)
        await respond(update, error.text, edit=False)
        return
    except InputError as error:  # the text itself: it can be typed again
        await respond(update, (error.text or "") + "\n\n" + t("Type it again, or tap Stop.",
                                                              lang),
                      kb.stop_keyboard(nonce, lang), edit=False)
        return
    if data.get("question"):  # the earlier question's buttons give way to the new ones
        try:
            await context.bot.edit_message_reply_markup(update.effective_chat.id,
                                                        data["question"], reply_markup=None)
        except TelegramError as error:
            log.info("could not clear the earlier preview's buttons: %s", error)
    await show_draft(update, draft)


