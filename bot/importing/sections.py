"""Where an appeal's parts are: the account of events, the requested actions, the addressees.

Headings are matched in English, French and Russian; a part whose heading is missing is simply
not found (the import says so) rather than guessed from the rest of the text.
"""

from __future__ import annotations

import re

from bot.importing.dates import DATE_PATTERN

ACTIONS_HEADING = re.compile(
    r"(?im)^[ \t]*(?:actions? requested|please write(?: immediately)?|write to the authorities"
    r"|take action|what you can do|actions? demandée?s?|merci d'écrire|prière d'écrire"
    r"|требуемые действия|что можно сделать|пожалуйста,? напишите|просим (?:вас )?написать)"
    r"[^\n]{0,160}")
# Where the list itself starts inside the actions part ("… asking them to:").
LIST_LEAD = re.compile(
    r"(?i)(?:asking (?:them|the authorities) to|calling on|urging them to|in your own language"
    r"|en (?:leur )?demandant de|leur demandant de|с призывом|призывая (?:их|власти)?)[^:\n]{0,80}:")
ADDRESS_HEADING = re.compile(
    r"(?im)^[ \t]*(?:addresses|adresses|адреса|please send appeals before[^\n]*?to"
    r"|send appeals (?:before [^\n]*?)?to|write to|écrire à|envoyer les appels[^\n]*?à"
    r"|направляйте обращения[^\n]*?)\s*:")
# Where the list of addressees ends.
ADDRESS_END = re.compile(
    r"(?im)^[ \t]*(?:please also write to the diplomatic|also send copies to diplomatic"
    r"|merci d'écrire également aux représentations|prière d'écrire également"
    r"|также напишите в посольство|\*\*\*|kindly inform us|please check with your section"
    r"|paris-(?:geneva|genève))")
ACT_BEFORE = re.compile(
    r"(?i)(?:send appeals before|appeals? (?:must be sent )?before|as soon as possible until"
    r"|take action before|avant le|до)\s*:?\s*(?:the\s+)?(" + DATE_PATTERN + ")")
EMBASSY = re.compile(
    r"(?i)diplomatic (?:mission|representatives)|embassy of [A-Z][a-z]+ in your"
    r"|représentations? diplomatiques?|ambassade|посольств")


def _span_after(heading: re.Pattern[str], text: str, start: int = 0) -> int | None:
    match = heading.search(text, start)
    return match.end() if match else None


def actions_part(text: str) -> str | None:
    """The text of the requested actions, up to the addressees (or the end)."""
    match = ACTIONS_HEADING.search(text)
    if match is None:
        return None
    start = match.start()
    lead = LIST_LEAD.search(text, start, start + 600)
    begin = lead.end() if lead else match.end()
    end_match = ADDRESS_HEADING.search(text, begin)
    end = end_match.start() if end_match else len(text)
    stop = ADDRESS_END.search(text, begin, end)
    return text[begin:stop.start() if stop else end]


def narrative_part(text: str) -> str:
    """The account of what happened: everything before the requested actions."""
    match = ACTIONS_HEADING.search(text)
    return text[:match.start()] if match else text


def addresses_part(text: str) -> str | None:
    begin = _span_after(ADDRESS_HEADING, text)
    if begin is None:
        return None
    stop = ADDRESS_END.search(text, begin)
    return text[begin:stop.start() if stop else len(text)]


_ITEM_MARK = re.compile(r"(?m)^[ \t\u00a0]*(?:\(?(?:[ivx]{1,5}|[a-h]|\d{1,2})[.)]|[-–•·*▪●■])"
                        r"(?=[ \t\u00a0\n])")


def list_items(part: str) -> list[str]:
    """The items of a numbered, lettered or bulleted list (its marks dropped)."""
    marks = list(_ITEM_MARK.finditer(part))
    items = []
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(part)
        items.append(part[mark.end():end])
    return items
