"""Finding cases by what someone types: the slug, the title in any language, people's names.

Case-insensitive substring matching (``casefold``), every word of the query must match; used by
inline mode, where a person types ``@bot kharkova`` in any chat."""

from __future__ import annotations

from collections.abc import Iterable

from storage.models import Case

RESULT_LIMIT = 50  # Telegram takes at most 50 results for one inline query


def searchable_text(case: Case) -> str:
    data = case.data if isinstance(case.data, dict) else {}
    parts = [case.slug, case.slug.replace("-", " "), case.title]
    titles = data.get("title")
    if isinstance(titles, dict):
        parts += [value for value in titles.values() if isinstance(value, str)]
    for person in data.get("people") or []:
        if isinstance(person, dict) and isinstance(person.get("name"), str):
            parts.append(person["name"])
    return "\n".join(parts).casefold()


def search(cases: Iterable[Case], query: str, limit: int = RESULT_LIMIT) -> list[Case]:
    """The cases matching every word of ``query``, open ones first; an empty query gives the
    open cases."""
    words = query.casefold().split()
    cases = list(cases)
    if not words:
        found = [case for case in cases if case.is_open]
    else:
        found = [case for case in cases
                 if all(word in searchable_text(case) for word in words)]
    found.sort(key=lambda case: (not case.is_open, case.title.casefold()))
    return found[:limit]
