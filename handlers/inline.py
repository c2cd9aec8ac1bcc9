"""Inline mode: ``@<bot> kharkova`` in any chat offers the matching cases as shareable cards,
each with a [Follow this case] button to the case's deep link. An empty query offers the open
cases. Cards are in the person's language (their /language choice, else their app's)."""

from __future__ import annotations

import logging

from pydantic import ValidationError
from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import card_parts, render, sharing
from bot.case_search import search
from bot.fitting import fit_html, fit_plain
from bot.i18n import t
from bot.services import services
from content.schema import Case as CaseDoc
from handlers import keyboards as kb
from handlers.common import lang_of
from storage import cases as case_queries
from storage.models import Case

log = logging.getLogger(__name__)

CACHE_SECONDS = 30  # short: a case's facts change, and each person sees their own language
DESCRIPTION_LIMIT = 120


def shared_card(case: Case, link: str, lang: str) -> tuple[str, str]:
    """(the card's HTML, a one-line description for the result list)."""
    title = render.case_title(case, lang)
    try:
        doc = CaseDoc.model_validate(case.data)
    except ValidationError:
        doc = None
    people = render.people_line(doc) if doc is not None else ""
    parts = [f"<b>{render.escape(title)}</b>"]
    if people:
        parts.append(t("<b>Who:</b> {people}", lang,
                       people=render.escape(render.shorten(people, render.CARD_PEOPLE))))
    if doc is not None:
        summary = doc.summary.get(lang)
        parts.append(render.escape(card_parts.summary_preview(summary) or summary))
    parts.append(t("Follow the case and help with a letter: {link}", lang,
                   link=render.escape(link)))
    return fit_html("\n\n".join(parts)), fit_plain(people or title, DESCRIPTION_LIMIT)


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    lang = lang_of(update)
    async with services(context).db.session() as session:
        cases = await case_queries.list_cases(session=session, limit=10_000)
    results = []
    for case in search(cases, query.query or ""):
        link = sharing.deep_link(context.bot.username, case.slug)
        text, description = shared_card(case, link, lang)
        results.append(InlineQueryResultArticle(
            id=f"case-{case.id}", title=fit_plain(render.case_title(case, lang), 100),
            description=description,
            input_message_content=InputTextMessageContent(
                text, parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True)),
            reply_markup=kb.follow_link_keyboard(link, lang)))
    try:
        await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)
    except TelegramError as error:  # e.g. the person typed on and the query expired
        log.info("inline answer failed: %s", error)
