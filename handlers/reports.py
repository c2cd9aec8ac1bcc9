"""Coordinators' reports: /upcoming, /stats [case], /audit."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.coordination import reports
from bot.coordination.alert_status import retry_offers
from bot.coordination.lookup import find_case
from bot.parsing import InputError
from bot.services import services
from handlers import keyboards as kb
from handlers.common import lang_of, respond
from handlers.roles import scope_for, user_id_of


async def upcoming_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/upcoming"""
    svc = services(context)
    scope = await scope_for(svc, user_id_of(update))
    async with svc.db.session() as session:
        text = await reports.upcoming_text(session=session, now=svc.clock.now(),
                                           default_timezone=svc.settings.default_timezone,
                                           lang=lang_of(update), scope=scope)
    await respond(update, text, edit=False)


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [case]"""
    svc = services(context)
    args = list(context.args or [])
    if len(args) > 1:
        raise InputError(usage=True)
    lang = lang_of(update)
    scope = await scope_for(svc, user_id_of(update))
    async with svc.db.session() as session:
        text = await reports.stats_text(session=session, now=svc.clock.now(),
                                        slug=args[0] if args else None, lang=lang, scope=scope)
        case = (await find_case(session=session, text=args[0], lang=lang, scope=scope)
                if args else None)
        # A limited coordinator is offered re-sends of their own cases only.
        if case is None and scope.limited:
            only = sorted(scope.case_ids)
            case_id = only[0] if len(only) == 1 else -1
        else:
            case_id = case.id if case else None
        offers = ([] if case_id == -1 else
                  await retry_offers(session=session, case_id=case_id))
    await respond(update, text, kb.retry_keyboard(offers, lang), edit=False)


async def audit_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/audit"""
    svc = services(context)
    scope = await scope_for(svc, user_id_of(update))
    async with svc.db.session() as session:
        text = await reports.audit_text(session=session, lang=lang_of(update),
                                        only_actor=user_id_of(update) if scope.limited else None)
    await respond(update, text, edit=False)
