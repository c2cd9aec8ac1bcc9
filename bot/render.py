"""Telegram HTML for cases: cards, timelines, sources. Pure functions of the data.

Every string that did not come from this module is escaped here. Long texts are shortened at a
word boundary *before* escaping, so a cut never splits a word or an HTML entity or tag. Each part
of a card has its own bound, so one long field (a court's name, a list of people) cannot crowd
out the rest; lengths are measured as Telegram counts them (bot.fitting).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from zoneinfo import ZoneInfo

from bot.fitting import TEXT_LIMIT, telegram_length, units
from bot.i18n import t
from content.schema import Case as CaseDoc
from storage.models import Event

TELEGRAM_LIMIT = TEXT_LIMIT
# What one part of a card may take (characters before escaping); the summary gets the rest.
CARD_PEOPLE, CARD_CODES, CARD_NOTE, CARD_EVENT, WHERE = 700, 300, 500, 300, 200
KIND_ICONS = {
    "closure": "🚫", "search": "🔎", "detention": "⛓", "charges": "⚖️", "hearing": "🏛",
    "appeal_hearing": "🏛", "verdict": "🔨", "appeal": "📨", "appeal_ruling": "🔨",
    "release": "🕊", "communication": "✉️", "reply": "📩", "outcome": "📌", "news": "📰",
    "closed": "✅", "other": "•",
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


def format_day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def format_local_time(moment: dt.datetime, timezone: str) -> str:
    """'12 Dec 2026, 10:00 (UTC+05:00)' in the court's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    offset = local.strftime("%z")
    return f"{format_day(local.date())}, {local:%H:%M} (UTC{offset[:3]}:{offset[3:]})"


def event_when(event: Event, timezone: str) -> str:
    if event.starts_at is not None:
        return format_local_time(event.starts_at, timezone)
    if event.time is not None:
        return f"{format_day(event.date)}, {event.time:%H:%M}"
    return format_day(event.date)


def event_line(event: Event, timezone: str, text_limit: int | None = None) -> str:
    """One timeline entry; its text cut to ``text_limit`` characters when given."""
    where = shorten(", ".join(part for part in (event.court, event.city, event.place) if part),
                    WHERE)
    icon = KIND_ICONS.get(event.kind, "•")
    text = shorten(event.text, text_limit) if text_limit else event.text
    line = f"{icon} <b>{escape(event_when(event, timezone))}</b> — {escape(text)}"
    if where:
        line += f" <i>({escape(where)})</i>"
    if event.status == "cancelled":
        line = f"<s>{line}</s>"
    return line


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
              lang: str = "en", notice: str | None = None) -> str:
    """The card; ``notice`` (our HTML: what just happened) goes on top."""
    status = t("🟢 open — action needed", lang) if is_open else t("🔒 closed", lang)
    head = [f"<b>{escape(case.title)}</b>"]
    if case.codes:
        head.append(t("Appeal code: {codes}", lang, codes=codes_text(case.codes)))
    head.append(t("<b>Who:</b> {people}", lang,
                  people=escape(shorten(people_line(case), CARD_PEOPLE))))
    head.append(t("<b>Status:</b> {status}", lang, status=status))
    if closed_note:
        head.append(t("<b>Closed:</b> {note}", lang, note=escape(shorten(closed_note,
                                                                         CARD_NOTE))))
    if is_open and case.act_before:
        head.append(t("<b>Act before:</b> {day}", lang, day=format_day(case.act_before)))

    if next_hearing is not None:
        hearing = t("<b>Next hearing:</b> {line}", lang,
                    line=event_line(next_hearing, case.timezone, CARD_EVENT))
    else:
        hearing = t("<b>Next hearing:</b> none scheduled at the moment.", lang)
    recent = [t("<b>Latest:</b>", lang)] + [event_line(e, case.timezone, CARD_EVENT)
                                             for e in latest]
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

    text = assemble(case.summary)
    if telegram_length(text) > TEXT_LIMIT:  # shorten the summary, the one free-length part
        spare = TEXT_LIMIT - telegram_length(assemble("")) - 10
        text = assemble(shorten(case.summary, max(spare, 0)))
    return text


def timeline_text(case: CaseDoc, events: Sequence[Event], lang: str = "en") -> str:
    header = t("🗓 <b>Timeline — {title}</b>", lang, title=escape(case.title))
    lines = [event_line(event, case.timezone) for event in events]
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
    lines = [t("📚 <b>Sources — {title}</b>", lang, title=escape(case.title)), ""]
    for number, source in enumerate(case.sources, start=1):
        title = escape(source.title)
        if source.url:
            title = f'<a href="{escape(source.url, quote=True)}">{title}</a>'
        when = f", {format_day(source.date)}" if source.date else ""
        lines.append(f"{number}. {escape(source.publisher)}: {title}{when}")
    return shorten_html_lines(lines)


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
