"""The fonts a letter's PDF is printed with, which characters they can draw, and keeping the
PDF library's logs free of what is printed.

The bundled DejaVu fonts cover Latin, Cyrillic (Russian and Kazakh), Greek and more, not CJK
and most emoji. fpdf2 would print a missing character as nothing and log a warning that lists
it; a signature is checked against :func:`missing_glyphs` before its draft is made instead.
"""

from __future__ import annotations

import logging
import unicodedata
from functools import lru_cache
from pathlib import Path

import content.schema

FONTS_DIR = Path(content.schema.__file__).resolve().parent / "fonts"
REGULAR = FONTS_DIR / "DejaVuSans.ttf"
BOLD = FONTS_DIR / "DejaVuSans-Bold.ttf"

# fpdf2 warns "Font … is missing the following glyphs: <the characters>", and fontTools lists
# the glyphs it keeps at INFO and DEBUG: both would write a signature's letters into the log.
PDF_LOGGERS = ("fpdf", "fontTools")


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(REGULAR), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def missing_glyphs(text: str) -> str:
    """The distinct characters of ``text`` the letter font cannot draw, in order (line breaks
    and other control characters aside: they are never drawn)."""
    drawable = _drawable()
    missing: dict[str, None] = {}
    for char in text:
        if unicodedata.category(char) != "Cc" and ord(char) not in drawable:
            missing[char] = None
    return "".join(missing)


def quiet_pdf_library() -> None:
    """Keep fpdf2 and fontTools below ERROR out of every log (idempotent)."""
    for name in PDF_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
