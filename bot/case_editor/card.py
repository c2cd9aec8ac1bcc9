"""The draft as the coordinator sees it: every field with what it holds or that it is missing,
the import's notes, and the problems left before it can be published."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import Any

from bot.case_editor.fields import FIELDS, LANGUAGES
from bot.i18n import t
from bot.render import shorten_html_lines
from content.errors import ContentError
from content.schema import Authority

PREVIEW = 90  # characters of a long value shown on the card


def _short(value: str) -> str:
    value = " ".join(str(value).split())
    return escape(value if len(value) <= PREVIEW else value[:PREVIEW - 1] + "…")


def _value(data: dict[str, Any], name: str, authorities: dict[str, Any], lang: str) -> str:
    field = FIELDS[name]
    value = data.get(field.path)
    if field.per_language and name != "actions":
        value = value or {}
        shown = [f"{code}: {_short(value[code])}" for code in LANGUAGES if value.get(code)]
        return "; ".join(shown)
    if name == "actions":
        items = value or []
        if not items:
            return ""
        langs = "/".join(code for code in LANGUAGES if all(item.get(code) for item in items))
        return t("{count} ({languages})", lang, count=len(items), languages=langs or "—") + \
            "".join(f"\n   {index + 1}. {_short(next(iter(item.values())))}"
                    for index, item in enumerate(items))
    if name == "people":
        return "; ".join(_short(f"{p.get('name')} — {p.get('role') or '?'}") for p in value or [])
    if name == "timeline":
        return "".join(f"\n   {_short(e.get('date'))} · {_short(e.get('kind'))} · "
                       f"{_short(next(iter((e.get('text') or {'': ''}).values())))}"
                       for e in (value or [])[:6]) + (
            "\n   " + t("… and {count} more.", lang, count=len(value) - 6)
            if len(value or []) > 6 else "")
    if name == "sources":
        return "; ".join(_short(s.get("publisher") or "") for s in value or [])
    if name == "codes":
        return ", ".join(f"<code>{escape(code)}</code>" for code in value or [])
    return _short(value) if value else ""


_LANGUAGE_MISSING = re.compile(r"^the text in \w+ \((en|ru|kk): …\) is missing$")


def problem(error: ContentError, lang: str) -> str:
    """The schema's message; the two a draft has most, in the coordinator's language."""
    if error.message == "this required field is missing":
        return t("missing", lang)
    match = _LANGUAGE_MISSING.fullmatch(error.message)
    if match:
        return t("missing in {language}", lang, language=match.group(1))
    return escape(error.message)


def _channels(entry: dict[str, Any], *, new: bool) -> str:
    """How to reach an addressee, in one short line (a new one's role, post and salutation
    too: the coordinator checks what the import read)."""
    parts = [f"📠 {escape(fax)}" for fax in entry.get("faxes") or []]
    parts += [f"✉️ {escape(email)}" for email in entry.get("emails") or []]
    if new:
        parts += [f"☎️ {escape(phone)}" for phone in entry.get("phones") or []]
        marks = {"role": "👤", "postal_address": "🏢", "web_form": "🌐"}
        parts += [f"{mark} {_short(entry[name])}" for name, mark in marks.items()
                  if entry.get(name)]
        salutation = (entry.get("salutation") or {}).get("en")
        if salutation:
            parts.append(f"«{_short(salutation)}»")
    elif entry.get("postal_address"):
        parts.append("🏢")
    return " · ".join(parts)


def render(data: dict[str, Any], authorities: dict[str, Any], notes: list,
           directory: Mapping[str, Authority], errors: list[ContentError], lang: str, *,
           editing: str | None) -> str:
    head = (t("✏️ <b>Editing the case</b> <code>{slug}</code>", lang, slug=escape(editing))
            if editing else t("📝 <b>Draft case</b>", lang))
    lines = [head, ""]
    for name, field in FIELDS.items():
        value = _value(data, name, authorities, lang)
        mark = "✅" if value else "▫️"
        label, missing = t(field.label, lang), t("— missing", lang)
        lines.append(f"{mark} <b>{label}</b>: {value or missing}")
    keys = data.get("addressees") or []
    label, missing = t("Addressees", lang), t("— missing", lang)
    lines.append(f"{'✅' if keys else '▫️'} <b>{label}</b>: " + ("" if keys else missing))
    for key in keys:
        new = key in authorities
        entry = authorities[key] if new else (directory[key].model_dump() if key in directory
                                               else {})
        lines.append(f"   • {_short(entry.get('name') or key)} (<code>{escape(key)}</code>)"
                     + (" " + t("— new", lang) if new else ""))
        channels = _channels(entry, new=new)
        if channels:
            lines.append(f"      {channels}")
    if data.get("write_to_embassy"):
        lines.append(t("✅ Also asks supporters to write to the embassy in their country.",
                       lang))
    lines.append("")
    if errors:
        lines.append(t("<b>Before publishing</b> ({count}):", lang, count=len(errors)))
        lines += [f"• <code>{escape(error.field or '—')}</code>: {problem(error, lang)}"
                  for error in errors[:6]]
        if len(errors) > 6:
            lines.append(t("… and {count} more.", lang, count=len(errors) - 6))
    else:
        lines.append(t("✅ Ready to publish.", lang))
    if notes:
        lines += ["", t("<b>What the import found</b>", lang)]
        for msgid, values in notes:
            values = {key: ", ".join(escape(t(v, lang)) for v in value) if isinstance(value, list)
                      else escape(str(value)) for key, value in values.items()}
            lines.append("ℹ️ " + t(msgid, lang, **values))
    return shorten_html_lines(lines)
