"""Telegram HTML for cases: cards, timelines, sources. Pure functions of the data.

Every string that did not come from this module is escaped here. Long texts are shortened at a
word boundary *before* escaping, so a cut never splits a word or an HTML entity or tag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from bot.i18n import t
from content.languages import from_telegram
from content.schema import Case as CaseDoc
from storage.models import Event

TELEGRAM_LIMIT = 4096
KIND_ICONS = {
    "closure": "🚫", "search": "🔎", "detention": "⛓", "charges": "⚖️", "hearing": "🏛",
    "appeal_hearing": "🏛", "verdict": "🔨", "appeal": "📨", "appeal_ruling": "🔨",
    "release": "🕊", "communication": "✉️", "reply": "📩", "outcome": "📌", "news": "📰",
    "closed": "✅", "other": "•",
}


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "…"


# How a day is written, per interface language (Babel/CLDR patterns): '4 Mar 2031',
# '4 марта 2031 г.', '2031 ж. 4 наурыз'. English keeps the short month the bot always used;
# the others take CLDR's long date, which declines the month where the language does.
DAY_PATTERNS = {"en": "d MMM y"}


def _locale(lang: str) -> str:
    return from_telegram(lang)  # any unknown code falls back to English


def format_day(day: dt.date, lang: str = "en") -> str:
    locale = _locale(lang)
    return format_date(day, DAY_PATTERNS.get(locale, "long"), locale=locale)


def format_clock(moment: dt.time | dt.datetime, lang: str = "en") -> str:
    """'10:00': a 24-hour clock in every language the bot speaks."""
    return format_time(moment, "HH:mm", locale=_locale(lang))


def format_local_time(moment: dt.datetime, timezone: str, lang: str = "en") -> str:
    """'12 Dec 2026, 10:00 (UTC+05:00)' in the court's time zone (the day in ``lang``)."""
    local = moment.astimezone(ZoneInfo(timezone))
    offset = local.strftime("%z")
    return (f"{format_day(local.date(), lang)}, {format_clock(local.time(), lang)} "
            f"(UTC{offset[:3]}:{offset[3:]})")


def event_when(event: Event, timezone: str, lang: str = "en") -> str:
    if event.starts_at is not None:
        return format_local_time(event.starts_at, timezone, lang)
    if event.time is not None:
        return f"{format_day(event.date, lang)}, {format_clock(event.time, lang)}"
    return format_day(event.date, lang)


def event_line(event: Event, timezone: str, lang: str = "en") -> str:
    where = ", ".join(part for part in (event.court, event.city, event.place) if part)
    icon = KIND_ICONS.get(event.kind, "•")
    line = f"{icon} <b>{escape(event_when(event, timezone, lang))}</b> — {escape(event.text)}"
    if where:
        line += f" <i>({escape(where)})</i>"
    if event.status == "cancelled":
        line = f"<s>{line}</s>"
    return line


def people_line(case: CaseDoc) -> str:
    return "; ".join(f"{person.name} ({person.role})" for person in case.people)


def case_card(case: CaseDoc, *, is_open: bool, closed_note: str | None,
              next_hearing: Event | None, latest: Sequence[Event], subscribed: bool,
              lang: str = "en") -> str:
    status = t("🟢 open — action needed", lang) if is_open else t("🔒 closed", lang)
    head = [f"<b>{escape(case.title)}</b>"]
    if case.codes:
        head.append(t("Appeal code: {codes}", lang,
                      codes=", ".join(f"<code>{escape(code)}</code>" for code in case.codes)))
    head.append(t("<b>Who:</b> {people}", lang, people=escape(people_line(case))))
    head.append(t("<b>Status:</b> {status}", lang, status=status))
    if closed_note:
        head.append(t("<b>Closed:</b> {note}", lang, note=escape(closed_note)))
    if is_open and case.act_before:
        head.append(t("<b>Act before:</b> {day}", lang, day=format_day(case.act_before, lang)))

    if next_hearing is not None:
        hearing = t("<b>Next hearing:</b> {line}", lang,
                    line=event_line(next_hearing, case.timezone, lang))
    else:
        hearing = t("<b>Next hearing:</b> none scheduled at the moment.", lang)
    recent = [t("<b>Latest:</b>", lang)] + [event_line(e, case.timezone, lang) for e in latest]
    footer = (t("🔔 You follow this case.", lang) if subscribed
              else t("Subscribe to hear about hearings and outcomes.", lang))

    def assemble(summary: str) -> str:
        # A closed case needs no more action: no hearing to point at.
        parts = ["\n".join(head), escape(summary)] + ([hearing] if is_open else [])
        if latest:
            parts.append("\n".join(recent))
        parts.append(footer)
        return "\n\n".join(parts)

    text = assemble(case.summary)
    if len(text) > TELEGRAM_LIMIT:  # shorten the summary, the one free-length part
        spare = TELEGRAM_LIMIT - len(assemble("")) - 10
        text = assemble(shorten(case.summary, max(spare, 0)))
    return text


def timeline_text(case: CaseDoc, events: Sequence[Event], lang: str = "en") -> str:
    header = t("🗓 <b>Timeline — {title}</b>", lang, title=escape(case.title))
    lines = [event_line(event, case.timezone, lang) for event in events]
    if not lines:
        return header + "\n\n" + t("No dated events yet.", lang)
    # Keep the most recent entries that fit; say how many earlier ones were left out.
    kept: list[str] = []
    budget = TELEGRAM_LIMIT - len(header) - 80
    for line in reversed(lines):
        if budget - len(line) - 1 < 0:
            break
        kept.append(line)
        budget -= len(line) + 1
    text = header + "\n\n" + "\n".join(reversed(kept))
    if len(kept) < len(lines):
        text += "\n\n" + t("…and {n} earlier entries.", lang, n=len(lines) - len(kept))
    return text


def sources_text(case: CaseDoc, lang: str = "en") -> str:
    lines = [t("📚 <b>Sources — {title}</b>", lang, title=escape(case.title)), ""]
    for number, source in enumerate(case.sources, start=1):
        title = escape(source.title)
        if source.url:
            title = f'<a href="{escape(source.url, quote=True)}">{title}</a>'
        when = f", {format_day(source.date, lang)}" if source.date else ""
        lines.append(f"{number}. {escape(source.publisher)}: {title}{when}")
    return shorten_html_lines(lines)


def shorten_html_lines(lines: list[str]) -> str:
    """Join whole lines while they fit Telegram's limit (never cutting inside one)."""
    out: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > TELEGRAM_LIMIT - 2:
            out.append("…")
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)
