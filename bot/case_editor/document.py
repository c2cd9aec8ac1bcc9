"""A draft case document: made from an import or from a published case, checked like a case
file, written out as YAML a coordinator can commit to ``content/cases/``."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import ValidationError

from bot.importing.found import FoundAddressee, FoundAppeal
from content.errors import ContentError, validation_errors
from content.loader import parse_case
from content.schema import Authority, Case

# The order a case file lists its fields in (and the editor shows them in).
FIELD_ORDER = ("slug", "codes", "title", "country", "people", "status", "summary", "timezone",
               "timeline", "requested_actions", "addressees", "write_to_embassy", "letter_about",
               "letter_concern", "sources", "act_before", "report_to")


def slugify(text: str, limit: int = 48) -> str:
    """ASCII letters, digits and hyphens: "Larisa Kharkova" → "larisa-kharkova"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """The draft without empty values, in a case file's order (what is checked and exported)."""
    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            pruned = {k: prune(v) for k, v in value.items()}
            return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
        if isinstance(value, list):
            return [item for item in (prune(v) for v in value) if item not in (None, "", {})]
        return value
    pruned = prune(dict(data))
    ordered = {name: pruned[name] for name in FIELD_ORDER if name in pruned}
    ordered.update({k: v for k, v in pruned.items() if k not in ordered})
    return ordered


def to_yaml(document: Mapping[str, Any]) -> str:
    return yaml.safe_dump(clean(document), allow_unicode=True, sort_keys=False, width=100)


def check(data: Mapping[str, Any], directory: Mapping[str, Authority]
          ) -> tuple[Case | None, list[ContentError]]:
    """The draft checked exactly as a case file of that name would be."""
    filename = f"{data.get('slug') or 'draft'}.yaml"
    return parse_case(to_yaml(data), filename, dict(directory))


def check_authority(document: Mapping[str, Any]) -> tuple[Authority | None, list[ContentError]]:
    key = document.get("key") or "authority"
    try:
        return Authority.model_validate(clean(document)), []
    except ValidationError as error:
        return None, validation_errors(error, Authority, "authorities.yaml", str(key))


def export_yaml(case: Case) -> str:
    """A published case as a file for content/cases/ (it loads back to the same case)."""
    header = (f"# {case.title.en}\n# Exported from the bot's case editor; check it with "
              "`make check-content` before committing.\n")
    document = case.model_dump(mode="json", exclude_defaults=True)
    document.setdefault("status", case.status)
    return header + to_yaml(document)


def from_case(case: Case) -> dict[str, Any]:
    return case.model_dump(mode="json", exclude_none=True)


def new_document() -> dict[str, Any]:
    return {"status": "open", "country": "Kazakhstan", "people": [], "codes": [],
            "timeline": [], "requested_actions": [], "addressees": [], "sources": []}


def _authority_document(found: FoundAddressee, key: str, country: str | None,
                        as_of: dt.date | None) -> dict[str, Any]:
    return {"key": key, "name": found.name, "role": found.role or found.name,
            "country": country, "salutation": {"en": found.salutation} if found.salutation
            else {}, "emails": found.emails, "faxes": found.faxes, "phones": found.phones,
            "postal_address": found.postal_address, "web_form": found.web_form,
            "as_of": as_of.isoformat() if as_of else None}


def from_appeal(appeal: FoundAppeal, directory: Mapping[str, Authority],
                taken_slugs: set[str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The draft case an imported appeal makes, and the authorities it adds. The summary and
    the letter's wording are the coordinator's to write: none is proposed. Texts go into the
    language the appeal is written in (a French appeal's into English, with a note)."""
    lang = "ru" if appeal.language == "ru" else "en"
    person = appeal.people[0][0] if appeal.people else ""
    slug = slugify(person.split()[-1] if person else (appeal.codes[0] if appeal.codes else ""))
    base, number = slug or "imported", 2
    slug = base
    while slug in taken_slugs:
        slug, number = f"{base}-{number}", number + 1
    source: dict[str, Any] = {"publisher": appeal.publisher, "title": appeal.title,
                              "date": appeal.issued.isoformat() if appeal.issued else None}
    added: dict[str, dict[str, Any]] = {}
    keys: list[str] = []
    for found in appeal.addressees:
        if found.known_key:
            keys.append(found.known_key)
            continue
        key, number = slugify(found.name) or "authority", 2
        while key in directory or key in added:
            key, number = f"{slugify(found.name)[:44]}-{number}", number + 1
        added[key] = _authority_document(found, key, appeal.country, appeal.issued)
        keys.append(key)
    timeline = [{"key": f"{event.kind}-{event.date}".replace("_", "-"), "date": str(event.date),
                 "kind": event.kind, "text": {lang: event.text}, "source": 0}
                for event in appeal.events]
    seen: dict[str, int] = {}
    for entry in timeline:  # keys unique within the case
        count = seen.get(entry["key"], 0)
        seen[entry["key"]] = count + 1
        if count:
            entry["key"] = f"{entry['key']}-{count + 1}"
    data = new_document() | {
        "slug": slug, "codes": appeal.codes,
        "title": {lang: appeal.title} if appeal.title else {},
        "country": appeal.country,
        "people": [{"name": name, "role": role} for name, role in appeal.people],
        "timeline": timeline,
        "requested_actions": [{lang: action} for action in appeal.actions],
        "addressees": keys, "write_to_embassy": appeal.write_to_embassy,
        "sources": [source] if appeal.publisher else [],
        "act_before": appeal.act_before.isoformat() if appeal.act_before else None,
        "report_to": ({"email": appeal.report_to, "name": appeal.publisher}
                      if appeal.report_to and appeal.publisher and appeal.codes else None),
    }
    return data, added
