"""Reading urgent appeals: the Observatory seed, an Amnesty-style Urgent Action, French and
HTML versions, messy input; the directory match; arbitrary text never crashes the parser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.case_editor.document import check, export_yaml, from_appeal
from bot.importing.appeal import read_appeal, read_appeals
from bot.importing.directory import match_all
from bot.importing.extract import UnreadableDocument, extract_text
from content.loader import load_library, parse_case

SEED = Path("/work/shared/seeds/000_2f7a333505a0a355.txt")
FIXTURES = Path(__file__).parent / "fixtures" / "appeals"
LIBRARY, _ = load_library()


def test_observatory_seed_imports_code_actions_and_addressees():
    [appeal] = read_appeals(SEED.read_text())
    assert appeal.format == "observatory"
    assert appeal.codes == ["KAZ 003 / 1017 / OBS 107"]
    assert len(appeal.actions) == 6
    assert appeal.actions[1].startswith("Immediately and unconditionally release")
    assert len(appeal.addressees) == 7
    president = appeal.addressees[0]
    assert president.faxes == ["+7 7172 74 56 31", "+7 7172 74 56 67"]
    assert appeal.addressees[1].emails == ["Kense@mvd.kz"]
    assert appeal.addressees[4].faxes == ["+41 (0) 22 788 66 02"]
    assert appeal.addressees[4].emails == ["mission@kazakhstan-geneva.ch"]
    assert appeal.addressees[6].emails == ["kzosce@kazakhstan.at"]
    assert all(a.faxes for a in appeal.addressees if a.name != "Kalmukhanbet Kassymov")
    assert appeal.people == [("Larisa Kharkova", "President of KNPRK"), ("Nurbek Kushakbaev", None),
                             ("Amin Eleusinov", None)]  # roles the list does not give: none
    assert appeal.act_before is None and "act_before" in appeal.missing()  # it gives none
    assert appeal.issued == dt.date(2017, 10, 4)
    assert appeal.write_to_embassy and appeal.report_to == "Appeals@fidh-omct.org"
    dates = {str(event.date): event.kind for event in appeal.events}
    assert dates["2017-07-25"] == "verdict" and dates["2017-09-29"] == "appeal_ruling"
    assert dates["2017-04"] == "verdict"  # "In April 2017": a month, never padded to a day
    assert "2017-10-04" not in dates  # the appeal's own dateline is no event
    assert "1998-12-09" not in dates  # a date inside the requested actions is no event
    match_all(appeal.addressees, LIBRARY.authorities)
    assert [a.known_key for a in appeal.addressees] == [
        "kz-president", "kz-interior-minister", "kz-prosecutor-general",
        "kz-human-rights-commissioner", "kz-mission-geneva", "kz-embassy-brussels",
        "kz-osce-vienna"]


def test_amnesty_urgent_action():
    appeal = read_appeal((FIXTURES / "amnesty_ua.txt").read_text())
    assert appeal.format == "amnesty"
    assert appeal.codes == ["UA 123/19", "EUR 57/0456/2019"]
    assert appeal.title == "Trade unionist jailed after unfair trial"
    assert appeal.act_before == dt.date(2019, 4, 16)
    assert len(appeal.actions) == 3 and appeal.actions[0].startswith("Calling on the authorities")
    first, second = appeal.addressees
    assert (first.role, first.name) == ("Prosecutor General", "Gizat Testbekov")
    assert first.postal_address == ("Prosecutor General's Office, 14 Mangilik El Avenue, "
                                    "Astana 010000, Kazakhstan")
    assert first.faxes == ["+7 7172 71 29 00"] and first.emails == ["info@prokuror.test.kz"]
    assert first.salutation == "Dear Prosecutor General"
    assert second.salutation == "Dear Commissioner"
    assert appeal.write_to_embassy
    assert ("Erlan Testov", "trade union leader from Shymkent") in appeal.people
    assert [str(e.date) for e in appeal.events] == ["2019-01-28", "2019-02-15", "2019-03"]
    match_all(appeal.addressees, LIBRARY.authorities)  # the commissioner's fax is known
    assert [a.known_key for a in appeal.addressees] == [None, "kz-human-rights-commissioner"]


def test_french_appeal_and_redacted_email():
    appeal = read_appeal((FIXTURES / "observatory_fr.txt").read_text())
    assert appeal.language == "fr" and appeal.codes == ["KAZ 004 / 0318 / OBS 021"]
    assert len(appeal.actions) == 2
    assert [str(e.date) for e in appeal.events] == ["2018-02-02"]
    embassy = appeal.addressees[1]
    assert embassy.emails == [] and embassy.redacted == 1


def test_html_and_pdf_documents_give_the_same_fields():
    html = extract_text((FIXTURES / "observatory.html").read_bytes(), "appeal.html")
    appeal = read_appeal(html)
    assert appeal.codes == ["KAZ 005 / 0619 / OBS 050"] and len(appeal.actions) == 2
    assert appeal.addressees[0].emails == ["Kense@mvd.kz"] and appeal.addressees[1].redacted
    assert ("Nurlan Sample", "journalist") in appeal.people
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    for line in (FIXTURES / "amnesty_ua.txt").read_text().splitlines():
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    text = extract_text(bytes(pdf.output()), "ua.pdf")
    from_pdf = read_appeal(text)
    assert from_pdf.codes[0] == "UA 123/19" and from_pdf.act_before == dt.date(2019, 4, 16)
    assert len(from_pdf.actions) == 3 and len(from_pdf.addressees) == 2


def test_bad_documents_are_refused_with_a_reason():
    for content, name, reason in ((b"%PDF-1.4 broken", "x.pdf", "broken"), (b"", "x.txt", "empty"),
                                  (b"x", "x.docx", "kind"), (b"a" * 2_000_001, "x.txt", "size")):
        try:
            extract_text(content, name)
        except UnreadableDocument as error:
            assert error.reason == reason
        else:
            raise AssertionError(name)


def test_messy_input_two_appeals_and_missing_sections():
    two = SEED.read_text() + "\n\n" + (FIXTURES / "amnesty_ua.txt").read_text()
    first, second = read_appeals(two)
    assert first.codes[0] == "KAZ 003 / 1017 / OBS 107" and second.codes[0] == "UA 123/19"
    bare = read_appeal("Somebody was arrested. Please help.")
    assert set(bare.missing()) == {"codes", "title", "country", "people", "actions",
                                   "addressees", "act_before", "timeline"}
    russian = read_appeal("Просим написать властям с призывом:\n1. Освободить его;\n"
                          "2. Прекратить преследование.\n12 марта 2018 г.")
    assert russian.language == "ru" and len(russian.actions) == 2


def test_draft_from_the_seed_needs_only_the_coordinators_fields():
    [appeal] = read_appeals(SEED.read_text())
    match_all(appeal.addressees, LIBRARY.authorities)
    data, added = from_appeal(appeal, LIBRARY.authorities, set(LIBRARY.cases))
    assert data["slug"] == "kharkova-2" and not added  # the slug is free; all seven known
    assert "summary" not in data  # the summary is the coordinator's to write
    _, errors = check(data, LIBRARY.authorities)
    fields = {error.field.split(".")[0].split("[")[0] for error in errors}
    assert fields <= {"title", "people", "summary", "requested_actions", "letter_about",
                      "letter_concern"}


def test_export_loads_back_unchanged():
    for case in LIBRARY.cases.values():
        loaded, errors = parse_case(export_yaml(case), f"{case.slug}.yaml", LIBRARY.authorities)
        assert errors == [] and loaded == case


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_arbitrary_text_never_crashes_the_parser(text):
    for appeal in read_appeals(text):
        data, _ = from_appeal(appeal, LIBRARY.authorities, set())
        check(data, LIBRARY.authorities)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SEED.read_text().splitlines() + ["", "i.", "·", "Fax: +7"]),
                max_size=80))
def test_shuffled_appeal_lines_never_crash(lines):
    read_appeals("\n".join(lines))
