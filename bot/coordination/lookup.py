"""Finding what a coordinator's command names: a case by its slug, a hearing by its number."""

from __future__ import annotations

import difflib
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alert_texts import HEARING_KINDS
from bot.i18n import t
from bot.parsing import InputError, event_number, in_db_range, parse_slug, shown
from bot.render import resolve_timezone, shorten
from content.schema import Case as CaseDoc
from storage import cases as case_queries
from storage import events as event_queries
from storage.models import Case, Event

ACTION_LIMIT = 600


async def find_case(*, session: AsyncSession, text: str | None, lang: str = "en") -> Case:
    """The case whose slug is ``text``, or InputError naming the closest slugs."""
    typed = (text or "").strip()
    slug = parse_slug(typed)
    case = await case_queries.get_case_by_slug(session=session, slug=slug) if slug else None
    if case is not None:
        return case
    slugs = await case_queries.all_slugs(session=session)
    close = difflib.get_close_matches(typed.lower(), slugs, n=3, cutoff=0.5)
    if close:
        raise InputError(t("There is no case “{slug}”. Did you mean: {close}?", lang,
                           slug=shown(typed), close=", ".join(f"<code>{s}</code>"
                                                              for s in close)))
    raise InputError(t("There is no case “{slug}”. The cases are: {all}.", lang,
                       slug=shown(typed),
                       all=", ".join(f"<code>{s}</code>" for s in slugs) or "—"))


async def find_hearing(*, session: AsyncSession, text: str | None,
                       lang: str = "en") -> tuple[Event, Case]:
    """The hearing whose number is ``text`` (``12`` or ``#12``) and its case."""
    number = event_number(text)
    if number is None:
        raise InputError(usage=True)
    # A number beyond the id range is no row on any database (and no query on PostgreSQL).
    event = (await event_queries.get_event(session=session, event_id=number)
             if in_db_range(number) else None)
    if event is None:
        raise InputError(t("There is no event #{id}. /upcoming lists the scheduled hearings "
                           "with their ids.", lang, id=number))
    if event.kind not in HEARING_KINDS:
        raise InputError(t("Event #{id} is not a hearing (it is a “{kind}” entry). /upcoming "
                           "lists the scheduled hearings.", lang, id=event.id,
                           kind=escape(event.kind)))
    case = await case_queries.get_case(session=session, case_id=event.case_id)
    return event, case


def case_timezone(case: Case, default: str) -> str:
    """The case's time zone if it names a real one, else the default, else UTC."""
    return resolve_timezone(case.timezone, default)


def first_action(case: Case) -> dict[str, str]:
    """The case's first requested action in each language it is written in (empty if none)."""
    try:
        actions = CaseDoc.model_validate(case.data).requested_actions
    except Exception:  # noqa: BLE001 - a damaged document must not stop an alert
        return {}
    if not actions:
        return {}
    return {lang: shorten(text, ACTION_LIMIT)
            for lang, text in actions[0].model_dump().items() if isinstance(text, str) and text}


def case_titles(case: Case) -> dict[str, str]:
    """``{"case_title": …, "case_titles": {lang: title}}`` for a payload: the title in each
    language the case file gives, so every recipient's alert names the case in theirs."""
    try:
        titles = CaseDoc.model_validate(case.data).title.model_dump()
    except Exception:  # noqa: BLE001 - a damaged document must not stop an alert
        titles = {}
    return {"case_title": case.title,
            "case_titles": {lang: text for lang, text in titles.items()
                            if isinstance(text, str) and text}}


def refuse_closed(case: Case, lang: str) -> None:
    if not case.is_open:
        raise InputError(t("<b>{title}</b> is closed: there is nothing to schedule for it.",
                           lang, title=escape(case.title)))
