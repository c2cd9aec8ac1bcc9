"""The one translation function every user-visible text goes through.

gettext-style: the English text is the message id, so a missing catalog falls back to English.
Catalogs live in bot/locale/<lang>/LC_MESSAGES/appeal_bot.mo; only English ships for now, and it
needs no catalog. Adding a language means adding a catalog, not touching handlers.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from content.languages import DEFAULT_LANGUAGE

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "appeal_bot"


def N_(message: str) -> str:
    """Mark a text for extraction where it is defined; translate it with t() where it is shown."""
    return message


@lru_cache(maxsize=16)
def _catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def t(message: str, language: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """Translate ``message`` and fill ``{placeholders}`` from ``values``."""
    text = _catalog(language).gettext(message)
    return text.format(**values) if values else text


def tn(singular: str, plural: str, count: int, language: str = DEFAULT_LANGUAGE, /,
       **values: object) -> str:
    text = _catalog(language).ngettext(singular, plural, count)
    return text.format(count=count, **values)
