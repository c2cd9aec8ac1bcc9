"""The fields the editor offers and how a typed text sets each one.

A typed value is applied to a copy of the draft and the copy checked with the case schema; if
the edited field itself has problems, the edit is refused with the schema's own messages and
the draft stays as it was. Other fields may still be missing: that is what a draft is for.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.case_editor.document import check, slugify
from bot.i18n import N_
from content.errors import ContentError
from content.schema import Authority

LANGUAGES = ("en", "ru", "kk")
CLEAR = "-"  # typing this clears an optional field


@dataclass(frozen=True)
class Field:
    name: str  # the editor's name (callback data)
    path: str  # where the schema reports it
    label: str  # msgid
    prompt: str  # msgid: what to type
    per_language: bool = False


FIELDS = {field.name: field for field in (
    Field("slug", "slug", N_("Slug (deep link)"),
          N_("Type the case's slug: letters, digits, - and _ (it is the deep link "
             "t.me/…?start=slug).")),
    Field("title", "title", N_("Title"), N_("Type the title."), per_language=True),
    Field("country", "country", N_("Country"), N_("Type the country.")),
    Field("people", "people", N_("People"),
          N_("Type one person per line: <code>Name — role</code>.")),
    Field("summary", "summary", N_("Summary"),
          N_("Type the summary (your own words, at least 20 characters)."), per_language=True),
    Field("codes", "codes", N_("Appeal codes"),
          N_("Type the appeal's codes, one per line (e.g. <code>UA 123/19</code>).")),
    Field("actions", "requested_actions", N_("Requested actions"),
          N_("Type the requested actions, one per line."), per_language=True),
    Field("about", "letter_about", N_("Letter: about whom"),
          N_("Type how a letter names the person, as after \"concerning\" (in Russian in the "
             "genitive)."), per_language=True),
    Field("concern", "letter_concern", N_("Letter: the concern"),
          N_("Type one sentence: why the writer is concerned."), per_language=True),
    Field("timeline", "timeline", N_("Timeline"),
          N_("Type an entry: <code>YYYY-MM-DD kind text</code> (the date as the source gives "
             "it: YYYY-MM or YYYY for a month or a year). Kinds: hearing, verdict, appeal, "
             "appeal_ruling, detention, charges, search, release, closure, other.")),
    Field("act_before", "act_before", N_("Act before"),
          N_("Type the date the appeal asks supporters to act by: <code>YYYY-MM-DD</code>.")),
    Field("timezone", "timezone", N_("Time zone"),
          N_("Type the time zone of the case's courts, e.g. <code>Asia/Almaty</code>.")),
    Field("sources", "sources", N_("Sources"),
          N_("Type one source per line: <code>Publisher | YYYY-MM-DD | URL</code> (the date "
             "and the URL only if the source gives them).")),
)}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _per_language(items: list[dict], lang: str, values: list[str]) -> list[dict]:
    """Set ``lang`` of each item from ``values`` (by position); more values add items, fewer
    drop the language from the rest (an item left empty goes)."""
    result = [dict(item) for item in items]
    for index, value in enumerate(values):
        if index < len(result):
            result[index][lang] = value
        else:
            result.append({lang: value})
    for item in result[len(values):]:
        item.pop(lang, None)
    return [item for item in result if item]


def _set(data: dict[str, Any], field: Field, lang: str | None, text: str) -> None:
    value: Any = None if text.strip() == CLEAR else text.strip()
    name = field.path
    if field.name in {"title", "summary", "about", "concern"}:
        texts = dict(data.get(name) or {})
        if value is None:
            texts.pop(lang, None)
        else:
            texts[lang] = " ".join(value.split())
        data[name] = texts
    elif field.name == "actions":
        data[name] = _per_language(data.get(name) or [], lang, [] if value is None
                                   else [re.sub(r"^\s*(?:\d{1,2}|[a-z])[.)]\s*", "", line)
                                         for line in _lines(value)])
    elif field.name == "people":
        people = []
        for line in _lines(value or ""):
            parts = re.split(r"\s+[—–-]\s+", line, maxsplit=1)
            person, role = parts[0], parts[1] if len(parts) > 1 else None
            people.append({"name": person, "role": role})
        data[name] = people
    elif field.name == "codes":
        data[name] = _lines(value or "")
    elif field.name == "sources":
        sources = []
        for line in _lines(value or ""):
            publisher, date, url = [*[part.strip() for part in line.split("|")], "", ""][:3]
            sources.append({"publisher": publisher, "date": date or None, "url": url or None})
        data[name] = sources
    elif field.name == "timeline":
        if value is None:
            return
        date, _, rest = value.partition(" ")
        kind, _, entry_text = rest.strip().partition(" ")
        entries = list(data.get(name) or [])
        key = slugify(f"{kind}-{date}") or "entry"
        taken = {entry.get("key") for entry in entries}
        number, base = 2, key
        while key in taken:
            key, number = f"{base}-{number}", number + 1
        entries.append({"key": key, "date": date, "kind": kind,
                        "text": {lang or "en": entry_text.strip()}, "source": 0})
        data[name] = entries
    else:
        data[name] = value


def apply(data: Mapping[str, Any], field_name: str, lang: str | None, text: str,
          directory: Mapping[str, Authority]) -> tuple[dict[str, Any], list[ContentError]]:
    """The draft with the typed ``text`` in the field, or the old draft and the edited field's
    problems."""
    field = FIELDS[field_name]
    edited = copy.deepcopy(dict(data))
    _set(edited, field, lang, text)
    _, errors = check(edited, directory)
    prefix = field.path
    if field.name == "timeline":  # only the new entry is this edit's
        prefix = f"timeline[{len(edited.get('timeline') or []) - 1}]"
    own = [error for error in errors
           if error.field == prefix or error.field.startswith((prefix + ".", prefix + "["))]
    if lang is not None and field.per_language:
        own = [error for error in own if error.field.endswith(f".{lang}")
               or not re.search(r"\.(en|ru|kk)$", error.field)]
        own = [error for error in own if "is missing" not in error.message]
    if own:
        return dict(data), own
    return edited, []


def remove_timeline_entry(data: Mapping[str, Any], index: int) -> dict[str, Any]:
    edited = copy.deepcopy(dict(data))
    entries = list(edited.get("timeline") or [])
    if 0 <= index < len(entries):
        del entries[index]
    edited["timeline"] = entries
    return edited


def toggle_addressee(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    edited = copy.deepcopy(dict(data))
    keys = list(edited.get("addressees") or [])
    edited["addressees"] = [k for k in keys if k != key] if key in keys else [*keys, key]
    return edited
