"""What every coordinator alert shares: its kind, its heading line, the limits of its free text.

Each kind renders its own alert with a pure ``render(payload, lang)`` (see
``bot.coordination.registry``); the pieces here keep those renders alike. Everything that came
from a person or a file is escaped by the renders; times are the court's local time with its UTC
offset.
"""

from __future__ import annotations

from enum import StrEnum
from html import escape

from bot.i18n import t
from content.languages import fallback_chain


class AlertKind(StrEnum):
    """``Alert.kind`` and ``PendingBroadcast.kind`` of each coordinator alert. The two hearing
    kinds are also the ``Event.kind`` of the hearing they schedule."""

    HEARING = "hearing"
    APPEAL_HEARING = "appeal_hearing"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    OUTCOME = "outcome"
    NEWS = "news"
    CLOSED = "closed"
    REOPENED = "reopened"


HEARING_KINDS = (AlertKind.HEARING, AlertKind.APPEAL_HEARING)

# The free text a coordinator types (news, outcome, closing note, place) is limited so that
# every alert, with its title and headings, fits in one Telegram message (4096 characters).
TEXT_LIMIT = 3000
PLACE_LIMIT = 300


# The text a coordinator typed that they may also give in other languages, per kind.
TRANSLATABLE = {AlertKind.NEWS: "news", AlertKind.OUTCOME: "outcome", AlertKind.CLOSED: "note",
                AlertKind.HEARING: "place", AlertKind.APPEAL_HEARING: "place"}


def written(payload, field: str, lang: str) -> str | None:
    """A text the coordinator typed, in ``lang`` or the closest version they gave (kk → ru →
    en, ru → en, en → ru); without versions, the text as typed."""
    versions = (payload.get("versions") or {}).get(field) or {}
    chain = fallback_chain(lang)
    return next((versions[code] for code in (*chain, *versions) if versions.get(code)),
                payload.get(field))


def version_for(versions, lang: str) -> str | None:
    """Which of the given versions (language codes) a reader of ``lang`` gets."""
    return next((code for code in (*fallback_chain(lang), *versions) if code in versions), None)


def hearing_name(kind: str, lang: str = "en") -> str:
    return t("Appeal hearing", lang) if kind == AlertKind.APPEAL_HEARING else t("Hearing", lang)


def case_title(payload, lang: str) -> str:
    """The case's title in ``lang`` or the closest language the payload has it in."""
    titles = payload.get("case_titles") or {}
    return next((titles[code] for code in fallback_chain(lang) if titles.get(code)),
                payload["case_title"])


def heading(icon: str, text: str, case_title: str) -> str:
    """The first line of an alert: icon, what happened (bold), the case."""
    return f"{icon} <b>{text}</b> — {escape(case_title)}"
