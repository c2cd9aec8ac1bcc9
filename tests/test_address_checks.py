"""How current an address is, what the letter wizard says about it, and the report back."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from bot.address_checks import AddressCheck, address_check, address_note
from bot.letters import build_eml, render_report
from bot.report_back import offer_text, report, report_help_text
from bot.sandbox.formatting import parse_html
from bot.stale_addresses import PAGE_SIZE, StaleAddress, list_text, page_count, page_of
from bot.wizard import AddresseeOption, help_text, plain_length
from content.dates import PartialDate
from content.loader import load_library
from content.schema import Authority, Case
from handlers.keyboards import parse_stale_addresses, stale_addresses_keyboard
from storage.authorities import DirectoryEntry

LIBRARY, _ = load_library()
KHARKOVA = LIBRARY.cases["kharkova"]
MINISTER = LIBRARY.authorities["kz-interior-minister"]
CODE = KHARKOVA.codes[0]
OBSERVATORY = {"email": "Appeals@fidh-omct.org",
               "name": "The Observatory for the Protection of Human Rights Defenders"}


def _authority(**changes) -> Authority:
    return Authority.model_validate({**MINISTER.model_dump(mode="json"), **changes})


def test_a_chat_mark_newer_than_the_file_wins():
    authority = _authority(verified_on="2018-01-10", verified_by="Coordinators")
    from_file = address_check(DirectoryEntry(authority))
    assert (from_file.verified_on, from_file.verified_by) == (dt.date(2018, 1, 10), "Coordinators")
    marked = address_check(DirectoryEntry(authority, dt.datetime(2019, 2, 3, tzinfo=dt.UTC), 42))
    assert (marked.verified_on, marked.verified_by, marked.marked_by) == (
        dt.date(2019, 2, 3), None, 42)
    older = address_check(DirectoryEntry(authority, dt.datetime(2017, 11, 1, tzinfo=dt.UTC), 42))
    assert older.verified_on == dt.date(2018, 1, 10)


@pytest.mark.parametrize(("as_of", "verified", "today", "stale"), [
    ("2017-10-04", None, dt.date(2018, 10, 4), False),  # exactly a year: still current
    ("2017-10-04", None, dt.date(2018, 10, 5), True),
    ("2017", None, dt.date(2018, 12, 31), False),  # a year-only date counts to its last day
    ("2017", None, dt.date(2019, 1, 1), True),
    ("2017-10-04", dt.date(2026, 3, 1), dt.date(2026, 11, 28), False),
])
def test_an_address_is_stale_a_year_after_its_source_or_its_last_check(as_of, verified, today,
                                                                       stale):
    check = AddressCheck(PartialDate.parse(as_of), verified)
    assert check.is_stale(today) is stale


def test_the_wizard_note_names_the_date_the_source_and_any_doubt():
    check = address_check(DirectoryEntry(MINISTER))
    fresh = address_note(MINISTER, check, KHARKOVA, dt.date(2017, 11, 1), "en")
    assert fresh == "📅 Address as published on 4 Oct 2017."
    stale = address_note(MINISTER, check, KHARKOVA, dt.date(2026, 11, 28), "en")
    assert "📅 Address as published on 4 Oct 2017." in stale
    assert "please check that the address is still current" in stale
    # Its source, named (the shipped file gives no URL, as the seed gives none) ...
    assert "see Observatory for the Protection of Human Rights Defenders" in stale
    # ... and linked when the source has a URL.
    listed = KHARKOVA.sources[0].model_copy(update={"url": "https://example.org/appeal"})
    linked_case = KHARKOVA.model_copy(update={"sources": [listed, *KHARKOVA.sources[1:]]})
    linked = address_note(MINISTER, check, linked_case, dt.date(2026, 11, 28), "en")
    assert '<a href="https://example.org/appeal">Observatory' in linked

    doubtful = _authority(as_of="2017", caveat={
        "en": "The source names an official who had left <office> before it was published.",
        "ru": "Источник называет должностное лицо, покинувшее пост до его публикации."})
    note = address_note(doubtful, address_check(DirectoryEntry(doubtful)), KHARKOVA,
                        dt.date(2030, 1, 1), "en")
    assert "📅 Address as published in 2017." in note
    assert "still current before you send." in note  # no case source from 2017: no link
    assert "⚠️ The source names an official who had left &lt;office&gt;" in note
    assert "покинувшее пост" in address_note(doubtful, address_check(DirectoryEntry(doubtful)),
                                            KHARKOVA, dt.date(2030, 1, 1), "ru")


def test_a_recent_check_is_shown_instead_of_the_warning():
    check = AddressCheck(PartialDate.parse("2017-10-04"), dt.date(2026, 3, 1), "Coordinators")
    note = address_note(MINISTER, check, KHARKOVA, dt.date(2026, 11, 28), "en")
    assert "✔️ Checked on 1 Mar 2026 by Coordinators." in note
    assert "please check" not in note


def test_help_text_carries_the_note_and_fits():
    letter = render_report(_reporting_case(), ["X"], "en")
    text = help_text("email", MINISTER, letter, "en", note="📅 Address as published on …")
    assert "📅 Address as published on …" in text
    assert text.rstrip().endswith("tap <b>✅ I sent it</b>.")


# ----- the report back ---------------------------------------------------------------------------


def _reporting_case() -> Case:
    return Case.model_validate({**KHARKOVA.model_dump(mode="json"), "report_to": OBSERVATORY})


def _silent_case() -> Case:
    """The Kharkova case as if its appeal asked for no report."""
    return KHARKOVA.model_copy(update={"report_to": None})


@pytest.mark.parametrize("language", ["en", "ru"])
def test_report_quotes_the_code_and_lists_whom_the_person_wrote_to(language):
    case = _reporting_case()
    president = LIBRARY.authorities["kz-president"]
    options = [AddresseeOption(MINISTER, ("email",), True),
               AddresseeOption(president, ("fax",), False)]
    letter = report(case, options, language)
    assert letter.subject.startswith(CODE)
    assert CODE in letter.body
    assert "Kalmukhanbet Kassymov" in letter.body and "Nazarbayev" not in letter.body
    assert case.letter_about.get(language) in letter.body
    assert letter.to_name == OBSERVATORY["name"]
    parsed = email.message_from_bytes(build_eml(letter, case.report_to.email),
                                      policy=email.policy.default)
    assert parsed["To"] == OBSERVATORY["email"]
    assert parsed["Subject"] == letter.subject


def test_report_texts_in_telegram():
    case = _reporting_case()
    offer = offer_text(case, "en")
    assert "The Observatory" in offer and f"<code>{CODE}</code>" in offer
    assert offer_text(_silent_case(), "en") == ""  # no report_to: nothing offered
    options = [AddresseeOption(MINISTER, ("email",), True)]
    text = report_help_text(case, report(case, options, "en"), "en")
    assert "<code>Appeals@fidh-omct.org</code>" in text and f"<code>{CODE}: action taken" in text
    many = [AddresseeOption(_authority(key=f"a{n}", name="N" * 150), ("email",), True)
            for n in range(40)]
    assert plain_length(report_help_text(case, report(case, many, "en"), "en")) <= 4096


def test_a_case_without_report_to_has_no_report():
    with pytest.raises(ValueError, match="asks for no report"):
        render_report(_silent_case(), ["X"], "en")


# ----- /staleaddresses texts and buttons -----------------------------------------------------


def _stale_items(count: int) -> list[StaleAddress]:
    long_key = "k" * 48
    authority = _authority(key=long_key, name="N" * 200, role="R" * 300,
                           postal_address="P " * 200, web_form="https://example.org/" + "x" * 500)
    return [StaleAddress(authority, address_check(DirectoryEntry(authority)),
                         tuple(f"case-{n}" for n in range(20))) for _ in range(count)]


def test_stale_list_fits_telegram_and_its_buttons_fit_their_64_bytes():
    items = _stale_items(12)
    assert page_count(items) == 3 and page_of(items, 99)[1] == 2 and page_of(items, -1)[1] == 0
    text = list_text(items, 1, "en", notice="✅ done")
    plain, _ = parse_html(text)
    assert len(plain) <= 4096 and text.startswith("✅ done")
    markup = stale_addresses_keyboard([(PAGE_SIZE + 1, "k" * 48, "N" * 24)], 1, 3)
    for row in markup.inline_keyboard:
        for button in row:
            assert len(button.callback_data.encode()) <= 64
            assert parse_stale_addresses(button.callback_data) is not None
    assert parse_stale_addresses("sa:v:1:" + "k" * 48) == ("v", 1, "k" * 48)
    assert parse_stale_addresses("sa:v:1:" + "k" * 49) is None
    assert list_text([], 0, "en").startswith("✅ Every addressee")
