"""An authority typed as a short form, one "field: value" per line, for /newauthority and for
completing an authority an import found. Checked by the directory's schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.case_editor.document import slugify

# The form's labels → the Authority document's fields ("[]": a list of values).
LABELS = {"key": "key", "name": "name", "name ru": "name_ru", "role": "role",
          "country": "country", "salutation en": "salutation.en",
          "salutation ru": "salutation.ru", "salutation kk": "salutation.kk",
          "email": "emails[]", "fax": "faxes[]", "phone": "phones[]", "post": "postal_address",
          "web": "web_form", "as of": "as_of"}
TEMPLATE = ("name: \nrole: \ncountry: Kazakhstan\nsalutation en: Dear …,\nsalutation ru: "
            "Уважаемый …!\nemail: \nfax: \npost: \nweb: \nas of: YYYY-MM-DD")


def parse(text: str) -> tuple[dict[str, Any], list[str]]:
    """The document the form describes, and the labels it did not know."""
    document: dict[str, Any] = {"salutation": {}, "emails": [], "faxes": [], "phones": []}
    unknown: list[str] = []
    for line in text.splitlines():
        label, separator, value = line.partition(":")
        label, value = " ".join(label.lower().split()), value.strip()
        if not line.strip():
            continue
        target = LABELS.get(label) if separator else None
        if target is None:
            unknown.append(label[:40] or line[:40])
            continue
        if not value:
            continue
        if target.endswith("[]"):
            document[target[:-2]].extend(part.strip() for part in value.split(",")
                                         if part.strip())
        elif "." in target:
            outer, inner = target.split(".")
            document[outer][inner] = value
        else:
            document[target] = value
    if not document.get("key") and document.get("name"):
        document["key"] = slugify(document["name"])
    return document, unknown


def render(document: Mapping[str, Any]) -> str:
    """The form for an authority document (what :func:`parse` reads back)."""
    lines = []
    for label, target in LABELS.items():
        if target.endswith("[]"):
            for value in document.get(target[:-2]) or []:
                lines.append(f"{label}: {value}")
            continue
        if "." in target:
            outer, inner = target.split(".")
            value = (document.get(outer) or {}).get(inner)
        else:
            value = document.get(target)
        lines.append(f"{label}: {value or ''}")
    return "\n".join(lines)
