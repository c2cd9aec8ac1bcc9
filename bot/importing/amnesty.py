"""Amnesty International's Urgent Action addressees: one block per authority (title, name,
postal address, then "Fax:", "Email:", "Salutation:" lines), blocks separated by blank lines,
"And copies to:" before the secondary ones."""

from __future__ import annotations

import re

from bot.importing.channels import emails_in, numbers_in, redactions_in, urls_in
from bot.importing.found import FoundAddressee
from bot.importing.prose import squash

_LABEL = re.compile(r"(?i)^\s*(fax|e-?mail|courriel|phone|tel(?:ephone)?|téléphone|тел(?:ефон)?"
                    r"|факс|salutation|обращение|formule d'appel|web(?:site)?|online form"
                    r"|twitter|facebook)\s*:?\s*(.*)$")
_COPIES = re.compile(r"(?im)^\s*(?:and copies to|copies to|copie à|копии)\s*:?\s*$")
# Words that make a line a post or an office rather than a person's name.
_OFFICE = re.compile(r"(?i)minist|president|prosecutor|general|office|commission|ambassador|"
                     r"embassy|court|chair|head|director|council|parliament|mission|ombuds|"
                     r"прокур|президент|министр|посол|суд")
MAX_ADDRESSEES = 30


def _is_name(line: str) -> bool:
    words = line.split()
    return (2 <= len(words) <= 4 and not _OFFICE.search(line)
            and all(word[:1].isupper() for word in words) and not any(c.isdigit() for c in line))


def addressee(block: str) -> FoundAddressee | None:
    plain: list[str] = []
    found = FoundAddressee(name="", redacted=redactions_in(block))
    for line in block.splitlines():
        line = squash(line)
        if not line:
            continue
        label = _LABEL.match(line)
        if label is None:
            plain.append(line)
            continue
        kind, value = label.group(1).lower(), label.group(2)
        if kind.startswith(("fax", "факс")):
            found.faxes += numbers_in(value)
        elif kind.startswith(("phone", "tel", "тел", "tél")):
            found.phones += numbers_in(value)
        elif kind.startswith(("salutation", "обращение", "formule")):
            found.salutation = value.strip()[:200] or None
        elif kind.startswith(("web", "online")):
            found.web_form = next(iter(urls_in(value)), None)
    found.emails = emails_in(block)
    if not plain:
        return None
    if len(plain) >= 2 and _is_name(plain[1]) and not _is_name(plain[0]):
        role, name, rest = plain[0], plain[1], plain[2:]  # "Prosecutor General" / "Name" / …
    elif _is_name(plain[0]) and len(plain) >= 2:
        name, role, rest = plain[0], plain[1], plain[2:]
    else:
        name, role, rest = plain[0], None, plain[1:]
    found.name, found.role = name[:200], role[:300] if role else None
    found.postal_address = ", ".join(rest)[:600] or None
    return found


def addressees(part: str) -> list[FoundAddressee]:
    part = _COPIES.sub("\n", part)
    blocks = re.split(r"\n[ \t\u00a0]*\n", part)
    found = [item for item in (addressee(block) for block in blocks) if item is not None]
    return [item for item in found if item.has_channel or item.salutation][:MAX_ADDRESSEES]
