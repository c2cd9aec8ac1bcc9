"""The one fitting step: any HTML the bot builds comes out within Telegram's limits, still valid
HTML, cut after a line or a word, with "…"."""

from __future__ import annotations

from html import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.fitting import CAPTION_LIMIT, TEXT_LIMIT, fit_html, fit_plain, telegram_length, units
from bot.sandbox.formatting import parse_html

TAGS = ["b", "i", "u", "s", "code", "pre", "blockquote", "tg-spoiler", 'a href="https://x.org/?a=1&amp;b=2"']
WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                min_size=0, max_size=80)


def _close(tag: str) -> str:
    return f"</{tag.split()[0]}>"


@st.composite
def html_documents(draw, depth: int = 0):
    """Escaped text, line breaks and (nested) tags, as the renderers produce them."""
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["text", "text", "line", "tag"] if depth < 2 else
                                    ["text", "line"]))
        if kind == "text":
            parts.append(escape(draw(WORDS)) * draw(st.sampled_from([1, 1, 5, 60])))
        elif kind == "line":
            parts.append("\n" * draw(st.integers(1, 2)))
        else:
            tag = draw(st.sampled_from(TAGS))
            parts.append(f"<{tag}>{draw(html_documents(depth + 1))}{_close(tag)}")
    return "".join(parts)


def _plain(html: str) -> str:
    plain, _entities = parse_html(html)  # raises on a cut tag or entity
    return plain


@settings(max_examples=300, deadline=None)
@given(html_documents(), st.sampled_from([TEXT_LIMIT, CAPTION_LIMIT, 200, 40]))
def test_any_html_fits_stays_valid_and_is_a_start_of_the_original(html, limit):
    fitted = fit_html(html, limit)
    assert telegram_length(fitted) <= limit
    assert units(_plain(fitted)) <= limit
    if telegram_length(html) <= limit:
        assert fitted == html
        return
    assert fitted.endswith("…")
    shown = _plain(fitted).removesuffix("…").rstrip()
    assert _plain(html).startswith(shown)


def test_cuts_after_a_whole_line_and_closes_open_tags():
    lines = [f"<b>Line {n}</b> — " + "word " * 30 for n in range(200)]
    html = "<blockquote>" + "\n".join(lines) + "</blockquote>"
    fitted = fit_html(html)
    assert fitted.endswith("</blockquote>\n…")
    body = fitted.removeprefix("<blockquote>").removesuffix("</blockquote>\n…")
    kept = body.count("\n") + 1
    assert body == "\n".join(lines[:kept]).rstrip() and kept > 10  # whole lines only
    assert telegram_length(fitted) <= TEXT_LIMIT


def test_one_long_line_is_cut_after_a_word_inside_its_tags():
    html = "<b>Who:</b> <i>" + escape("Jane <Doe> & Partners, ") * 400 + "</i>"
    fitted = fit_html(html, CAPTION_LIMIT)
    assert fitted.endswith("</i>…") and "&amp;" in fitted
    assert _plain(fitted).removesuffix("…").endswith(("Partners,", "Jane", "&", "<Doe>"))


def test_a_word_longer_than_the_limit_is_cut_inside():
    fitted = fit_html("<code>" + "X" * 9000 + "</code>")
    assert fitted == "<code>" + "X" * (TEXT_LIMIT - 2) + "</code>…"


def test_emoji_count_twice_as_telegram_counts_them():
    fitted = fit_html("😀" * 3000)
    assert units(fitted) <= TEXT_LIMIT and fitted.endswith("…")
    assert len(fitted) == (TEXT_LIMIT - 2) // 2 + 1


def test_what_fits_is_left_alone():
    html = "<b>a</b>\n" + "é" * 4000
    assert fit_html(html) == html


@given(st.text(max_size=600))
def test_plain_answers_fit_the_popup(text):
    fitted = fit_plain(text)
    assert units(fitted) <= 200
    assert fitted == text or (fitted.endswith("…") and text.startswith(fitted[:-1]))
