"""The schema and the shipped case library: what the files must contain."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import ValidationError

from content.loader import CONTENT_ROOT, load_library
from content.schema import Authority, Case, is_usable_email

KHARKOVA_CODE = "KAZ 003 / 1017 / OBS 107"

# The seven addressees of the Observatory appeal (seed 000), exactly as the appeal gives them.
OBSERVATORY_ADDRESSEES = {
    "kz-president": {"faxes": ["+7 7172 74 56 31", "+7 7172 74 56 67"], "emails": []},
    "kz-interior-minister": {"faxes": [], "emails": ["Kense@mvd.kz"]},
    "kz-prosecutor-general": {"faxes": ["+7 7172 506 402"], "emails": []},
    "kz-human-rights-commissioner": {"faxes": ["+7 7172 74 05 48"], "emails": []},
    "kz-mission-geneva": {
        "faxes": ["+41 (0) 22 788 66 02"],
        "emails": ["mission@kazakhstan-geneva.ch"],
    },
    "kz-embassy-brussels": {"faxes": ["+32 2 374 50 91"], "emails": ["brussels@mfa.kz"]},
    "kz-osce-vienna": {"faxes": ["+43 1 890 80 08 20"], "emails": ["kzosce@kazakhstan.at"]},
}

# International addressees listed by the Open Dialogue Foundation report (seed 004).
OPEN_DIALOGUE_KEYS = {
    "pace",
    "osce-pa",
    "european-commission",
    "coe-secretary-general",
    "un-high-commissioner",
    "oecd",
    "nato-pa",
    "us-secretary-of-state",
    "us-house",
    "us-helsinki-commission",
    "canada-pm",
    "osce-pa-human-rights-committee",
    "european-parliament",
    "eu-high-representative",
    "ep-foreign-affairs",
    "ep-human-rights",
    "eusr-human-rights",
    "european-council",
    "uk-pm",
    "france-pm",
    "italy-pm",
}


@pytest.fixture(scope="module")
def library():
    lib, errors = load_library(CONTENT_ROOT)
    assert [str(e) for e in errors] == []
    return lib


# ----- the shipped library -----------------------------------------------------------------


def test_library_loads_without_errors_and_has_enough_cases(library):
    assert len(library.cases) >= 10
    assert len(library.authorities) >= 7 + len(OPEN_DIALOGUE_KEYS)


def test_required_cases_are_present(library):
    slugs = set(library.cases)
    assert {"kharkova", "bokayev-ayan", "mamay", "abzhan"} <= slugs
    people = {p.name for case in library.cases.values() for p in case.people}
    for name in (
        "Larisa Kharkova",
        "Nurbek Kushakbayev",
        "Amin Eleusinov",
        "Max Bokayev",
        "Talgat Ayan",
        "Zhanbolat Mamay",
        "Makhambet Abzhan",
        "Berik Zhagiparov",
        "Marat Dauletbayev",
    ):
        assert name in people


def test_kharkova_is_the_full_observatory_appeal(library):
    case = library.cases["kharkova"]
    assert case.codes == [KHARKOVA_CODE]
    assert case.status == "open"
    assert len(case.requested_actions) == 6
    assert case.write_to_embassy is True
    assert case.addressees == list(OBSERVATORY_ADDRESSEES)
    for key, expected in OBSERVATORY_ADDRESSEES.items():
        authority = library.authorities[key]
        assert authority.faxes == expected["faxes"], key
        assert authority.emails == expected["emails"], key
        assert authority.faxes or authority.emails, key


def test_kharkova_timeline_has_the_key_dates(library):
    case = library.cases["kharkova"]
    by_date = {(e.date.as_date(), e.kind): e for e in case.timeline}
    closure = by_date[(dt.date(2017, 1, 4), "closure")]
    assert closure.city == "Shymkent"
    assert (dt.date(2017, 1, 9), "charges") in by_date
    assert (dt.date(2017, 3, 28), "appeal_ruling") in by_date
    assert (dt.date(2017, 7, 25), "verdict") in by_date
    ruling = by_date[(dt.date(2017, 9, 29), "appeal_ruling")]
    assert ruling.court == "South Kazakhstan Regional Appeal Court"
    assert ruling.city == "Shymkent"
    publishers = {s.publisher for s in case.sources}
    assert "Human Rights Watch" in publishers  # seed 001
    assert any("CIVICUS" in p for p in publishers)  # seed 002


def test_every_timeline_source_index_is_valid_and_timelines_are_ordered(library):
    for case in library.cases.values():
        for index, entry in enumerate(case.timeline):
            assert 0 <= entry.source < len(case.sources), f"{case.slug} timeline[{index}]"
        dates = [e.date for e in case.timeline]
        assert dates == sorted(dates), case.slug


def test_every_addressee_is_known_and_reachable(library):
    for case in library.cases.values():
        for key in case.addressees:
            assert key in library.authorities, (case.slug, key)
            assert library.authorities[key].channels(), (case.slug, key)


def test_open_dialogue_addressees_present_without_redacted_emails(library):
    assert OPEN_DIALOGUE_KEYS <= set(library.authorities)
    for key in OPEN_DIALOGUE_KEYS:
        authority = library.authorities[key]
        # The report's e-mails are all redacted: none may have slipped in.
        assert authority.emails == [], key
        assert authority.postal_address or authority.phones or authority.web_form or key == "pace"
    assert library.authorities["un-high-commissioner"].postal_address.startswith(
        "Palais des Nations"
    )
    assert library.authorities["nato-pa"].web_form.startswith("http")


def test_at_least_one_closed_case_and_codes_from_un_communications(library):
    assert any(c.status == "closed" for c in library.cases.values())
    assert "KAZ 3/2016" in library.cases["bokayev-ayan"].codes


_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def test_texts_are_bilingual_and_well_formed(library):
    for case in library.cases.values():
        assert len(case.summary.en) <= 1500
        assert _CYRILLIC.search(case.title.ru), case.slug
        assert not _CYRILLIC.search(case.title.en), case.slug
        assert case.letter_concern.en.endswith("."), case.slug
        assert case.letter_concern.ru.endswith("."), case.slug
        assert _CYRILLIC.search(case.letter_about.ru), case.slug
        assert not case.letter_about.en.endswith("."), case.slug
        for action in case.requested_actions:
            assert _CYRILLIC.search(action.ru), case.slug
            assert not _CYRILLIC.search(action.en), case.slug
    for authority in library.authorities.values():
        assert authority.salutation.en.startswith("Dear ")
        assert authority.salutation.en.endswith(",")
        assert authority.salutation.ru.startswith("Уважаем")
        assert authority.salutation.ru.endswith("!")


# ----- the schema itself ---------------------------------------------------------------------


def _authority(**overrides):
    data = {
        "key": "x",
        "name": "Someone",
        "role": "Some role",
        "as_of": "2017-10-04",
        "salutation": {"en": "Dear Sir or Madam,", "ru": "Уважаемые дамы и господа!"},
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "email", ["[email protected]", "[email\u00a0protected]", "not an email", "a@b", "x@@y.com"]
)
def test_redacted_or_malformed_emails_are_rejected(email):
    assert not is_usable_email(email)
    with pytest.raises(ValidationError):
        Authority.model_validate(_authority(emails=[email]))


def test_real_email_and_fax_are_accepted():
    authority = Authority.model_validate(
        _authority(emails=["Kense@mvd.kz"], faxes=["+7 7172 506 402"])
    )
    assert authority.channels() == ["email", "fax"]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "Asia/", ("a/" * 3000) + "b", "zone.tab"])
def test_bad_timezones_are_rejected_cleanly(zone, library):
    data = library.cases["kharkova"].model_dump(mode="json")
    data["timezone"] = zone
    with pytest.raises(ValidationError):
        Case.model_validate(data)


def test_round_trip_through_json(library):
    for case in library.cases.values():
        assert Case.model_validate(case.model_dump(mode="json")) == case
