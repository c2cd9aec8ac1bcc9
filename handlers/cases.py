"""Browsing cases, the case card, following and leaving a case."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import card_parts, render
from bot.case_documents import document_of
from bot.i18n import t
from bot.parsing import parse_slug, shown
from bot.services import services
from content.schema import Case as CaseDoc
from handlers import keyboards as kb
from handlers.common import acknowledge, lang_of, respond
from handlers.roles import is_owner, user_id_of
from storage import cases as case_queries
from storage import subscriptions
from storage.card_facts import CardFacts, card_facts
from storage.models import Case, Event


async def show_case_list(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int = 0,
                         *, intro: str | None = None, edit: bool = True) -> None:
    lang = lang_of(update)
    async with services(context).db.session() as session:
        total = await case_queries.count_cases(session=session)
        pages = max(1, math.ceil(total / kb.PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        rows = await case_queries.list_cases(session=session, offset=page * kb.PAGE_SIZE,
                                             limit=kb.PAGE_SIZE)
    if total == 0:
        await respond(update, t("There are no cases in the library yet.", lang), edit=edit)
        return
    text = t("📂 <b>Cases</b> — page {page} of {pages}. Open cases come first; tap one to read "
             "it.", lang, page=page + 1, pages=pages)
    if intro:
        text = intro + "\n\n" + text
    markup = kb.case_list_keyboard([(row.id, render.shorten(render.case_title(row, lang), 60),
                                     row.is_open) for row in rows], page, pages, lang)
    await respond(update, text, markup, edit=edit)


async def cases_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_case_list(update, context, 0, edit=False)


async def case_list_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    page = kb.parse_case_page(update.callback_query.data)
    await acknowledge(update)
    await show_case_list(update, context, page or 0)


async def show_card(update: Update, context: ContextTypes.DEFAULT_TYPE, case_row: Case, *,
                    notice: str | None = None, edit: bool = True, full: bool = False,
                    facts: CardFacts | None = None) -> None:
    """The case card: a long summary as a preview with [Read more] unless ``full``. ``facts``:
    read in the caller's transaction already (else read here)."""
    lang = lang_of(update)
    svc = services(context)
    if facts is None:
        async with svc.db.session() as session:
            facts = await read_card_facts(session, update, case_row)
    hearing, latest, subscribed = facts.next_hearing, facts.latest, facts.subscribed
    doc = document_of(case_row.id, case_row.data)
    zone = render.resolve_timezone(doc.timezone, svc.settings.default_timezone)
    today = svc.clock.now().astimezone(ZoneInfo(zone)).date()
    updated = render.last_update(doc, [*latest, *([hearing] if hearing else [])],
                                 case_row.closed_at, zone)
    preview = None if full else card_parts.summary_preview(doc.summary.get(lang))
    historical = case_row.is_open and card_parts.is_historical(
        updated, today, act_before=doc.act_before, hearing_ahead=hearing is not None)
    coordinator = facts.coordinator or is_owner(svc, user_id_of(update))
    text = render.case_card(doc, is_open=case_row.is_open, closed_note=case_row.closed_note,
                            next_hearing=hearing, latest=latest, subscribed=subscribed,
                            lang=lang, default_timezone=zone, updated=updated, today=today,
                            notice=notice, summary=preview,
                            age=card_parts.age(updated, today, lang) if historical else None,
                            slug=case_row.slug if coordinator else None,
                            replies=facts.replies)
    markup = kb.case_card_keyboard(case_row.id, subscribed=subscribed, is_open=case_row.is_open,
                                   lang=lang, deadline_passed=render.deadline_passed(doc, today),
                                   read_more=preview is not None,
                                   hearing_id=hearing.id if hearing is not None else None)
    await respond(update, text, markup, edit=edit)


async def read_card_facts(session: AsyncSession, update: Update, case_row: Case) -> CardFacts:
    return await card_facts(session=session, case_id=case_row.id,
                            chat_id=update.effective_chat.id, user_id=user_id_of(update))


async def _case_from_button(update: Update, context: ContextTypes.DEFAULT_TYPE,
                            prefix: str) -> Case | None:
    """The case a button refers to, or None after telling the person what went wrong."""
    lang = lang_of(update)
    case_id = kb.parse_case_id(update.callback_query.data, prefix)
    case_row = None
    if case_id is not None:
        async with services(context).db.session() as session:
            case_row = await case_queries.get_case(session=session, case_id=case_id)
    if case_row is None:
        await acknowledge(update, t("That case is no longer available.", lang), alert=True)
        await show_case_list(update, context, 0, edit=False,
                             intro=t("That button refers to a case that no longer exists. "
                                     "Here are the current cases.", lang))
        return None
    return case_row


# For the other handlers whose buttons name a case (share, follow).
case_from_button = _case_from_button


