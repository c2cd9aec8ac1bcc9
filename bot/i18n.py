"""The one translation function every user-visible text goes through.

gettext-style: the English text is the message id, so English needs no catalog and a text
missing from a catalog falls back to English. Catalogs are Babel/gettext files in
``bot/locale/<lang>/LC_MESSAGES/appeal_bot.po``; the install step (``make``, the Dockerfile)
compiles them to ``.mo``. A checkout installed some other way still works: a missing or stale
``.mo`` is compiled from its ``.po`` at first use (in memory when the directory is read-only).
"""

from __future__ import annotations

import gettext
import io
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from content.languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "appeal_bot"


def N_(message: str) -> str:
    """Mark a text for extraction where it is defined; translate it with t() where it is shown."""
    return message


def catalog_path(language: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def compile_catalog(po_path: Path) -> bytes:
    """The .mo bytes of a .po file (fuzzy entries left out, as ``pybabel compile`` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as source:
        catalog = read_po(source, locale=po_path.parent.parent.name, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    # Several processes may start at once: each writes its own file and renames it into place.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as target:
            target.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _load(language: str) -> gettext.NullTranslations:
    po_path, mo_path = catalog_path(language), catalog_path(language, ".mo")
    if not po_path.exists():
        return gettext.NullTranslations()
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as compiled:
            return gettext.GNUTranslations(compiled)
    data = compile_catalog(po_path)
    try:
        _write_atomically(mo_path, data)
    except OSError as error:  # an installed, read-only package: keep it in memory only
        log.info("could not write %s (%s); using the catalog compiled in memory", mo_path,
                 error.strerror or error)
    return gettext.GNUTranslations(io.BytesIO(data))


@lru_cache(maxsize=len(INTERFACE_LANGUAGES) + 1)
def _catalog(language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE or language not in INTERFACE_LANGUAGES:
        return gettext.NullTranslations()
    return _load(language)


def warm_up() -> None:
    """Load every interface language's catalog and Babel's data for it now, at start-up: each
    is read from disk the first time it is used (Babel's locale data takes tens of ms), and
    the first people to write after a start should not wait for that."""
    from babel import Locale

    for language in INTERFACE_LANGUAGES:
        _catalog(language)
        Locale.parse(language).date_formats  # noqa: B018 (the lookup loads the data)


def t(message: str, language: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """Translate ``message`` and fill ``{placeholders}`` from ``values``."""
    text = _catalog(language).gettext(message)
    return text.format(**values) if values else text


def tn(singular: str, plural: str, count: int, language: str = DEFAULT_LANGUAGE, /,
       **values: object) -> str:
    """The form of ``singular``/``plural`` the language's plural rules give for ``count``."""
    text = _catalog(language).ngettext(singular, plural, count)
    return text.format(count=count, **values)
