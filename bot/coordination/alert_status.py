"""What a coordinator reads about one alert: its status message (which case, which kind of
alert, which hearing; a progress bar while it is sent; the final tally) and its statistics.

Pure text from the database; the buttons under it come from ``handlers/alert_reports.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.alert_texts import AlertKind
from bot.coordination.lookup import case_timezone
from bot.i18n import N_, t, tn
from bot.render import KIND_ICONS, case_title, event_when, format_local_time, shorten
from storage import alert_followups as followups
from storage.alerts import alert_report
from storage.models import Alert, Case, Event

BAR_CELLS = 10

KIND_NAMES = {
    AlertKind.HEARING: N_("Hearing scheduled"),
    AlertKind.APPEAL_HEARING: N_("Appeal hearing scheduled"),
    AlertKind.POSTPONED: N_("Hearing moved"),
    AlertKind.CANCELLED: N_("Hearing cancelled"),
    AlertKind.OUTCOME: N_("Outcome"),
    AlertKind.NEWS: N_("News"),
    AlertKind.CLOSED: N_("Case closed"),
    followups.CORRECTION: N_("Correction"),
    "reminder": N_("Reminder"),
}


def kind_name(kind: str, lang: str) -> str:
    name = KIND_NAMES.get(kind)
    return t(name, lang) if name else kind


@dataclass(frozen=True)
class AlertFacts:
    """An alert with what its messages name: the case and the event."""

    alert: Alert
    case: Case | None
    event: Event | None
    timezone: str

    @property
    def is_correction(self) -> bool:
        return self.alert.kind == followups.CORRECTION


async def alert_facts(*, session: AsyncSession, alert_id: int,
                      default_timezone: str) -> AlertFacts | None:
    alert = await session.get(Alert, alert_id)
    if alert is None:
        return None
    case = await session.get(Case, alert.case_id)
    event = await session.get(Event, alert.event_id) if alert.event_id else None
    timezone = case_timezone(case, default_timezone) if case is not None else default_timezone
    return AlertFacts(alert, case, event, timezone)


def header(facts: AlertFacts, lang: str) -> str:
    """'📰 News #12 — Case title' and, for an alert about a hearing, its date and court."""
    alert = facts.alert
    icon = "✏️" if facts.is_correction else KIND_ICONS.get(alert.kind, "📣")
    title = escape(shorten(case_title(facts.case, lang), 120)) if facts.case else "—"
    lines = [f"{icon} <b>{escape(kind_name(alert.kind, lang))} #{alert.id}</b> — {title}"]
    if facts.is_correction and alert.payload and alert.payload.get("corrects"):
        lines.append(t("Corrects alert #{id}", lang, id=int(alert.payload["corrects"])))
    event = facts.event
    if event is not None:
        where = ", ".join(part for part in (event.court, event.city) if part)
        line = "🗓 " + escape(event_when(event, facts.timezone, lang))
        if where:
            line += " · " + escape(shorten(where, 120))
        lines.append(line)
    return "\n".join(lines)


def progress_bar(done: int, total: int) -> str:
    share = done / total if total else 1.0
    full = min(BAR_CELLS, int(share * BAR_CELLS))
    return "▰" * full + "▱" * (BAR_CELLS - full) + f" {int(share * 100)}%"


def tally(report: dict[str, int], details: followups.Details, lang: str, *,
          correction: bool) -> str:
    """The report lines under the header: a progress bar while sending, then the counts."""
    done = report["sent"] + report["blocked"] + report["failed"]
    total = report["total"]
    if report["pending"]:
        verb = (t("⏳ Editing… {done} of {total}", lang, done=done, total=total) if correction
                else t("⏳ Sending… {done} of {total}", lang, done=done, total=total))
        return f"{verb}\n{progress_bar(done, total)}"
    if correction:
        lines = [t("✅ Edited {sent} of {total} copies", lang, sent=report["sent"], total=total)]
    else:
        lines = [t("✅ Delivered to {sent} of {total}", lang, sent=report["sent"], total=total)]
    if report["blocked"]:
        lines.append(t("🚫 {n} blocked the bot", lang, n=report["blocked"]))
    if report["failed"]:
        if correction:
            lines.append(tn("⚠️ {count} copy could not be edited (deleted or too old)",
                            "⚠️ {count} copies could not be edited (deleted or too old)",
                            report["failed"], lang))
        else:
            lines.append(t("⚠️ {n} failed", lang, n=report["failed"]))
            if details.retryable:
                lines.append(tn("{count} of them may work now (network or Telegram trouble)",
                                "{count} of them may work now (network or Telegram trouble)",
                                details.retryable, lang))
    if details.twice:
        lines.append(twice_line(details.twice, lang))
    return "\n".join(lines)


def twice_line(count: int, lang: str) -> str:
    return tn("👥 {count} may have received it twice (an answer from Telegram was lost)",
              "👥 {count} may have received it twice (answers from Telegram were lost)",
              count, lang)


async def status_text(*, session: AsyncSession, alert_id: int, report: dict[str, int],
                      lang: str, default_timezone: str,
                      ) -> tuple[str, AlertFacts | None, followups.Details]:
    """The whole status message, with the facts and details the buttons need."""
    facts = await alert_facts(session=session, alert_id=alert_id,
                              default_timezone=default_timezone)
    details = (await followups.alert_details(session, alert_id) if not report["pending"]
               else followups.Details())
    correction = facts is not None and facts.is_correction
    head = header(facts, lang) if facts is not None else ""
    body = tally(report, details, lang, correction=correction)
    return (f"{head}\n\n{body}" if head else body), facts, details


async def alert_stats_text(*, session: AsyncSession, alert_id: int, lang: str,
                           default_timezone: str) -> str | None:
    """[📊 Stats] of one alert; None if there is no such alert."""
    facts = await alert_facts(session=session, alert_id=alert_id,
                              default_timezone=default_timezone)
    if facts is None:
        return None
    report = await alert_report(session, alert_id)
    details = await followups.alert_details(session, alert_id)
    alert = facts.alert
    lines = [header(facts, lang), "",
             t("Queued {when} for {count}", lang,
               when=escape(format_local_time(alert.created_at, facts.timezone, lang)),
               count=report["total"])]
    if alert.finished_at is not None:
        lines.append(t("Finished {when}", lang, when=escape(
            format_local_time(alert.finished_at, facts.timezone, lang))))
    lines += ["", tally(report, details, lang, correction=facts.is_correction)]
    if report["pending"]:
        lines.append(t("{n} still to send", lang, n=report["pending"]))
    return "\n".join(lines)


async def attention_lines(*, session: AsyncSession, case_id: int | None, slugs: dict[int, str],
                          lang: str, limit: int = 10) -> list[str]:
    """/stats: the latest alerts with failed deliveries or possible duplicates."""
    rows = await followups.alerts_needing_attention(session=session, case_id=case_id,
                                                    limit=limit)
    if not rows:
        return []
    lines = [t("<b>Alerts with failed deliveries</b>", lang)]
    for row in rows:
        parts = [t("{n} failed", lang, n=row.failed)]
        if row.retryable:
            parts.append(tn("{count} may be re-sent", "{count} may be re-sent", row.retryable,
                            lang))
        if row.twice:
            parts.append(tn("{count} may have received it twice",
                            "{count} may have received it twice", row.twice, lang))
        lines.append(f"• #{row.alert_id} · <code>{escape(slugs.get(row.case_id, '?'))}</code> · "
                     f"{escape(kind_name(row.kind, lang))} · {row.created_at:%Y-%m-%d}: "
                     + ", ".join(parts))
    return lines


async def retry_offers(*, session: AsyncSession, case_id: int | None,
                       limit: int = 5) -> list[tuple[int, int]]:
    """(alert id, failed deliveries that may be re-sent) for /stats' buttons."""
    rows = await followups.alerts_needing_attention(session=session, case_id=case_id,
                                                    limit=limit * 2)
    return [(row.alert_id, row.retryable) for row in rows if row.retryable][:limit]
