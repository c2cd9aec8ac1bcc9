"""Finding a case by what a person typed: its slug in any letter case, or — when nothing
matches — the closest cases by slug, title (every language) and the names of the people
concerned, with rapidfuzz (``larisa`` finds kharkova, whose person is Larisa Kharkova)."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

from storage.models import Case

SUGGESTIONS = 3
# Levenshtein similarity (0..100) to a whole name or one word of it: ``kharkov`` → kharkova
# (93), ``sychov`` → sychev (83); below this a "suggestion" is noise.
_CUTOFF = 75


def _names(case: Case) -> list[str]:
    """Everything a person might call the case by."""
    data = case.data or {}
    names = [case.slug, case.slug.replace("-", " "), *case.slug.split("-"), case.title]
    title = data.get("title")
    if isinstance(title, dict):
        names += [text for text in title.values() if isinstance(text, str)]
    for person in data.get("people") or ():
        if isinstance(person, dict) and isinstance(person.get("name"), str):
            names.append(person["name"])
            names += person["name"].split()
    return [name for name in dict.fromkeys(names) if name]


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
