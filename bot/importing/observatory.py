"""The Observatory's (FIDH-OMCT) list of addressees: one bullet per authority, each "Mr. Name,
Role. Fax: … Email: …" on one or a few lines."""

from __future__ import annotations

import re

from bot.importing.channels import emails_in, numbers_in, redactions_in, urls_in
from bot.importing.found import FoundAddressee
from bot.importing.prose import squash, title_case_caps

_BULLET = re.compile(r"(?m)^[ \t\u00a0]*[·•▪●*-](?=[ \t\u00a0])")
_LABEL = re.compile(r"(?i)\b(fax|e-?mail|courriel|tel(?:ephone)?|phone|téléphone|тел(?:ефон)?"
                    r"|факс|web(?:site)?|online form|адрес эл(?:\.|ектронной) почты)\s*:")
_HONORIFICS = re.compile(r"^(?:(?:H\.E\.|His Excellency|Her Excellency|Ambassador|Ambassadeur|"
                         r"Mr|Ms|Mrs|Mme|M|Dr|Messrs|г-н|г-жа)\.?\s+)+")
_TITLE_WORDS = re.compile(r"^(Ambassador|Ambassadeur)\s+", re.IGNORECASE)
MAX_ADDRESSEES = 30


def _head(text: str) -> tuple[str, str | None]:
    """Name and role from "Mr. Nursultan NAZARBAEV, President of …"."""
    head = text.strip(" .;,")
    title = _TITLE_WORDS.match(head)
    name_part, _, role = head.partition(",")
    name = _HONORIFICS.sub("", name_part).strip()
    if not role:  # "Permanent Delegation of … in Vienna": the office is the name
        return title_case_caps(name or head), None
    role = squash(role).strip(" .")
    if title is not None:
        role = f"{title.group(1).capitalize()}, {role}"
    return title_case_caps(name), role or None


def addressee(item: str) -> FoundAddressee | None:
    text = squash(item)
    parts = _LABEL.split(text)
    name, role = _head(parts[0])
    if len(name) < 2:
        return None
    found = FoundAddressee(name=name[:200], role=role[:300] if role else None,
                           redacted=redactions_in(text))
    for label, value in zip(parts[1::2], parts[2::2], strict=False):
        label = label.lower()
        if label.startswith(("fax", "факс")):
            found.faxes += [n for n in numbers_in(value) if n not in found.faxes]
        elif label.startswith(("tel", "phone", "тел", "tél")):
            found.phones += [n for n in numbers_in(value) if n not in found.phones]
        elif label.startswith(("web", "online")):
            found.web_form = next(iter(urls_in(value)), found.web_form)
    found.emails = emails_in(text)
    found.faxes, found.phones = found.faxes[:10], found.phones[:10]
    return found


def addressees(part: str) -> list[FoundAddressee]:
    marks = list(_BULLET.finditer(part))
    found = []
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(part)
        item = addressee(part[mark.end():end])
        if item is not None:
            found.append(item)
    return found[:MAX_ADDRESSEES]
