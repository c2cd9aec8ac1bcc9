"""Telegram HTML for cases: cards, timelines, sources. Pure functions of the data.

Every string that did not come from this module is escaped here. Long texts are shortened at a
word boundary *before* escaping, so a cut never splits a word or an HTML entity or tag. Each part
of a card has its own bound, so one long field (a court's name, a list of people) cannot crowd
out the rest; lengths are measured as Telegram counts them (bot.fitting).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from pydantic import ValidationError

from bot.fitting import TEXT_LIMIT, telegram_length, units
from bot.i18n import t, tn
from content.dates import PartialDate, newest
from content.languages import from_telegram
from content.schema import Case as CaseDoc
from content.schema import Source, TimelineEntry, Title, pick
from storage.models import Case, Event

TELEGRAM_LIMIT = TEXT_LIMIT
LIST_PAGE_SIZE = 8  # cases on one page of /cases and of the letter wizard's case step
# What one part of a card may take (characters before escaping); the summary gets the rest.
CARD_PEOPLE, CARD_CODES, CARD_NOTE, CARD_EVENT, WHERE = 700, 300, 500, 300, 200
KIND_ICONS = {
    "closure": "🚫", "search": "🔎", "detention": "⛓", "charges": "⚖️", "hearing": "🏛",
    "appeal_hearing": "🏛", "verdict": "🔨", "appeal": "📨", "appeal_ruling": "🔨",
    "release": "🕊", "communication": "✉️", "reply": "📩", "outcome": "📌", "news": "📰",
    "closed": "✅", "reopened": "🔁", "other": "•",
}


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters (as Telegram counts them: an emoji may be
    two) at a word boundary, with an ellipsis."""
    if units(text) <= limit:
        return text
    size, end = 0, 0
    for end, char in enumerate(text):  # the longest start within limit - 1
        size += units(char)
        if size > limit - 1:
            break
    cut = text[:end]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "…"


# --------------------------------------------------------------------------- dates and zones


# How a day is written, per interface language (Babel/CLDR patterns): '4 Mar 2031',
# '4 марта 2031 г.', '2031 ж. 4 наурыз'. English keeps the short month the bot always used;
# the others take CLDR's long date, which declines the month where the language does.
DAY_PATTERNS = {"en": "d MMM y"}
MONTH_PATTERNS = {"en": "MMM y"}  # a date known only to the month: 'Oct 2017', 'октябрь 2017 г.'


def _locale(lang: str) -> str:
    return from_telegram(lang)  # any unknown code falls back to English


def format_day(day: dt.date, lang: str = "en") -> str:
    locale = _locale(lang)
    return babel_date(day, DAY_PATTERNS.get(locale, "long"), locale=locale)


def format_clock(moment: dt.time | dt.datetime, lang: str = "en") -> str:
    """'10:00': a 24-hour clock in every language the bot speaks."""
    return babel_time(moment, "HH:mm", locale=_locale(lang))


def format_date(date: PartialDate, lang: str = "en", *, derived: bool = False) -> str:
    """A date as precise as it is known: '4 Oct 2017', 'Oct 2017' or '2017' — never padded to
    a day; 'about 24 Jun 2017' when it was worked out rather than stated."""
    if date.precision == "day":
        text = format_day(date.first_day, lang)
    elif date.precision == "month":
        locale = _locale(lang)
        text = babel_date(date.first_day, MONTH_PATTERNS.get(locale, "LLLL y"), locale=locale)
    else:
        text = str(date.year)
    return t("about {date}", lang, date=text) if derived else text


def resolve_timezone(zone: str | None, default: str) -> str:
    """The case's own time zone, else the DEFAULT_TIMEZONE setting, else UTC."""
    for candidate in (zone, default):
        if candidate:
            try:
                ZoneInfo(candidate)
                return candidate
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
    return "UTC"


def format_local_time(moment: dt.datetime, timezone: str, lang: str = "en") -> str:
    """'12 Dec 2026, 10:00 (UTC+05:00)' in the court's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    offset = local.strftime("%z")
    return (f"{format_day(local.date(), lang)}, {format_clock(local.time(), lang)} "
            f"(UTC{offset[:3]}:{offset[3:]})")


# --------------------------------------------------------------------------- timeline lines


def entries_by_key(case: CaseDoc) -> dict[str, TimelineEntry]:
    return {entry.key: entry for entry in case.timeline}


def entry_of(event: Event, entries: dict[str, TimelineEntry]) -> TimelineEntry | None:
    """The case file's entry behind a timeline row (None for what a coordinator added)."""
    if event.origin != "content" or event.content_key is None:
        return None
    return entries.get(event.content_key)


