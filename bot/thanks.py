"""The line of thanks in an outcome or closure alert, for each recipient who wrote on the case:
"You wrote to … on 12 Oct 2026 — thank you", and the case's total letters.

:func:`ThankWriters` is the delivery worker's ``personal_for``: once per claimed batch it looks
up, in two queries, the latest letter of each recipient of such an alert, and returns for each
writer's row a function that adds their line to the alert's text (in their language). Rows of
other alerts cost one cached look-up of the alert's kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape

from sqlmodel import select

from bot.alert_texts import AlertKind
from bot.i18n import t, tn
from bot.render import format_day
from storage.authorities import get_entries
from storage.db import Database
from storage.letters import latest_letters, totals_by_case
from storage.models import Alert

log = logging.getLogger(__name__)
THANKED_KINDS = (AlertKind.OUTCOME, AlertKind.CLOSED)


def addressee(authority, lang: str) -> str:
    if lang in ("ru", "kk") and authority.name_ru:
        return authority.name_ru
    return authority.name


def thanks_line(name: str, day: str, total: int, lang: str) -> str:
    return "🙏 " + t("You wrote to {who} on {day} — thank you.", lang, who=escape(name),
                     day=day) + " " + tn("{count} letter has been sent on this case.",
                                         "{count} letters have been sent on this case.",
                                         total, lang)


class ThankWriters:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._cases: dict[int, int | None] = {}  # alert id → its case if thanked, else None

    async def __call__(self, rows) -> dict[int, Callable[[str], str]]:
        """Never raises: if anything fails, everyone gets the alert's common text."""
        try:
            return await self._personal(rows)
        except Exception:
            log.warning("thanks lines could not be prepared; sending the common text",
                        exc_info=True)
            return {}

    async def _personal(self, rows) -> dict[int, Callable[[str], str]]:
        unknown = sorted({row.alert_id for row in rows} - set(self._cases))
        async with self.db.session() as session:
            if unknown:
                found = (await session.exec(select(Alert.id, Alert.kind, Alert.case_id)
                                            .where(Alert.id.in_(unknown)))).all()
                for alert_id, kind, case_id in found:
                    self._cases[alert_id] = case_id if kind in THANKED_KINDS else None
                if len(self._cases) > 10_000:
                    self._cases.clear()
            thanked = [row for row in rows if self._cases.get(row.alert_id)]
            if not thanked:
                return {}
            case_ids = sorted({self._cases[row.alert_id] for row in thanked})
            latest = await latest_letters(session=session,
                                          chat_ids=sorted({row.chat_id for row in thanked}),
                                          case_ids=case_ids)
            if not latest:
                return {}
            totals = await totals_by_case(session=session, case_ids=case_ids)
            entries = await get_entries(session=session,
                                        keys=sorted({letter.authority_key
                                                     for letter in latest.values()}))
        authorities = {entry.authority.key: entry.authority for entry in entries}
        personal = {}
        for row in thanked:
            case_id = self._cases[row.alert_id]
            letter = latest.get((row.chat_id, case_id))
            if letter is None:
                continue
            authority = authorities.get(letter.authority_key)
            name = addressee(authority, row.language) if authority else letter.authority_key
            line = thanks_line(name, format_day(letter.created_at.date(), row.language),
                               totals.get(case_id, 0), row.language)
            personal[row.id] = lambda text, line=line: f"{text}\n\n{line}"
        return personal
