"""The Russian and Kazakh catalogs are complete, keep every placeholder and stay valid Telegram HTML,
and the .pot holds exactly the texts the code marks — so a new text without translation fails here.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot import i18n, wizard
from bot.i18n import t
from bot.letters import SignatureError, clean_signature
from bot.sandbox.formatting import EntityParseError, parse_html
from content.languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES
from handlers import privacy
from handlers.command_table import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
POT = i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot"
TRANSLATED = [code for code in INTERFACE_LANGUAGES if code != DEFAULT_LANGUAGE]
# The tags Telegram's HTML parse mode knows (span/tg-emoji need attributes we never use).
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "tg-spoiler", "blockquote"}
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")


def _read(path: Path):
    with path.open("rb") as source:
        return read_po(source)


def _key(message) -> str:
    return message.id[0] if message.pluralizable else message.id


def _entries(catalog) -> dict[str, object]:
    return {_key(message): message for message in catalog if message.id}


POT_ENTRIES = _entries(_read(POT))
CATALOGS = {code: _read(i18n.catalog_path(code)) for code in TRANSLATED}


def _ids(message) -> list[str]:
    return list(message.id) if message.pluralizable else [message.id]


def _forms(message) -> list[str]:
    if message.pluralizable:
        return list(message.string)
    return [message.string]


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def filled(text: str) -> str:
    """The text with each placeholder replaced, as t() does: fails on a stray brace."""
    return text.format(**{name: "x" for name in placeholders(text)})


def tags(text: str) -> Counter:
    """How often each tag opens ("b") and closes ("/b") in ``text``."""
    return Counter(("/" if match.group(0).startswith("</") else "") + match.group(1).lower()
                   for match in _TAG.finditer(text))


def test_the_pot_is_up_to_date_with_the_code():
    """`make i18n` was run: the .pot lists exactly the texts the code passes to t/tn/N_."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    extracted = {message if isinstance(message, str) else message[0]
                 for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map)}
    assert extracted, "extraction found no texts at all"
    missing = sorted(extracted - set(POT_ENTRIES))
    stale = sorted(set(POT_ENTRIES) - extracted)
    assert not missing, f"texts not in the .pot (run `make i18n`, then translate): {missing}"
    assert not stale, f"texts in the .pot the code no longer uses (run `make i18n`): {stale}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_is_translated(language):
    entries = _entries(CATALOGS[language])
    assert set(entries) == set(POT_ENTRIES), "the .po is not merged with the .pot (make i18n)"
    untranslated = [key for key, message in entries.items()
                    if not all(form.strip() for form in _forms(message))]
    fuzzy = [key for key, message in entries.items() if message.fuzzy]
    assert not untranslated, f"{language}: untranslated: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy (review the translation, drop the flag): {fuzzy}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_rules_and_forms_follow_the_language(language):
    catalog = CATALOGS[language]
    rule = get_plural(language)
    assert catalog.num_plurals == rule.num_plurals
    assert catalog.plural_expr.replace(" ", "") == rule.plural_expr.replace(" ", "")
    for key, message in _entries(catalog).items():
        if message.pluralizable:
            assert len(message.string) == rule.num_plurals, f"{language}: {key!r}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language):
    for key, message in _entries(CATALOGS[language]).items():
        expected = set().union(*(placeholders(text) for text in _ids(message)))
        for form in _forms(message):
            assert placeholders(form) == expected, f"{language}: {key!r} → {form!r}"
            filled(form)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_are_valid_telegram_html_with_the_same_tags(language):
    for key, message in _entries(CATALOGS[language]).items():
        english = tags(_ids(message)[0])
        for form in _forms(message):
            found = tags(form)
            assert {name.lstrip("/") for name in found} <= TELEGRAM_TAGS, f"{language}: {form!r}"
            assert found == english, f"{language}: tags differ from the English: {key!r}"
            try:
                parse_html(filled(form))
            except EntityParseError as error:
                pytest.fail(f"{language}: {form!r} is not valid Telegram HTML: {error}")


def test_the_html_checks_can_fail():
    """The checks above catch what they are for."""
    with pytest.raises(EntityParseError):
        parse_html(filled("<b>{title}</i>"))
    with pytest.raises(EntityParseError):
        parse_html("Fish & chips")
    assert tags("<b>x</b> <code>y</code>") != tags("<b>x</b> y")
    assert placeholders("{who} and {n}") != placeholders("{who} и {count}")
    with pytest.raises((ValueError, IndexError)):
        filled("{who} {")


@pytest.mark.parametrize("language", TRANSLATED)
def test_texts_defined_in_tables_reach_the_catalog(language):
    """Texts passed around as variables are marked with N_() and translated where shown."""
    table_texts = [text for command in COMMANDS
                   for text in (command.menu, command.help, command.usage) if text]
    tables = [privacy.PRIVACY, *wizard.REFUSALS.values(), *wizard.CHANNEL_LABELS, *table_texts]
    for text in tables:
        assert text in POT_ENTRIES, text
        assert t(text, language) != text, f"{language}: {text!r} is shown in English"
    for channel in ("email", "fax", "post", "web"):
        assert wizard.channel_name(channel, language) != wizard.channel_name(channel, "en")
    for typed in ("", "J" * 200, "Jane, " + "B" * 200, "Jane\u202e Doe"):
        with pytest.raises(SignatureError) as error:
            clean_signature(typed)
        outcome = wizard.Outcome("refuse", reason="bad_signature", message=error.value.message,
                                 values=error.value.values)
        assert error.value.message in POT_ENTRIES
        assert wizard.refusal_text(outcome, "en") == str(error.value)
        assert wizard.refusal_text(outcome, language) != str(error.value)
