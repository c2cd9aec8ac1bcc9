"""Every message the bot sends fits Telegram's limits: one fitting step for all of them.

Telegram counts a message's text after parsing its HTML, in UTF-16 code units: 4096 for a text,
1024 for a caption. :func:`fit_html` leaves a text that fits alone; a longer one is cut — after
a whole line when that keeps at least half of what fits, else after a whole word, else inside
the word — and ends with "…", with every tag still open at the cut closed again, so the result
is valid HTML that Telegram accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

TEXT_LIMIT = 4096  # a message's text, counted after entity parsing
CAPTION_LIMIT = 1024  # a document's caption, counted the same way
CALLBACK_ANSWER_LIMIT = 200  # the popup answering a button press (plain text)
ELLIPSIS = "…"

_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|\w{2,31});")


def units(text: str) -> int:
    """Length in UTF-16 code units, the measure of Telegram's limits."""
    return len(text.encode("utf-16-le")) // 2


def telegram_length(html: str) -> int:
    """How long Telegram counts a piece of our HTML: text only, in UTF-16 code units."""
    return units(unescape(re.sub(r"<[^>]*>", "", html)))


@dataclass(frozen=True)
class _Atom:
    raw: str
    size: int  # UTF-16 units it shows as (0 for a tag)
    tag: str | None = None  # the tag's name, for tags
    closing: bool = False


def _atoms(html: str) -> list[_Atom]:
    """Tags, entities and single characters, in order."""
    atoms: list[_Atom] = []
    position = 0
    for match in _TOKEN.finditer(html):
        atoms += [_Atom(char, units(char)) for char in html[position:match.start()]]
        if match.group(2):
            atoms.append(_Atom(match.group(0), 0, match.group(2).lower(), bool(match.group(1))))
        else:
            atoms.append(_Atom(match.group(0), units(unescape(match.group(0)))))
        position = match.end()
    atoms += [_Atom(char, units(char)) for char in html[position:]]
    return atoms


def _open_tags(atoms: list[_Atom]) -> list[_Atom]:
    stack: list[_Atom] = []
    for atom in atoms:
        if atom.tag is None:
            continue
        if not atom.closing:
            stack.append(atom)
            continue
        names = [open_atom.tag for open_atom in stack]
        if atom.tag in names:  # close it and anything left open inside it
            del stack[len(names) - 1 - names[::-1].index(atom.tag):]
    return stack


def fit_html(html: str, limit: int = TEXT_LIMIT) -> str:
    """``html`` itself if Telegram's ``limit`` holds it; else its longest start that fits, cut
    at a line or a word, tags closed, ending with "…"."""
    if telegram_length(html) <= limit:
        return html
    atoms = _atoms(html)
    budget = limit - units("\n" + ELLIPSIS)
    size, cut, line_cut, word_cut = 0, len(atoms), None, None
    for index, atom in enumerate(atoms):
        if size + atom.size > budget:
            cut = index
            break
        if atom.raw == "\n":
            line_cut = (index, size)
        elif atom.raw.isspace():
            word_cut = (index, size)
        size += atom.size
    ending = ELLIPSIS
    if line_cut is not None and line_cut[1] >= budget // 2:
        cut, ending = line_cut[0], "\n" + ELLIPSIS
    elif word_cut is not None and word_cut[1] >= budget // 2:
        cut = word_cut[0]
    kept = atoms[:cut]
    while kept and (kept[-1].raw.isspace() or (kept[-1].tag and not kept[-1].closing)):
        kept.pop()  # no trailing space before "…", no tag opened just to be closed
    closing = "".join(f"</{atom.tag}>" for atom in reversed(_open_tags(kept)))
    return "".join(atom.raw for atom in kept) + closing + ending


def fit_plain(text: str, limit: int = CALLBACK_ANSWER_LIMIT) -> str:
    """Plain text (no HTML) within ``limit`` UTF-16 units, cut after a word with "…"."""
    if units(text) <= limit:
        return text
    cut = text[:limit - 1]
    while units(cut) > limit - 1:
        cut = cut[:-1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rfind(" ")]
    return cut.rstrip() + ELLIPSIS
