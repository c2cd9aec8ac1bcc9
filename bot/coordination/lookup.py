"""Finding what a coordinator's command names: a case by its slug (any letter case; close names
suggested), a hearing by its number; limited coordinators find only their cases."""

from __future__ import annotations

from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alert_texts import HEARING_KINDS, hearing_name
from bot.case_search import suggest
from bot.coordination.scope import EVERY_CASE, Scope
from bot.i18n import t
from bot.parsing import InputError, event_number, in_db_range, parse_slug, shown
from bot.render import case_title, format_day, format_local_time, resolve_timezone, shorten
from content.schema import Case as CaseDoc
from storage import cases as case_queries
from storage import events as event_queries
from storage.models import Case, Event

ACTION_LIMIT = 600


async def find_case(*, session: AsyncSession, text: str | None, lang: str = "en",
                    scope: Scope = EVERY_CASE) -> Case:
    """The case whose slug is ``text`` in any letter case, among those ``scope`` allows; else
    InputError naming the closest ones (slug, title, people's names), offered as buttons."""
    typed = (text or "").strip()
    slug = parse_slug(typed)
    case = await case_queries.get_case_by_slug_ci(session=session, slug=slug) if slug else None
    if case is not None and scope.allows(case.id):
        return case
    visible = [row for row in await case_queries.all_cases(session=session)
               if scope.allows(row.id)]
    if case is not None:  # a real case, but not one of this coordinator's
        raise InputError(t("You coordinate only some cases, and “{slug}” is not one of them. "
                           "Yours: {yours}.", lang, slug=shown(typed),
                           yours=_slug_list(visible)), choices=_choices(visible[:8], lang))
    close = suggest(typed, visible)
    if close:
        raise InputError(t("There is no case “{slug}”. Did you mean: {close}?", lang,
                           slug=shown(typed), close=_slug_list(close)),
                         choices=_choices(close, lang))
    raise InputError(t("There is no case “{slug}”. The cases are: {all}.", lang,
                       slug=shown(typed), all=_slug_list(visible)))


def _slug_list(cases: list[Case]) -> str:
    return ", ".join(f"<code>{escape(case.slug)}</code>" for case in cases) or "—"


def _choices(cases: list[Case], lang: str) -> list[tuple[int, str]]:
    return [(case.id, f"{case.slug} · {shorten(case_title(case, lang), 40)}") for case in cases]


async def find_hearing(*, session: AsyncSession, text: str | None, lang: str = "en",
                       scope: Scope = EVERY_CASE) -> tuple[Event, Case]:
    """The hearing whose number is ``text`` (``12`` or ``#12``) and its case."""
    number = event_number(text)
    if number is None:
        raise InputError(usage=True)
    # A number beyond the id range is no row on any database (and no query on PostgreSQL).
    event = (await event_queries.get_event(session=session, event_id=number)
             if in_db_range(number) else None)
    if event is None or not scope.allows(event.case_id):
        raise InputError(t("There is no event #{id}. /upcoming lists the scheduled hearings "
                           "with their ids.", lang, id=number))
    if event.kind not in HEARING_KINDS:
        raise InputError(t("Event #{id} is not a hearing (it is a “{kind}” entry). /upcoming "
                           "lists the scheduled hearings.", lang, id=event.id,
                           kind=escape(event.kind)))
    case = await case_queries.get_case(session=session, case_id=event.case_id)
    return event, case


def hearing_subject(event: Event, case: Case, timezone: str, lang: str = "en") -> str:
    """The hearing a command acts on, named so a mistyped number cannot go unnoticed:
    '#12 · kharkova · 8 Dec 2026, 10:00 (UTC+05:00) · Shymkent City Court' (HTML)."""
    if event.starts_at is not None:
        when = format_local_time(event.starts_at, timezone, lang)
    else:
        when = format_day(event.date, lang)
    parts = [f"<b>#{event.id}</b>", f"<code>{escape(case.slug)}</code>",
             escape(hearing_name(event.kind, lang)), escape(when)]
    where = event.place or ", ".join(part for part in (event.court, event.city) if part)
    if where:
        parts.append(escape(shorten(where, 80)))
    return " · ".join(parts)


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