def event_when(event: Event, timezone: str, lang: str = "en",
               entry: TimelineEntry | None = None) -> str:
    if event.starts_at is not None:
        return format_local_time(event.starts_at, timezone, lang)
    when = (format_date(entry.date, lang, derived=entry.derived) if entry is not None
            else format_day(event.date, lang))
    if event.time is not None:
        when += f", {format_clock(event.time, lang)}"
    return when


def event_line(event: Event, timezone: str, lang: str = "en",
               entry: TimelineEntry | None = None, text_limit: int | None = None) -> str:
    """One timeline entry; its text cut to ``text_limit`` characters when given."""
    where = shorten(", ".join(part for part in (event.court, event.city, event.place) if part),
                    WHERE)
    icon = KIND_ICONS.get(event.kind, "•")
    text = pick(entry.text, lang) if entry is not None else event.text
    text = shorten(text, text_limit) if text_limit else text
    line = f"{icon} <b>{escape(event_when(event, timezone, lang, entry))}</b> — {escape(text)}"
    if where:
        line += f" <i>({escape(where)})</i>"
    if event.status == "cancelled":
        line = f"<s>{line}</s>"
    return line


def _lines(case: CaseDoc, events: Iterable[Event], timezone: str, lang: str,
           text_limit: int | None = None) -> list[str]:
    entries = entries_by_key(case)
    return [event_line(event, timezone, lang, entry_of(event, entries), text_limit)
            for event in events]


# --------------------------------------------------------------------------- cases


def case_title(row: Case, lang: str = "en") -> str:
    """A case row's title in the reader's language (the English column if the document has
    none in a readable shape)."""
    title = row.data.get("title") if isinstance(row.data, dict) else None
    if isinstance(title, dict):
        try:
            return Title.model_validate(title).get(lang)
        except ValidationError:
            pass
    return row.title


def last_update(case: CaseDoc, events: Iterable[Event], closed_at: dt.datetime | None,
                timezone: str) -> PartialDate | None:
    """The date of the newest thing known about the case: its newest dated source or timeline
    entry, or the last change a coordinator made (a hearing, an outcome, news, closing it)."""
    zone = ZoneInfo(timezone)
    dates = [entry.date for entry in case.timeline]
    dates += [source.date for source in case.sources if source.date is not None]
    moments = [event.updated_at for event in events if event.origin != "content"]
    moments += [closed_at] if closed_at is not None else []
    dates += [PartialDate.parse(moment.astimezone(zone).date()) for moment in moments]
    return newest(dates)


def deadline_passed(case: CaseDoc, today: dt.date | None) -> bool:
    return case.act_before is not None and today is not None and case.act_before < today


def people_line(case: CaseDoc) -> str:
    return "; ".join(f"{person.name} ({person.role})" for person in case.people)


def codes_text(codes: Sequence[str], limit: int = CARD_CODES) -> str:
    """The appeal codes as <code> pieces, as many as fit in ``limit`` characters."""
    shown: list[str] = []
    size = 0
    for code in codes:
        size += len(code) + 2
        if shown and size > limit:
            shown.append("…")
            break
        shown.append(f"<code>{escape(shorten(code, limit))}</code>")
    return ", ".join(shown)


