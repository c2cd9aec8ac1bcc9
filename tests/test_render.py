"""Case cards and timelines fit one Telegram message without cutting a word or a tag."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render
from bot.fitting import telegram_length
from bot.sandbox.formatting import parse_html
from content.loader import load_library
from storage.models import Event

LIBRARY, _ = load_library()
KHARKOVA = LIBRARY.cases["kharkova"]


def _event(n: int, text: str = "A hearing took place") -> Event:
    return Event(id=n, case_id=1, kind="hearing", date=dt.date(2017, 1, 1) + dt.timedelta(n),
                 text=text, court="Court <of> & Appeal", city="Shymkent", status="held")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=9000))
def test_card_fits_and_stays_valid_html_whatever_the_summary(summary):
    case = KHARKOVA.model_copy(update={"summary": summary})
    text = render.case_card(case, is_open=True, closed_note="<b>x</b> & y", next_hearing=None,
                            latest=[_event(1), _event(2)], subscribed=False)
    plain, _ = parse_html(text)  # raises if a tag or an entity was cut
    assert len(plain) <= render.TELEGRAM_LIMIT


def test_long_summary_is_shortened_at_a_word_boundary():
    words = "solidarity " * 800
    case = KHARKOVA.model_copy(update={"summary": words.strip()})
    text = render.case_card(case, is_open=True, closed_note=None, next_hearing=None, latest=[],
                            subscribed=True)
    assert telegram_length(text) <= render.TELEGRAM_LIMIT  # as Telegram counts: after parsing
    assert re.search(r"solidarity…", text)
    assert "solidar…" not in text


def test_timeline_keeps_the_latest_entries_that_fit():
    events = [_event(n, "word " * 100) for n in range(80)]
    text = render.timeline_text(KHARKOVA, events)
    plain, _ = parse_html(text)
    assert len(plain) <= render.TELEGRAM_LIMIT
    assert "earlier entries" in text
    assert render.format_day(events[-1].date) in text  # the newest is kept


def test_scheduled_hearing_shows_local_time_with_offset():
    hearing = Event(id=1, case_id=1, kind="hearing", date=dt.date(2030, 3, 1), status="scheduled",
                    starts_at=dt.datetime(2030, 3, 1, 4, 30, tzinfo=dt.UTC), text="Appeal")
    line = render.event_line(hearing, "Asia/Almaty")
    assert "1 Mar 2030, 09:30 (UTC+05:00)" in line or "1 Mar 2030, 10:30 (UTC+06:00)" in line


def test_user_strings_are_escaped():
    line = render.event_line(_event(1, "<script>alert(1)</script>"), "Asia/Almaty")
    assert "<script>" not in line and "&lt;script&gt;" in line
    assert "Court &lt;of&gt; &amp; Appeal" in line
