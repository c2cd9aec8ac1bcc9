"""A stored case's document, checked by its schema once per version instead of once per card.

Validating a case's JSON with the case-file schema (pydantic) was a fifth of a card's time.
The document of each case is kept with the data it was made from; it is used again only while
the stored data is equal to that (a dict comparison, a few µs), so an edited case — however it
was edited — is validated anew. Callers only read the document.
"""

from __future__ import annotations

from typing import Any

from content.schema import Case as CaseDoc

_KEPT = 256  # cases; more than any library holds, and a bound should one ever be bigger
_documents: dict[int, tuple[Any, CaseDoc]] = {}


def document_of(case_id: int, data: Any) -> CaseDoc:
    kept = _documents.get(case_id)
    if kept is not None and kept[0] == data:
        return kept[1]
    document = CaseDoc.model_validate(data)
    if len(_documents) >= _KEPT:
        _documents.clear()
    _documents[case_id] = (data, document)
    return document
