"""Translation at run time: catalogs compiled when missing or stale, plural rules per language,
dates and times through Babel, and the language of an update."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from telegram import Update

from bot import i18n, render
from bot.i18n import t, tn
from handlers.common import lang_of, set_lang

MARCH_4 = dt.datetime(2031, 3, 4, 5, 0, tzinfo=dt.UTC)  # 10:00 in Almaty (UTC+05:00)


@pytest.fixture
def locale_copy(tmp_path, monkeypatch):
    """The Russian catalog alone (no .mo) in a locale directory of its own."""
    target = tmp_path / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(i18n.catalog_path("ru"), target / f"{i18n.DOMAIN}.po")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._catalog.cache_clear()
    yield target
    i18n._catalog.cache_clear()


def test_a_missing_catalog_is_compiled_at_first_use(locale_copy):
    mo = locale_copy / f"{i18n.DOMAIN}.mo"
    assert not mo.exists()
    assert t("Nothing was sent.", "ru") == "Ничего не отправлено."
    assert mo.exists() and mo.stat().st_size > 0


def test_a_stale_catalog_is_compiled_again(locale_copy):
    assert t("Nothing was sent.", "ru") == "Ничего не отправлено."
    po = locale_copy / f"{i18n.DOMAIN}.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        'msgstr "Ничего не отправлено."', 'msgstr "Ничего не ушло."'), encoding="utf-8")
    later = os.stat(locale_copy / f"{i18n.DOMAIN}.mo").st_mtime + 10
    os.utime(po, (later, later))
    i18n._catalog.cache_clear()  # a new process
    assert t("Nothing was sent.", "ru") == "Ничего не ушло."


def test_a_read_only_package_still_translates(locale_copy, monkeypatch):
    def refuse(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(i18n, "_write_atomically", refuse)
    assert t("Nothing was sent.", "ru") == "Ничего не отправлено."
    assert not (locale_copy / f"{i18n.DOMAIN}.mo").exists()


def test_unknown_languages_and_texts_fall_back_to_english():
    assert t("Nothing was sent.", "de") == "Nothing was sent."
    assert t("A text no catalog has", "ru") == "A text no catalog has"
    assert t("Page {page} of {pages}.", "xx", page=1, pages=2) == "Page 1 of 2."


@pytest.mark.parametrize(("count", "russian"), [
    (1, "1 подписчик"), (2, "2 подписчика"), (4, "4 подписчика"), (5, "5 подписчиков"),
    (11, "11 подписчиков"), (12, "12 подписчиков"), (21, "21 подписчик"),
    (22, "22 подписчика"), (25, "25 подписчиков"), (111, "111 подписчиков"),
])
def test_russian_plurals_have_three_forms(count, russian):
    text = tn("<b>{count}</b> subscriber", "<b>{count}</b> subscribers", count, "ru")
    assert text.replace("<b>", "").replace("</b>", "") == russian


def test_kazakh_and_english_plurals():
    assert tn("{count} day", "{count} days", 1, "kk") == "1 күн"
    assert tn("{count} day", "{count} days", 7, "kk") == "7 күн"
    assert tn("in {count} hour", "in {count} hours", 2, "kk") == "2 сағаттан кейін"
    assert tn("{count} day", "{count} days", 1, "en") == "1 day"
    assert tn("{count} day", "{count} days", 21, "en") == "21 days"
    assert tn("in {count} day", "in {count} days", 21, "ru") == "через 21 день"


def test_dates_and_times_per_language():
    # CLDR joins "2031" and "г."/"ж." with a narrow no-break space (U+202F).
    assert render.format_local_time(MARCH_4, "Asia/Almaty") == "4 Mar 2031, 10:00 (UTC+05:00)"
    assert (render.format_local_time(MARCH_4, "Asia/Almaty", "ru")
            == "4 марта 2031\u202fг., 10:00 (UTC+05:00)")
    assert (render.format_local_time(MARCH_4, "Asia/Almaty", "kk")
            == "2031\u202fж. 4 наурыз, 10:00 (UTC+05:00)")
    assert render.format_day(dt.date(2017, 9, 29), "ru") == "29 сентября 2017\u202fг."
    assert render.format_day(dt.date(2017, 9, 29), "kk") == "2017\u202fж. 29 қыркүйек"
    assert render.format_day(dt.date(2017, 9, 29), "en") == "29 Sep 2017"
    assert render.format_day(dt.date(2017, 9, 29), "de") == "29 Sep 2017"
    assert render.format_clock(dt.time(9, 5), "kk") == "09:05"


def _update(update_id: int, language_code: str | None) -> Update:
    user = {"id": 7, "is_bot": False, "first_name": "A"}
    if language_code is not None:
        user["language_code"] = language_code
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"}, "from": user,
        "text": "hi"}}, None)


@pytest.mark.parametrize(("code", "language"), [
    ("ru", "ru"), ("ru-RU", "ru"), ("kk", "kk"), ("kk-KZ", "kk"), ("en-GB", "en"),
    ("de", "en"), ("uk", "en"), (None, "en"),
])
def test_lang_of_follows_the_telegram_client(code, language):
    assert lang_of(_update(1, code)) == language


def test_lang_of_takes_the_middlewares_answer_for_that_update_only():
    first, second = _update(1, "en"), _update(2, "en")
    set_lang(first, "kk")
    assert lang_of(first) == "kk"
    assert lang_of(second) == "en"  # a value left from another update is never reused