async def case_card_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The card, in place of the message the button was on; from an alert in a new message,
    so the alert stays readable."""
    case_row = await _case_from_button(update, context, kb.CASE_CARD)
    if case_row is not None:
        await acknowledge(update)
        await show_card(update, context, case_row,
                        edit=not kb.is_alert(update.callback_query.message))


async def read_more_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """[Read more]: the card again, with the whole summary."""
    case_row = await _case_from_button(update, context, kb.READ_MORE)
    if case_row is not None:
        await acknowledge(update)
        await show_card(update, context, case_row, full=True)


async def subscribe_to(update: Update, context: ContextTypes.DEFAULT_TYPE,
                       case_row: Case) -> str:
    """Follow the case; the sentence that tells the person what happened."""
    async with services(context).db.session() as session:
        created = await follow_in(session, update, case_row)
        hearing = await case_queries.next_hearing(session=session, case_id=case_row.id)
    return subscription_notice(context, update, case_row, created, hearing)


async def follow_in(session: AsyncSession, update: Update, case_row: Case) -> bool | None:
    """Follow the case in ``session``'s transaction: True if this made a new subscription,
    False if it existed, None for a closed case (nothing to follow, and nothing stored)."""
    if not case_row.is_open:
        return None
    # The middleware has unblocked a returning person already (storage.supporters.arrival).
    return await subscriptions.follow_case(session=session, chat_id=update.effective_chat.id,
                                           case_id=case_row.id, language=lang_of(update))


def subscription_notice(context: ContextTypes.DEFAULT_TYPE, update: Update, case_row: Case,
                        created: bool | None, hearing: Event | None) -> str:
    lang = lang_of(update)
    if created is None:
        return t("ℹ️ This case is closed: no further action is needed, so there is nothing to "
                 "subscribe to.", lang)
    message = (t("✅ You are subscribed. I will tell you about hearings, outcomes and news.", lang)
               if created else t("✅ You already follow this case.", lang))
    if hearing is not None:
        zone = render.resolve_timezone(case_row.timezone,
                                       services(context).settings.default_timezone)
        message += "\n" + t("The next hearing: {line}", lang,
                            line=render.event_line(hearing, zone, lang))
    return message


async def subscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    case_row = await _case_from_button(update, context, kb.SUBSCRIBE)
    if case_row is None:
        return
    notice = await subscribe_to(update, context, case_row)
    await acknowledge(update, t("Subscribed", lang_of(update)) if case_row.is_open else None)
    await show_card(update, context, case_row, notice=notice)


async def unsubscribe_from(update: Update, context: ContextTypes.DEFAULT_TYPE,
                           case_row: Case) -> bool:
    """Stop this chat following the case; whether it was following it."""
    async with services(context).db.session() as session:
        return await subscriptions.unsubscribe(session=session, chat_id=update.effective_chat.id,
                                               case_id=case_row.id)


def unsubscribed_text(case_row: Case, lang: str) -> str:
    return t("🔕 You no longer follow <b>{title}</b>. You will get no more messages about it.",
             lang, title=render.escape(render.case_title(case_row, lang)))


async def unsubscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    case_row = await _case_from_button(update, context, kb.UNSUBSCRIBE)
    if case_row is None:
        return
    lang = lang_of(update)
    removed = await unsubscribe_from(update, context, case_row)
    notice = unsubscribed_text(case_row, lang) if removed else t(
        "You were not following this case.", lang)
    await acknowledge(update, t("Unsubscribed", lang) if removed else None)
    await show_card(update, context, case_row, notice=notice)


async def timeline_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    case_row = await _case_from_button(update, context, kb.TIMELINE)
    if case_row is None:
        return
    async with services(context).db.session() as session:
        events = await case_queries.timeline(session=session, case_id=case_row.id)
    await acknowledge(update)
    text = render.timeline_text(CaseDoc.model_validate(case_row.data), events, lang_of(update),
                                services(context).settings.default_timezone)
    await respond(update, text, kb.back_to_card_keyboard(case_row.id, lang_of(update)))


async def sources_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    case_row = await _case_from_button(update, context, kb.SOURCES)
    if case_row is None:
        return
    await acknowledge(update)
    text = render.sources_text(CaseDoc.model_validate(case_row.data), lang_of(update))
    await respond(update, text, kb.back_to_card_keyboard(case_row.id, lang_of(update)))


async def show_my_cases(update: Update, context: ContextTypes.DEFAULT_TYPE, *,
                        intro: str | None = None, edit: bool = True) -> None:
    lang = lang_of(update)
    async with services(context).db.session() as session:
        followed = await subscriptions.cases_followed(session=session,
                                                      chat_id=update.effective_chat.id)
    if not followed:
        text = t("You do not follow any case yet. Browse the cases and tap 🔔 Subscribe on one "
                 "to hear about its hearings and outcomes.", lang)
        await respond(update, text, kb.browse_keyboard(lang), edit=edit)
        return
    text = intro or t("🔔 <b>The cases you follow</b> — tap 🔕 to stop following one.", lang)
    markup = kb.my_cases_keyboard([(row.id, render.shorten(render.case_title(row, lang), 40))
                                   for row in followed], lang)
    await respond(update, text, markup, edit=edit)


async def my_cases_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_my_cases(update, context, edit=False)


async def my_cases_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await acknowledge(update)
    await show_my_cases(update, context)


async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe [case]: leave that case, or pick from the cases followed."""
    lang = lang_of(update)
    if not context.args:
        await show_my_cases(update, context, edit=False,
                            intro=t("Which case do you want to stop following?", lang))
        return
    typed = context.args[0]
    slug = parse_slug(typed)
    chat_id = update.effective_chat.id
    async with services(context).db.session() as session:
        case_row = (await case_queries.get_case_by_slug_ci(session=session, slug=slug)
                    if slug is not None else None)
        removed = case_row is not None and await subscriptions.unsubscribe(
            session=session, chat_id=chat_id, case_id=case_row.id)
    if removed:
        await respond(update, t("🔕 You no longer follow <b>{title}</b>.", lang,
                                title=render.escape(render.case_title(case_row, lang))),
                      edit=False)
    else:
        await show_my_cases(update, context, edit=False, intro=t(
            "You do not follow a case called “{slug}”. These are the cases you follow:", lang,
            slug=shown(typed)))
