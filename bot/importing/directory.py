"""Matching an appeal's addressees to the authorities the bot already knows, so a known
authority is reused (with its checked address and salutation) instead of added twice.

An addressee is the directory's authority when they share an e-mail or a fax number, or when
the names are close enough (difflib, on names folded to letters)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from bot.importing.channels import digits
from bot.importing.found import FoundAddressee
from content.schema import Authority

NAME_SIMILARITY = 0.85


def _folded(name: str) -> str:
    return re.sub(r"[^a-zа-яё]", "", name.lower().replace("y", "i").replace("ё", "е"))


def match(addressee: FoundAddressee, directory: Mapping[str, Authority]) -> str | None:
    """The key of the directory's authority ``addressee`` is, or None."""
    emails = {email.lower() for email in addressee.emails}
    faxes = {digits(fax) for fax in addressee.faxes}
    for key, authority in directory.items():
        if emails & {email.lower() for email in authority.emails}:
            return key
        if faxes & {digits(fax) for fax in authority.faxes}:
            return key
    wanted = _folded(addressee.name)
    best, best_ratio = None, NAME_SIMILARITY
    for key, authority in directory.items():
        for name in (authority.name, authority.name_ru or ""):
            ratio = difflib.SequenceMatcher(None, wanted, _folded(name)).ratio() if name else 0.0
            if ratio >= best_ratio:
                best, best_ratio = key, ratio
    return best


def match_all(addressees: list[FoundAddressee], directory: Mapping[str, Authority]) -> None:
    """Set ``known_key`` on each addressee the directory has (each authority used once)."""
    used: set[str] = set()
    for addressee in addressees:
        key = match(addressee, {k: v for k, v in directory.items() if k not in used})
        addressee.known_key = key
        if key is not None:
            used.add(key)
