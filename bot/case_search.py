"""Finding cases by what a person typed: the slug in any letter case, the title in any language,
the names of the people concerned.

``search`` is for inline mode (``@bot kharkova`` in any chat): case-insensitive substrings, every
word of the query must match. ``suggest`` is for a name that matched nothing: the closest cases
with rapidfuzz (``larisa`` finds kharkova, whose person is Larisa Kharkova)."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

from storage.models import Case

RESULT_LIMIT = 50  # Telegram takes at most 50 results for one inline query
SUGGESTIONS = 3
# Levenshtein similarity (0..100) to a whole name or one word of it: ``kharkov`` → kharkova
# (93), ``sychov`` → sychev (83); below this a "suggestion" is noise.
_CUTOFF = 75


def _names(case: Case) -> list[str]:
    """Everything a person might call the case by."""
    data = case.data if isinstance(case.data, dict) else {}
    names = [case.slug, case.slug.replace("-", " "), *case.slug.split("-"), case.title]
    title = data.get("title")
    if isinstance(title, dict):
        names += [text for text in title.values() if isinstance(text, str)]
    for person in data.get("people") or ():
        if isinstance(person, dict) and isinstance(person.get("name"), str):
            names.append(person["name"])
            names += person["name"].split()
    return [name for name in dict.fromkeys(names) if name]


def searchable_text(case: Case) -> str:
    return "\n".join(_names(case)).casefold()


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


def suggest(typed: str, cases: Iterable[Case], limit: int = SUGGESTIONS) -> list[Case]:
    """Up to ``limit`` cases whose slug, title or people's names are closest to ``typed``,
    best first; none when nothing is close."""
    query = utils.default_process(typed or "")
    if len(query) < 2:
        return []
    best: dict[int, tuple[float, Case]] = {}
    for case in cases:
        scores = process.extract(query, _names(case), scorer=fuzz.ratio,
                                 processor=utils.default_process, limit=1,
                                 score_cutoff=_CUTOFF)
        if scores:
            best[case.id] = (scores[0][1], case)
    ranked = sorted(best.values(), key=lambda pair: (-pair[0], pair[1].slug))
    return [case for _, case in ranked[:limit]]
