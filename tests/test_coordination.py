"""The pure parts of coordination: reading dates and ids, rendering alerts. Plain unit tests."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import alert_texts
from bot.coordination import CommandError, parse_id, parse_moment, split_when
from bot.sandbox import parse_html

UTC = dt.UTC


def test_local_time_uses_the_case_time_zone():
    assert parse_moment("2030-12-01", "10:00", "Asia/Almaty") == dt.datetime(
        2030, 12, 1, 5, 0, tzinfo=UTC)
    assert parse_moment("2030-07-01", "10:00", "Europe/Berlin") == dt.datetime(
        2030, 7, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("time_text", "expected_hour", "expected_minute"), [
    ("10:00+06:00", 4, 0), ("10:00+0600", 4, 0), ("10:00+6", 4, 0), ("10:00-03:30", 13, 30),
    ("10:00Z", 10, 0), ("10:00utc", 10, 0), ("9:05", 4, 5),
])
def test_an_explicit_offset_wins(time_text, expected_hour, expected_minute):
    moment = parse_moment("2030-12-01", time_text, "Asia/Almaty")
    assert moment == dt.datetime(2030, 12, 1, expected_hour, expected_minute, tzinfo=UTC)


@pytest.mark.parametrize(("date_text", "time_text", "message"), [
    ("2030-02-30", "10:00", "not a real date"),
    ("2030-12-01", "25:00", "not a real date"),
    ("01.12.2030", "10:00", "could not read"),
    ("2030-12-01", "10am", "could not read"),
    ("2030-12-01", "10:00+15:00", "not a UTC offset"),
    ("2030-03-31", "02:30", "does not exist in Europe/Berlin"),  # the spring clock change
])
def test_bad_dates_are_explained(date_text, time_text, message):
    with pytest.raises(CommandError) as error:
        parse_moment(date_text, time_text, "Europe/Berlin")
    assert message in error.value.text


def test_split_when_accepts_a_space_or_a_t():
    assert split_when(["2030-12-01", "10:00", "City", "Court"]) == (
        "2030-12-01", "10:00", ["City", "Court"])
    assert split_when(["2030-12-01T10:00+06:00", "Court"]) == ("2030-12-01", "10:00+06:00",
                                                               ["Court"])
    assert split_when(["2030-12-01"]) is None
    assert split_when([]) is None


def test_parse_id():
    assert parse_id("12") == 12 and parse_id("#12") == 12
    for bad in (None, "", "0", "-3", "abc", "1e3", "9" * 30):
        assert parse_id(bad) is None, bad


@given(st.text(max_size=40), st.text(max_size=40), st.sampled_from(
    ["Asia/Almaty", "Europe/Berlin", "UTC", "America/New_York"]))
def test_parse_moment_never_raises_anything_else(date_text, time_text, zone):
    try:
        moment = parse_moment(date_text, time_text, zone)
    except CommandError as error:
        parse_html(error.text)  # the explanation itself is valid Telegram HTML
    else:
        assert moment.tzinfo is not None and moment.utcoffset() == dt.timedelta(0)


_TYPED = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
                 max_size=300)


@given(_TYPED, _TYPED)
def test_every_alert_escapes_what_people_typed(typed, title):
    moment = dt.datetime(2030, 12, 1, 5, 0, tzinfo=UTC)
    rendered = [
        alert_texts.hearing_scheduled(case_title=title, timezone="Asia/Almaty",
                                      kind=alert_texts.APPEAL_HEARING, starts_at=moment,
                                      place=typed, action=typed),
        alert_texts.hearing_postponed(case_title=title, timezone="Asia/Almaty", kind="hearing",
                                      old_starts_at=moment, new_starts_at=moment,
                                      place=typed),
        alert_texts.hearing_cancelled(case_title=title, timezone="Asia/Almaty", kind="hearing",
                                      starts_at=moment),
        alert_texts.hearing_outcome(case_title=title, timezone="Asia/Almaty", kind="hearing",
                                    starts_at=None, day=moment.date(), text=typed),
        alert_texts.news(case_title=title, text=typed),
        alert_texts.case_closed(case_title=title, note=typed),
    ]
    for index, html in enumerate(rendered):
        plain, _ = parse_html(html)  # raises on anything Telegram would refuse
        assert title.strip() in plain
        if index != 2:  # the cancellation has no free text
            assert typed.strip() in plain


def test_hearing_alert_says_what_when_where_and_what_to_do():
    text = alert_texts.hearing_scheduled(
        case_title="A & B", timezone="Asia/Almaty", kind=alert_texts.HEARING,
        starts_at=dt.datetime(2030, 12, 1, 5, 0, tzinfo=UTC), place=None,
        action="Write to the prosecutor")
    assert "Hearing scheduled</b> — A &amp; B" in text
    assert "1 Dec 2030, 10:00 (UTC+05:00)" in text
    assert "not announced yet" in text and "Write to the prosecutor" in text
    assert "Write a letter" in text
