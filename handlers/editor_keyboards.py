"""The case editor's and the importer's inline keyboards and callback data.

``ce:<action>[:<arg>[:<arg>]]``: v (show the draft), f:<field>, l:<field>:<lang>,
a:<page> (addressee picker), t:<key> (toggle an addressee), n (new authority),
w:<key> (complete a new authority), e (embassy on/off), r:<index> (remove a timeline entry),
p (publish), x (discard). ``ci:d`` — the paste is complete, ``ci:o:<n>`` — draft appeal n of it.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.case_editor.fields import FIELDS, LANGUAGES
from bot.i18n import t
from handlers.keyboards import button

EDITOR = "ce"
IMPORT = "ci"
PAGE_SIZE = 8
_EDITOR_RE = re.compile(r"^ce:([a-z])(?::([a-z0-9_-]{1,48}))?(?::([a-z]{2}))?$", re.ASCII)
_IMPORT_RE = re.compile(r"^ci:(d|c|o)(?::(\d{1,2}))?$", re.ASCII)


def parse_editor(data: str | None) -> tuple[str, str | None, str | None] | None:
    match = _EDITOR_RE.fullmatch(data or "")
    return match.groups() if match else None  # type: ignore[return-value]


def parse_import(data: str | None) -> tuple[str, int | None] | None:
    match = _IMPORT_RE.fullmatch(data or "")
    if match is None:
        return None
    return match.group(1), int(match.group(2)) if match.group(2) else None


def editor_keyboard(lang: str, *, new_authorities: list[tuple[str, str]], appeals: int = 0
                    ) -> InlineKeyboardMarkup:
    fields = [button(t(field.label, lang), EDITOR, "f", name) for name, field in FIELDS.items()]
    rows = [fields[index:index + 3] for index in range(0, len(fields), 3)]
    rows.append([button(t("📮 Addressees", lang), EDITOR, "a", 0),
                 button(t("🏛 Embassy on/off", lang), EDITOR, "e")])
    rows += [[button(t("✏️ Complete {name}", lang, name=name[:30]), EDITOR, "w", key)]
             for key, name in new_authorities[:5]]
    if appeals > 1:  # a paste that held several appeals: open another of them
        rows.append([button(t("Appeal {number}", lang, number=index + 1), IMPORT, "o", index)
                     for index in range(min(appeals, 8))])
    rows.append([button(t("🚀 Publish", lang), EDITOR, "p"),
                 button(t("🗑 Discard", lang), EDITOR, "x")])
    return InlineKeyboardMarkup(rows)


def language_keyboard(field: str, lang: str) -> InlineKeyboardMarkup:
    names = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
    return InlineKeyboardMarkup([[button(names[code], EDITOR, "l", field, code)
                                  for code in LANGUAGES],
                                 [button(t("⬅️ Back to the draft", lang), EDITOR, "v")]])


def back_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("⬅️ Back to the draft", lang), EDITOR, "v")]])


def timeline_keyboard(count: int, lang: str) -> InlineKeyboardMarkup:
    removes = [button(t("🗑 {number}", lang, number=index + 1), EDITOR, "r", index)
               for index in range(min(count, 40))]
    rows = [removes[index:index + 5] for index in range(0, len(removes), 5)]
    rows.append([button(t("⬅️ Back to the draft", lang), EDITOR, "v")])
    return InlineKeyboardMarkup(rows)


def addressee_keyboard(items: list[tuple[str, str, bool]], page: int, pages: int,
                       lang: str) -> InlineKeyboardMarkup:
    """items: (key, name, chosen) on this page."""
    rows = [[button(("✅ " if chosen else "▫️ ") + name[:50], EDITOR, "t", key)]
            for key, name, chosen in items]
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(button(t("◀️ Previous", lang), EDITOR, "a", page - 1))
    if page + 1 < pages:
        nav.append(button(t("Next ▶️", lang), EDITOR, "a", page + 1))
    if nav:
        rows.append(nav)
    rows.append([button(t("➕ New authority", lang), EDITOR, "n"),
                 button(t("⬅️ Back to the draft", lang), EDITOR, "v")])
    return InlineKeyboardMarkup(rows)


def paste_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t("✅ Done", lang), IMPORT, "d"),
                                  button(t("✖️ Cancel", lang), IMPORT, "c")]])
