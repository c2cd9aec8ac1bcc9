"""The HTML of each alert a coordinator sends to a case's subscribers. Pure functions.

An alert is rendered once, when the coordinator asks for it; the preview shows exactly this text
and the outbox delivers exactly this text. Everything that came from a person or a file is
escaped here; times are the court's local time with its UTC offset.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from bot.i18n import t
from bot.render import format_day, format_local_time

# Alert.kind of each coordinator alert (Alert.kind, PendingBroadcast.kind).
HEARING = "hearing"
APPEAL_HEARING = "appeal_hearing"
POSTPONED = "postponed"
CANCELLED = "cancelled"
OUTCOME = "outcome"
NEWS = "news"
CLOSED = "closed"
KINDS = (HEARING, APPEAL_HEARING, POSTPONED, CANCELLED, OUTCOME, NEWS, CLOSED)

# The free text a coordinator types (news, outcome, closing note, place) is limited so that
# every alert, with its title and headings, fits in one Telegram message (4096 characters).
TEXT_LIMIT = 3000
PLACE_LIMIT = 300


def hearing_name(kind: str, lang: str = "en") -> str:
    return t("Appeal hearing", lang) if kind == APPEAL_HEARING else t("Hearing", lang)


def _title(icon: str, heading: str, case_title: str) -> str:
    return f"{icon} <b>{heading}</b> — {escape(case_title)}"


def hearing_scheduled(*, case_title: str, timezone: str, kind: str, starts_at: dt.datetime,
                      place: str | None, action: str | None, lang: str = "en") -> str:
    """A hearing or an appeal hearing was scheduled: what, when, where, what to do now."""
    heading = (t("Appeal hearing scheduled", lang) if kind == APPEAL_HEARING
               else t("Hearing scheduled", lang))
    lines = [
        _title("🏛", heading, case_title),
        "",
        t("🗓 <b>When:</b> {when}", lang, when=escape(format_local_time(starts_at, timezone, lang))),
        t("📍 <b>Where:</b> {place}", lang,
          place=escape(place) if place else t("not announced yet", lang)),
        "",
    ]
    if action:
        lines.append(t("<b>What you can do now:</b> {action}", lang, action=escape(action)))
    lines.append(t("Tap ✍️ <b>Write a letter</b> below: letters before a hearing show the "
                   "court that people are watching. I will remind you before it starts.", lang))
    return "\n".join(lines)


def hearing_postponed(*, case_title: str, timezone: str, kind: str, old_starts_at: dt.datetime,
                      new_starts_at: dt.datetime, place: str | None, lang: str = "en") -> str:
    heading = t("{hearing} postponed", lang, hearing=hearing_name(kind, lang))
    lines = [
        _title("⏳", heading, case_title),
        "",
        t("It was due on {old}.", lang, old=escape(format_local_time(old_starts_at, timezone, lang))),
        t("🗓 <b>New date:</b> {when}", lang,
          when=escape(format_local_time(new_starts_at, timezone, lang))),
    ]
    if place:
        lines.append(t("📍 <b>Where:</b> {place}", lang, place=escape(place)))
    lines += ["", t("Your reminders move with it.", lang)]
    return "\n".join(lines)


def hearing_cancelled(*, case_title: str, timezone: str, kind: str, starts_at: dt.datetime,
                      lang: str = "en") -> str:
    heading = t("{hearing} cancelled", lang, hearing=hearing_name(kind, lang))
    return "\n".join([
        _title("❌", heading, case_title),
        "",
        t("The hearing set for {when} will not take place, and there will be no reminders for "
          "it. I will tell you when a new date is set.", lang,
          when=escape(format_local_time(starts_at, timezone, lang))),
    ])


def hearing_outcome(*, case_title: str, timezone: str, kind: str, starts_at: dt.datetime | None,
                    day: dt.date, text: str, lang: str = "en") -> str:
    when = format_local_time(starts_at, timezone, lang) if starts_at else format_day(day, lang)
    heading = t("Outcome", lang)
    return "\n".join([
        _title("📌", heading, case_title),
        t("<i>{hearing} of {when}</i>", lang, hearing=hearing_name(kind, lang),
          when=escape(when)),
        "",
        escape(text),
    ])


def news(*, case_title: str, text: str, lang: str = "en") -> str:
    return "\n".join([_title("📰", t("News", lang), case_title), "", escape(text)])


def case_closed(*, case_title: str, note: str, lang: str = "en") -> str:
    return "\n".join([
        _title("✅", t("Case closed", lang), case_title),
        "",
        escape(note),
        "",
        t("No further action is needed: there will be no more reminders for this case and no "
          "letters to write. Thank you for standing with them.", lang),
    ])