def case_card(case: CaseDoc, *, is_open: bool, closed_note: str | None,
              next_hearing: Event | None, latest: Sequence[Event], subscribed: bool,
              lang: str = "en", default_timezone: str = "UTC",
              updated: PartialDate | None = None, today: dt.date | None = None,
              notice: str | None = None, summary: str | None = None, age: str | None = None,
              slug: str | None = None, replies: int = 0) -> str:
    """The card; ``today`` (in the case's time zone) tells whether ``act_before`` has passed;
    ``notice`` (our HTML: what just happened) goes on top. ``summary`` replaces the case's (a
    preview); ``age`` ('9 years ago') marks a historical case, which needs no action badge;
    ``slug`` is shown to coordinators, who type it in commands; ``replies``: authorities'
    answers supporters shared."""
    zone = resolve_timezone(case.timezone, default_timezone)
    status = (t("🔒 closed", lang) if not is_open else t("🟢 open", lang) if age
              else t("🟢 open — action needed", lang))
    head = [f"<b>{escape(case.title.get(lang))}</b>"]
    if slug:
        head.append(t("Slug: <code>{slug}</code>", lang, slug=escape(slug)))
    if case.codes:
        head.append(t("Appeal code: {codes}", lang, codes=codes_text(case.codes)))
    head.append(t("<b>Who:</b> {people}", lang,
                  people=escape(shorten(people_line(case), CARD_PEOPLE))))
    head.append(t("<b>Status:</b> {status}", lang, status=status))
    if closed_note:
        head.append(t("<b>Closed:</b> {note}", lang, note=escape(shorten(closed_note,
                                                                         CARD_NOTE))))
    if is_open and case.act_before:
        day = format_day(case.act_before, lang)
        head.append(t("<b>Act before:</b> {day} — the appeal's deadline has passed.", lang,
                      day=day) if deadline_passed(case, today)
                    else t("<b>Act before:</b> {day}", lang, day=day))
    if updated is not None and age:
        head.append(t("<b>Last update:</b> {day} ({age})", lang, day=format_date(updated, lang),
                      age=age))
    elif updated is not None:
        head.append(t("<b>Last update:</b> {day}", lang, day=format_date(updated, lang)))
    if replies:
        head.append("📬 " + tn("{count} reply received", "{count} replies received", replies,
                               lang))

    if next_hearing is not None:
        hearing = t("<b>Next hearing:</b> {line}", lang,
                    line=event_line(next_hearing, zone, lang, text_limit=CARD_EVENT))
    else:
        hearing = t("<b>Next hearing:</b> none scheduled at the moment.", lang)
    recent = [t("<b>Latest:</b>", lang)] + _lines(case, latest, zone, lang, CARD_EVENT)
    footer = (t("🔔 You follow this case.", lang) if subscribed
              else t("Subscribe to hear about hearings and outcomes.", lang))

    def assemble(summary: str) -> str:
        # A closed case needs no more action: no hearing to point at.
        parts = ([notice] if notice else []) + ["\n".join(head), escape(summary)]
        parts += [hearing] if is_open else []
        if latest:
            parts.append("\n".join(recent))
        parts.append(footer)
        return "\n\n".join(parts)

    summary = case.summary.get(lang) if summary is None else summary
    text = assemble(summary)
    if telegram_length(text) > TEXT_LIMIT:  # shorten the summary, the one free-length part
        spare = TEXT_LIMIT - telegram_length(assemble("")) - 10
        text = assemble(shorten(summary, max(spare, 0)))
    return text


def timeline_text(case: CaseDoc, events: Sequence[Event], lang: str = "en",
                  default_timezone: str = "UTC") -> str:
    header = t("🗓 <b>Timeline — {title}</b>", lang, title=escape(case.title.get(lang)))
    lines = _lines(case, events, resolve_timezone(case.timezone, default_timezone), lang)
    if not lines:
        return header + "\n\n" + t("No dated events yet.", lang)
    # Keep the most recent entries that fit; say how many earlier ones were left out.
    kept: list[str] = []
    budget = TEXT_LIMIT - telegram_length(header) - 80
    for line in reversed(lines):
        if budget - telegram_length(line) - 1 < 0:
            break
        kept.append(line)
        budget -= telegram_length(line) + 1
    text = header + "\n\n" + "\n".join(reversed(kept))
    if len(kept) < len(lines):
        text += "\n\n" + t("…and {n} earlier entries.", lang, n=len(lines) - len(kept))
    return text


def sources_text(case: CaseDoc, lang: str = "en") -> str:
    lines = [t("📚 <b>Sources — {title}</b>", lang, title=escape(case.title.get(lang))), ""]
    for number, source in enumerate(case.sources, start=1):
        lines.append(f"{number}. {source_text(source, lang)}")
    return shorten_html_lines(lines)


def source_text(source: Source, lang: str = "en") -> str:
    """'Publisher: Title, 4 Oct 2017' (HTML), linked when the source gives a URL; a title and a
    date only when the source itself gives them."""
    def linked(text: str) -> str:
        return f'<a href="{escape(source.url, quote=True)}">{text}</a>' if source.url else text

    if source.title:
        text = f"{escape(source.publisher)}: {linked(escape(source.title))}"
    else:
        text = linked(escape(source.publisher))
    return text + (f", {format_date(source.date, lang)}" if source.date else "")


def shorten_html_lines(lines: list[str]) -> str:
    """Join whole lines while they fit Telegram's limit (never cutting inside one)."""
    out: list[str] = []
    size = 0
    for line in lines:
        length = telegram_length(line)
        if size + length + 1 > TEXT_LIMIT - 2:
            out.append("…")
            break
        out.append(line)
        size += length + 1
    return "\n".join(out)
