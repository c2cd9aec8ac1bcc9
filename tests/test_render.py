"""Case cards and timelines fit one Telegram message without cutting a word or a tag."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render
from bot.fitting import telegram_length
from bot.reminders import render_reminder
from bot.sandbox.formatting import parse_html
from content.dates import PartialDate
from content.loader import load_library
from content.schema import Case as CaseDoc
from content.schema import Summary
from storage.models import Case, Event

LIBRARY, _ = load_library()
KHARKOVA = LIBRARY.cases["kharkova"]


def _event(n: int, text: str = "A hearing took place") -> Event:
    return Event(id=n, case_id=1, kind="hearing", date=dt.date(2017, 1, 1) + dt.timedelta(n),
                 text=text, court="Court <of> & Appeal", city="Shymkent", status="held")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=9000))
def test_card_fits_and_stays_valid_html_whatever_the_summary(summary):
    case = KHARKOVA.model_copy(update={"summary": Summary.model_construct(en=summary)})
    text = render.case_card(case, is_open=True, closed_note="<b>x</b> & y", next_hearing=None,
                            latest=[_event(1), _event(2)], subscribed=False)
    plain, _ = parse_html(text)  # raises if a tag or an entity was cut
    assert len(plain) <= render.TELEGRAM_LIMIT


def test_long_summary_is_shortened_at_a_word_boundary():
    words = "solidarity " * 800
    case = KHARKOVA.model_copy(update={"summary": Summary.model_construct(en=words.strip())})
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


# ----- dates as precise as their sources ----------------------------------------------------


def _partial(text: str) -> PartialDate:
    return PartialDate.parse(text)


def test_dates_are_shown_as_precise_as_they_are_known():
    assert render.format_date(_partial("2017-06-24")) == "24 Jun 2017"
    assert render.format_date(_partial("2017-06")) == "Jun 2017"
    assert render.format_date(_partial("2017")) == "2017"
    assert render.format_date(_partial("2017-06-24"), derived=True) == "about 24 Jun 2017"
    assert render.format_date(_partial("2017-06"), derived=True) == "about Jun 2017"


def _case_with(entries: list[dict]) -> CaseDoc:
    data = KHARKOVA.model_dump(mode="json")
    data["timeline"] = entries
    return CaseDoc.model_validate(data)


def _content_events(case: CaseDoc) -> list[Event]:
    return [Event(id=n, case_id=1, kind=e.kind, date=e.date.first_day, text=e.text.en,
                  origin="content", content_key=e.key, status="held")
            for n, e in enumerate(case.timeline, start=1)]


ENTRIES = [
    {"key": "month", "date": "2017-06", "kind": "detention", "source": 0,
     "text": {"en": "Arrested in June.", "ru": "Арестован в июне."}},
    {"key": "year", "date": "2017", "kind": "other", "source": 0,
     "text": {"en": "Something that year."}},
    {"key": "derived", "date": "2017-06-24", "derived": True, "kind": "detention", "source": 0,
     "text": {"en": "Ten days later, arrested.", "ru": "Через десять дней арестован."}},
]


def test_timeline_shows_months_years_and_derived_dates_never_padded():
    case = _case_with(ENTRIES)
    text = render.timeline_text(case, _content_events(case))
    assert "<b>Jun 2017</b> — Arrested in June." in text
    assert "<b>2017</b> — Something that year." in text
    assert "<b>about 24 Jun 2017</b> — Ten days later, arrested." in text
    assert "1 Jun 2017" not in text and "1 Jan 2017" not in text  # the sort key never shows


def test_timeline_texts_are_in_the_readers_language_with_fallback():
    case = _case_with(ENTRIES)
    text = render.timeline_text(case, _content_events(case), "ru")
    assert "Арестован в июне." in text and "Через десять дней арестован." in text
    assert "Something that year." in text  # no Russian: the English text
    assert case.title.ru in text


def test_card_in_russian_has_the_russian_title():
    card = render.case_card(KHARKOVA, is_open=True, closed_note=None, next_hearing=None,
                            latest=[], subscribed=False, lang="ru")
    assert KHARKOVA.title.ru in card and KHARKOVA.title.en not in card


def test_last_update_is_the_newest_dated_fact():
    case = _case_with(ENTRIES)
    assert str(render.last_update(case, [], None, "Asia/Almaty")) == "2017-10-04"  # a source
    news = Event(id=9, case_id=1, kind="news", date=dt.date(2030, 1, 2), text="News",
                 origin="coordinator", status="held",
                 updated_at=dt.datetime(2030, 1, 2, 20, tzinfo=dt.UTC))
    assert str(render.last_update(case, [news], None, "Asia/Almaty")) == "2030-01-03"  # local
    closed = dt.datetime(2031, 5, 1, 12, tzinfo=dt.UTC)
    assert str(render.last_update(case, [news], closed, "UTC")) == "2031-05-01"
    card = render.case_card(case, is_open=True, closed_note=None, next_hearing=None, latest=[],
                            subscribed=False, updated=_partial("2017-10"))
    assert "<b>Last update:</b> Oct 2017" in card


def test_a_passed_deadline_is_said_on_the_card():
    case = KHARKOVA.model_copy(update={"act_before": dt.date(2017, 10, 31)})
    before = render.case_card(case, is_open=True, closed_note=None, next_hearing=None,
                              latest=[], subscribed=False, today=dt.date(2017, 10, 20))
    after = render.case_card(case, is_open=True, closed_note=None, next_hearing=None,
                             latest=[], subscribed=False, today=dt.date(2017, 11, 1))
    assert "<b>Act before:</b> 31 Oct 2017" in before and "has passed" not in before
    assert "31 Oct 2017 — the appeal's deadline has passed." in after
    assert render.deadline_passed(case, dt.date(2017, 11, 1))
    assert not render.deadline_passed(case, dt.date(2017, 10, 31))
    assert not render.deadline_passed(KHARKOVA, dt.date(2030, 1, 1))  # no deadline


def test_a_case_without_a_zone_uses_the_default():
    assert render.resolve_timezone(None, "Europe/Berlin") == "Europe/Berlin"
    assert render.resolve_timezone("Asia/Almaty", "Europe/Berlin") == "Asia/Almaty"
    assert render.resolve_timezone("Mars/Olympus", "nowhere") == "UTC"
    hearing = Event(id=1, case_id=1, kind="hearing", date=dt.date(2030, 7, 1),
                    status="scheduled", starts_at=dt.datetime(2030, 7, 1, 8, tzinfo=dt.UTC),
                    text="Appeal", origin="coordinator")
    card = render.case_card(KHARKOVA, is_open=True, closed_note=None, next_hearing=hearing,
                            latest=[], subscribed=False, default_timezone="Europe/Berlin")
    assert "1 Jul 2030, 10:00 (UTC+02:00)" in card


def test_sources_show_only_what_the_source_gives():
    data = KHARKOVA.model_dump(mode="json")
    data["sources"] = [{"publisher": "Open Dialogue Foundation", "date": "2017"},
                       {"publisher": "HRW", "title": "Kazakhstan: Trade Union Shut Down",
                        "date": "2017-01-10", "url": "https://example.org/a?b=1&c=2"}]
    data["timeline"] = []
    text = render.sources_text(CaseDoc.model_validate(data))
    assert "1. Open Dialogue Foundation, 2017" in text
    assert ('2. HRW: <a href="https://example.org/a?b=1&amp;c=2">Kazakhstan: Trade Union Shut '
            'Down</a>, 10 Jan 2017') in text


def test_a_reminder_for_a_case_without_a_zone_uses_the_default():
    case = Case(id=1, slug="x", title="X", timezone=None, data={}, content_hash="h")
    hearing = Event(id=1, case_id=1, kind="hearing", date=dt.date(2030, 7, 1),
                    status="scheduled", starts_at=dt.datetime(2030, 7, 1, 8, tzinfo=dt.UTC),
                    text="Appeal", origin="coordinator")
    assert "10:00 (UTC+02:00)" in render_reminder(hearing, case, 60,
                                                  default_timezone="Europe/Berlin")
    assert "08:00 (UTC+00:00)" in render_reminder(hearing, case, 60)  # no setting given: UTC
