"""The pure parts of a card: the summary's preview, and when a case counts as historical."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bot.card_parts import PREVIEW_LIMIT, is_historical, summary_preview
from bot.fitting import ELLIPSIS, units
from content.dates import PartialDate

TODAY = dt.date(2026, 12, 1)


@given(st.text(min_size=1, max_size=3000))
def test_a_preview_is_a_short_start_of_the_summary(summary):
    preview = summary_preview(summary)
    if preview is None:  # short enough to show whole
        assert units(summary.strip()) <= PREVIEW_LIMIT
        return
    assert units(preview) <= PREVIEW_LIMIT + 2
    kept = preview.removesuffix(ELLIPSIS).rstrip()
    assert summary.strip().startswith(kept)


def test_a_preview_ends_after_a_sentence_or_a_whole_word():
    sentences = "The court met. " * 60
    assert summary_preview(sentences).endswith("met. …")
    words = "word " * 200
    preview = summary_preview(words)
    assert preview.endswith("word…") and units(preview) <= PREVIEW_LIMIT
    assert summary_preview("First paragraph.\n\nSecond one.") == "First paragraph."
    assert summary_preview("Short and whole.") is None


def test_historical_means_old_news_and_nothing_ahead():
    old = PartialDate(2017, 10, 4)
    assert is_historical(old, TODAY, act_before=None, hearing_ahead=False)
    assert is_historical(old, TODAY, act_before=dt.date(2017, 11, 1), hearing_ahead=False)
    assert not is_historical(old, TODAY, act_before=TODAY, hearing_ahead=False)
    assert not is_historical(old, TODAY, act_before=None, hearing_ahead=True)
    assert not is_historical(PartialDate(2026, 3, 1), TODAY, act_before=None,
                             hearing_ahead=False)
    # A date known only to the year may mean its last day: "2025" is not yet a year old.
    assert not is_historical(PartialDate(2025), TODAY, act_before=None, hearing_ahead=False)
    assert is_historical(PartialDate(2024, 11), TODAY, act_before=None, hearing_ahead=False)
    assert not is_historical(None, TODAY, act_before=None, hearing_ahead=False)
