"""The one registry of languages: the interface, the letters and the case files all use it.

``interface`` languages have a gettext catalog (English needs none: it is the message id);
``letter`` languages have a letter template in ``content/letters/``. A case text is required in
English and may be given in any registered language; readers get the closest one through
:func:`fallback_chain`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, for buttons
    interface: bool
    letter: bool
    fallbacks: tuple[str, ...]  # tried in order after the language itself


DEFAULT_LANGUAGE = "en"

LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", interface=True, letter=True, fallbacks=("ru",)),
    "ru": Language("ru", "Русский", interface=True, letter=True, fallbacks=("en",)),
    "kk": Language("kk", "Қазақша", interface=True, letter=False, fallbacks=("ru", "en")),
}

INTERFACE_LANGUAGES = tuple(code for code, lang in LANGUAGES.items() if lang.interface)
LETTER_LANGUAGES = tuple(code for code, lang in LANGUAGES.items() if lang.letter)
CONTENT_LANGUAGES = tuple(LANGUAGES)


def fallback_chain(code: str | None) -> tuple[str, ...]:
    """The language itself, then its fallbacks, ending in English: kk → ru → en."""
    language = LANGUAGES.get(code or "") or LANGUAGES[DEFAULT_LANGUAGE]
    chain = (language.code, *language.fallbacks, DEFAULT_LANGUAGE)
    return tuple(dict.fromkeys(chain))


def from_telegram(language_code: str | None) -> str:
    """Telegram's ``language_code`` (``ru``, ``ru-RU``, ``kk``…) → an interface language."""
    head = (language_code or "").split("-")[0].lower()
    return head if head in INTERFACE_LANGUAGES else DEFAULT_LANGUAGE
