"""The pure parts of coordination: reading dates, ids and text at the boundary, rendering each
broadcast kind's alert from its payload. Plain unit tests."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.alert_texts import AlertKind
from bot.coordination.hearings import render_cancelled, render_postponed, render_scheduled
from bot.coordination.registry import BROADCAST_KINDS
from bot.coordination.updates import render_closed, render_news, render_outcome
from bot.parsing import (
    DB_ID_MAX,
    TELEGRAM_ID_MAX,
    InputError,
    clean_text,
    event_number,
    parse_db_id,
    parse_moment,
    parse_page,
    parse_slug,
    parse_user_id,
    shown,
    split_when,
)
from bot.sandbox import parse_html

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def moment(date_text: str, time_text: str, zone: str = "Asia/Almaty") -> dt.datetime:
    return parse_moment(date_text, time_text, zone, now=NOW)


def refusal(date_text: str, time_text: str, zone: str = "Europe/Berlin") -> str:
    with pytest.raises(InputError) as error:
        parse_moment(date_text, time_text, zone, now=NOW)
    parse_html(error.value.text)  # the explanation itself is valid Telegram HTML
    return error.value.text


def test_local_time_uses_the_case_time_zone():
    assert moment("2030-12-01", "10:00") == dt.datetime(2030, 12, 1, 5, 0, tzinfo=UTC)
    assert moment("2030-07-01", "10:00", "Europe/Berlin") == dt.datetime(
        2030, 7, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("time_text", "expected_hour", "expected_minute"), [
    ("10:00+06:00", 4, 0), ("10:00+0600", 4, 0), ("10:00+6", 4, 0), ("10:00-03:30", 13, 30),
    ("10:00Z", 10, 0), ("10:00utc", 10, 0), ("9:05", 4, 5), ("10:00+14:00", 20, 0),
])
def test_an_explicit_offset_wins(time_text, expected_hour, expected_minute):
    expected = dt.datetime(2030, 12, 1, expected_hour, expected_minute, tzinfo=UTC)
    if time_text == "10:00+14:00":
        expected -= dt.timedelta(days=1)
    assert moment("2030-12-01", time_text) == expected


@pytest.mark.parametrize(("date_text", "time_text", "message"), [
    ("2030-02-30", "10:00", "not a real date"),
    ("2030-12-01", "25:00", "not a real date"),
    ("01.12.2030", "10:00", "could not read"),
    ("2030-12-01", "10am", "could not read"),
    ("2030-12-01", "10:00+15:00", "not a UTC offset"),
    ("2030-12-01", "10:00+05:60", "not a UTC offset"),
    ("2030-03-31", "02:30", "does not exist in Europe/Berlin"),  # the spring clock change
    ("٢٠٣٠-١٢-٠١", "10:00", "could not read"),  # Arabic-Indic digits
    ("２０３０-12-01", "10:00", "could not read"),  # full-width digits
    ("2030-12-01", "١٠:٠٠", "could not read"),
])
def test_bad_dates_are_explained(date_text, time_text, message):
    assert message in refusal(date_text, time_text)


def test_an_ambiguous_local_time_is_refused_with_both_offsets():
    text = refusal("2028-10-29", "02:30")  # Berlin's clocks go back from 03:00 to 02:00
    assert "happens twice in Europe/Berlin" in text
    assert "02:30+02:00" in text and "02:30+01:00" in text
    # With an offset it is one moment.
    assert parse_moment("2028-10-29", "02:30+01:00", "Europe/Berlin", now=NOW) == dt.datetime(
        2028, 10, 29, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(("date_text", "time_text"), [
    ("9999-12-31", "23:59Z"), ("9999-12-31", "23:59-12:00"), ("9999-12-31", "23:59"),
    ("2036-03-01", "12:01Z"), ("2037-01-01", "00:00"),
])
def test_more_than_ten_years_ahead_is_refused_and_the_limit_stated(date_text, time_text):
    text = refusal(date_text, time_text)
    assert "more than 10 years ahead" in text and "1 Mar 2036" in text


@pytest.mark.parametrize(("date_text", "time_text"), [
    ("0001-01-01", "00:00"), ("0001-01-01", "00:00+14:00"), ("1900-01-01", "10:00"),
    ("2026-03-01", "12:00Z"), ("2025-06-01", "10:00"),
])
def test_the_past_is_refused(date_text, time_text):
    text = refusal(date_text, time_text, "Asia/Almaty")
    assert "in the past" in text and "0748" not in text  # no local mean time of 1900


def test_the_window_reaches_exactly_ten_years_ahead():
    assert parse_moment("2036-03-01", "12:00Z", "UTC", now=NOW) == dt.datetime(
        2036, 3, 1, 12, 0, tzinfo=UTC)
    leap = dt.datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    assert parse_moment("2038-02-28", "12:00Z", "UTC", now=leap).year == 2038


def test_split_when_accepts_a_space_or_a_t():
    assert split_when(["2030-12-01", "10:00", "City", "Court"]) == (
        "2030-12-01", "10:00", ["City", "Court"])
    assert split_when(["2030-12-01T10:00+06:00", "Court"]) == ("2030-12-01", "10:00+06:00",
                                                               ["Court"])
    assert split_when(["2030-12-01"]) is None
    assert split_when([]) is None


def test_ids_are_ascii_digits_within_their_range():
    assert parse_db_id("12") == 12 and parse_db_id(str(DB_ID_MAX)) == DB_ID_MAX
    for bad in (None, "", "0", "-3", "+3", "#12", " 12", "abc", "1e3", "١", "１", "۱", "१",
                str(DB_ID_MAX + 1), "9" * 30, "9" * 100):
        assert parse_db_id(bad) is None, bad
    assert event_number("#12") == 12 and event_number("99999999999") == 99999999999
    assert event_number("١") is None and event_number("#") is None and event_number(None) is None
    assert parse_user_id(str(TELEGRAM_ID_MAX)) == TELEGRAM_ID_MAX
    for bad in (str(TELEGRAM_ID_MAX + 1), str(2**63 - 1), "0", "１２３", "#5"):
        assert parse_user_id(bad) is None, bad
    assert parse_page("0") == 0 and parse_page("10001") is None and parse_page("٣") is None


def test_slugs_follow_the_case_files():
    assert parse_slug("kharkova") == "kharkova" and parse_slug(" kharkova ") == "kharkova"
    for bad in ("kharkova\x00", "khar\nkova", "", "a" * 65, "khar kova", "харькова", None):
        assert parse_slug(bad) is None, bad


def test_clean_text_keeps_line_breaks_and_refuses_control_characters():
    assert clean_text("  one\r\ntwo\rthree\tfour  ", "en", limit=100) == "one\ntwo\nthree\tfour"
    kept = "emoji \U0001F468\u200d\U0001F469 and \u200fArabic\u200e marks"  # format chars
    assert clean_text(kept, "en", limit=100) == kept
    for char, code in (("\x00", "U+0000"), ("\x07", "U+0007"), ("\x1b", "U+001B"),
                       ("\x85", "U+0085"), ("\ud800", "U+D800")):
        with pytest.raises(InputError) as error:
            clean_text(f"before{char}after", "en", limit=100)
        assert code in error.value.text
    with pytest.raises(InputError) as error:
        clean_text("x" * 101, "en", limit=100)
    assert "at most 100" in error.value.text


def test_shown_makes_what_was_typed_safe_to_quote():
    assert shown("<b>kharkova\x00</b>") == "&lt;b&gt;kharkova\N{REPLACEMENT CHARACTER}&lt;/b&gt;"
    assert len(shown("x" * 500)) <= 64


@given(st.text(max_size=40), st.text(max_size=40), st.sampled_from(
    ["Asia/Almaty", "Europe/Berlin", "UTC", "America/New_York", "Pacific/Kiritimati"]))
def test_parse_moment_never_raises_anything_else(date_text, time_text, zone):
    try:
        result = parse_moment(date_text, time_text, zone, now=NOW)
    except InputError as error:
        parse_html(error.text)
    else:
        assert result.utcoffset() == dt.timedelta(0) and NOW < result


@given(st.integers(min_value=1, max_value=9999), st.integers(1, 12), st.integers(1, 28),
       st.integers(0, 23), st.integers(0, 59),
       st.sampled_from(["", "Z", "+14:00", "-12:00", "+05:45"]))
def test_no_date_of_the_calendar_overflows(year, month, day, hour, minute, offset):
    try:
        parse_moment(f"{year:04d}-{month:02d}-{day:02d}", f"{hour:02d}:{minute:02d}{offset}",
                     "Asia/Almaty", now=NOW)
    except InputError as error:
        assert error.usage


# ------------------------------------------------------------------------ broadcast kinds

MOMENT = "2030-12-01T05:00:00+00:00"


def payloads(typed: str, title: str) -> dict[AlertKind, dict]:
    hearing = {"case_title": title, "hearing_kind": AlertKind.APPEAL_HEARING,
               "timezone": "Asia/Almaty", "event_id": 1, "old_starts_at": MOMENT}
    return {
        AlertKind.HEARING: hearing | {"hearing_kind": AlertKind.HEARING, "starts_at": MOMENT,
                                      "place": typed, "action": {"en": typed}},
        AlertKind.APPEAL_HEARING: hearing | {"starts_at": MOMENT, "place": typed,
                                             "action": {}},
        AlertKind.POSTPONED: hearing | {"starts_at": MOMENT, "place": typed},
        AlertKind.CANCELLED: hearing,
        AlertKind.OUTCOME: hearing | {"day": "2030-12-01", "starts_at": None, "outcome": typed},
        AlertKind.NEWS: {"case_title": title, "news": typed},
        AlertKind.CLOSED: {"case_title": title, "note": typed},
    }


def test_every_kind_has_one_entry():
    assert set(BROADCAST_KINDS) == set(AlertKind)
    assert all(kind.name == name for name, kind in BROADCAST_KINDS.items())


_TYPED = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
                 max_size=300)


@given(_TYPED, _TYPED)
def test_every_alert_escapes_what_people_typed(typed, title):
    for kind, payload in payloads(typed, title).items():
        plain, _ = parse_html(BROADCAST_KINDS[kind].render(payload, "en"))  # raises on bad HTML
        assert title.strip() in plain
        if kind != AlertKind.CANCELLED:  # the cancellation has no free text
            assert typed.strip() in plain


def test_renders_say_what_when_where_and_what_to_do():
    sample = payloads("Shymkent City Court", "A & B")
    text = render_scheduled(sample[AlertKind.HEARING], "en")
    assert "Hearing scheduled</b> — A &amp; B" in text
    assert "1 Dec 2030, 10:00 (UTC+05:00)" in text and "Shymkent City Court" in text
    assert "What you can do now:</b> Shymkent City Court" in text and "Write a letter" in text
    text = render_scheduled(sample[AlertKind.APPEAL_HEARING] | {"place": None}, "en")
    assert "Appeal hearing scheduled" in text and "not announced yet" in text
    assert "What you can do now" not in text
    assert "Appeal hearing postponed" in render_postponed(sample[AlertKind.POSTPONED], "en")
    assert "Appeal hearing cancelled" in render_cancelled(sample[AlertKind.CANCELLED], "en")
    assert "Appeal hearing of 1 Dec 2030" in render_outcome(sample[AlertKind.OUTCOME], "en")
    assert "News" in render_news(sample[AlertKind.NEWS], "en")
    assert "No further action is needed" in render_closed(sample[AlertKind.CLOSED], "en")


def test_a_render_is_a_pure_function_of_its_payload():
    for kind, payload in payloads("Court", "Title").items():
        render = BROADCAST_KINDS[kind].render
        assert render(dict(payload), "en") == render(dict(payload), "en")
