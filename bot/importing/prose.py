"""Plain-text helpers for appeals: whitespace, paragraphs, sentences, the language."""

from __future__ import annotations

import re

_ABBREVIATIONS = {"mr", "ms", "mrs", "mme", "m", "dr", "st", "no", "art", "nos", "prof", "gen",
                  "mm", "messrs", "ул", "г", "ст", "им", "vs", "etc", "approx", "e.g", "i.e"}
_SENTENCE_END = re.compile(r"[.!?]['\"”»)]?\s+(?=[\"“«(]?[A-ZА-ЯЁ0-9])")
_FOOTNOTE = re.compile(r"\[\d{1,2}\]")


def squash(text: str) -> str:
    """One line: runs of whitespace become one space, footnote marks go."""
    return " ".join(_FOOTNOTE.sub("", text).split())


def paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines (a line of only spaces counts as blank)."""
    blocks = re.split(r"\n[ \t\u00a0]*\n", text)
    return [squash(block) for block in blocks if block.strip()]


def sentences(paragraph: str) -> list[str]:
    """``paragraph`` cut after each full stop that ends a sentence, not an abbreviation."""
    found, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        word = paragraph[start:match.start()].rsplit(" ", 1)[-1].lower().strip("(")
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        found.append(paragraph[start:match.start() + 1].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        found.append(tail)
    return found


def language_of(text: str) -> str:
    """en, fr or ru: the language most of ``text`` is in."""
    sample = text[:20_000]
    cyrillic = len(re.findall(r"[А-Яа-яЁё]", sample))
    latin = len(re.findall(r"[A-Za-z]", sample))
    if cyrillic > latin:
        return "ru"
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", sample.lower())
    french = sum(word in {"le", "la", "les", "des", "du", "et", "est", "une", "dans", "pour",
                          "qui", "sur", "au", "aux", "d'un", "l'observatoire"} for word in words)
    english = sum(word in {"the", "and", "of", "to", "in", "is", "was", "for", "on", "that",
                           "with", "her", "his"} for word in words)
    return "fr" if french > english else "en"


def title_case_caps(text: str) -> str:
    """NAZARBAEV → Nazarbaev; words with lower-case letters stay as written."""
    return " ".join(word.capitalize() if len(word) > 4 and word.isupper() else word
                    for word in text.split())


def tidy_item(text: str) -> str:
    """A list item as a sentence: no trailing "; and", one full stop."""
    text = squash(text)
    text = re.sub(r"(?:[;,]\s*(?:and|et|и)?|\s+(?:and|et|и))\s*$", "", text).strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text
