"""The loader: every kind of broken content becomes a ContentError naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.loader import (
    CONTENT_ROOT,
    ContentError,
    Library,
    load_authorities,
    load_library,
    parse_case,
    translation_gaps,
)
from content.schema import Case

GOOD_CASE = CONTENT_ROOT / "cases" / "kharkova.yaml"


@pytest.fixture(scope="module")
def authorities():
    found, errors = load_authorities(CONTENT_ROOT / "authorities.yaml")
    assert errors == []
    return found


@pytest.fixture
def good_data() -> dict:
    return yaml.safe_load(GOOD_CASE.read_text(encoding="utf-8"))


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A fresh content root holding a copy of the real authorities and no cases."""
    root = tmp_path / "content"
    (root / "cases").mkdir(parents=True)
    shutil.copy(CONTENT_ROOT / "authorities.yaml", root / "authorities.yaml")
    return root


def _write_case(root: Path, name: str, data: dict | str) -> None:
    text = data if isinstance(data, str) else _dump(data)
    (root / "cases" / name).write_text(text, encoding="utf-8")


def _only(errors: list[ContentError]) -> ContentError:
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


# ----- ContentError and the happy path ------------------------------------------------------


def test_content_error_str():
    assert str(ContentError("content/cases/a.yaml", "timeline[2].date", "bad")) == (
        "content/cases/a.yaml: timeline[2].date: bad"
    )
    assert str(ContentError("content/cases/a.yaml", "", "bad")) == "content/cases/a.yaml: bad"


def test_shipped_library_loads_cleanly():
    library, errors = load_library()
    assert errors == []
    assert isinstance(library, Library)
    assert len(library.cases) >= 10
    for slug, case in library.cases.items():
        assert isinstance(case, Case)
        assert case.slug == slug


def test_parse_case_accepts_a_good_file(authorities):
    case, errors = parse_case(GOOD_CASE.read_text(encoding="utf-8"), "kharkova.yaml", authorities)
    assert errors == []
    assert case is not None and case.slug == "kharkova"


def test_parse_case_accepts_bytes(authorities):
    case, errors = parse_case(GOOD_CASE.read_bytes(), "upload.yaml", authorities)
    assert errors == [] and case is not None


def test_copied_library_loads_with_display_paths(content_dir, good_data):
    _write_case(content_dir, "kharkova.yaml", good_data)
    library, errors = load_library(content_dir)
    assert errors == []
    assert list(library.cases) == ["kharkova"]


# ----- rejections in a temp library ---------------------------------------------------------


def test_unknown_authority_reference(content_dir, good_data):
    good_data["addressees"][1] = "kz-presidnet"
    _write_case(content_dir, "kharkova.yaml", good_data)
    library, errors = load_library(content_dir)
    error = _only(errors)
    assert error.file == "content/cases/kharkova.yaml"
    assert error.field == "addressees[1]"
    assert "unknown authority 'kz-presidnet'" in error.message
    assert "did you mean 'kz-president'" in error.message
    assert "known:" in error.message and "kz-osce-vienna" in error.message
    assert "kharkova" not in library.cases


def test_impossible_date(content_dir, good_data):
    good_data["timeline"][2]["date"] = "2017-02-30"
    _write_case(content_dir, "kharkova.yaml", good_data)
    _, errors = load_library(content_dir)
    error = _only(errors)
    assert error.file == "content/cases/kharkova.yaml"
    assert error.field == "timeline[2].date"
    assert "'2017-02-30' is not a real calendar date" in error.message
    assert "YYYY-MM-DD" in error.message


def test_impossible_date_written_unquoted(content_dir):
    text = GOOD_CASE.read_text(encoding="utf-8").replace("date: 2017-03-28", "date: 2017-02-30")
    _write_case(content_dir, "kharkova.yaml", text)
    _, errors = load_library(content_dir)
    error = _only(errors)
    assert error.file == "content/cases/kharkova.yaml"
    assert error.field.startswith("timeline[") and error.field.endswith("].date")
    assert "2017-02-30" in error.message


def test_bad_slug(content_dir, good_data):
    good_data["slug"] = "Larisa Kharkova!"
    _write_case(content_dir, "kharkova.yaml", good_data)
    _, errors = load_library(content_dir)
    error = _only(errors)
    assert error.file == "content/cases/kharkova.yaml"
    assert error.field == "slug"
    assert "'Larisa Kharkova!' is not a valid slug" in error.message


def test_slug_must_match_file_name(content_dir, good_data):
    _write_case(content_dir, "larisa.yaml", good_data)
    library, errors = load_library(content_dir)
    error = _only(errors)
    assert error.file == "content/cases/larisa.yaml"
    assert error.field == "slug"
    assert "'kharkova'" in error.message and "larisa.yaml" in error.message
    assert library.cases == {}


def test_redacted_email_in_authority(content_dir, good_data):
    path = content_dir / "authorities.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "      - Kense@mvd.kz", '      - "[email\u00a0protected]"'
    )
    path.write_text(text, encoding="utf-8")
    _write_case(content_dir, "kharkova.yaml", good_data)
    library, errors = load_library(content_dir)
    messages = [str(e) for e in errors]
    authority_error = next(e for e in errors if e.file == "content/authorities.yaml")
    assert authority_error.field == "authorities[1].emails"
    assert "kz-interior-minister" in authority_error.message
    assert "not a usable e-mail address" in authority_error.message
    # the broken authority is left out, so the case that uses it is reported too
    assert "kz-interior-minister" not in library.authorities
    assert any("addressees[1]" in m and "kz-interior-minister" in m for m in messages)


def test_redacted_email_plain_brackets(tmp_path):
    path = tmp_path / "content" / "authorities.yaml"
    path.parent.mkdir()
    path.write_text(
        "authorities:\n"
        "  - key: pace\n"
        "    name: Someone\n"
        "    role: President of PACE\n"
        "    as_of: '2017'\n"
        "    salutation: {en: 'Dear Madam President,', ru: 'Уважаемая госпожа Председатель!'}\n"
        "    emails: ['[email protected]']\n",
        encoding="utf-8",
    )
    found, errors = load_authorities(path)
    error = _only(errors)
    assert error.file == "content/authorities.yaml"
    assert error.field == "authorities[0].emails"
    assert "[email protected]" in error.message
    assert found == {}


def test_control_characters_are_refused_with_their_field(content_dir, authorities):
    # YAML's escapes make a NUL or a bell from plain text; no message and no PostgreSQL column
    # can hold them.
    text = GOOD_CASE.read_text(encoding="utf-8").replace('title: "Larisa', 'title: "\\0Larisa')
    text = text.replace("    court: ", '    court: "\\a"  #', 1)
    _write_case(content_dir, "kharkova.yaml", text)
    library, errors = load_library(content_dir)
    assert {e.field for e in errors} >= {"title"} and len(errors) == 2, [str(e) for e in errors]
    assert any(e.field.endswith("].court") and "U+0007" in e.message for e in errors)
    assert all("control character" in e.message for e in errors)
    assert library.cases == {}
    authorities_text = (content_dir / "authorities.yaml").read_text(encoding="utf-8")
    (content_dir / "authorities.yaml").write_text(
        authorities_text.replace("name: ", 'name: "\\x01" #', 1), encoding="utf-8")
    found, errors = load_authorities(content_dir / "authorities.yaml")
    assert [e.field for e in errors] == ["authorities[0].name"] and len(found) == len(authorities) - 1
    text = GOOD_CASE.read_text(encoding="utf-8").replace("\n", "\n", 1)  # tabs/newlines are fine
    assert parse_case(text, "kharkova.yaml", authorities)[1] == []


@pytest.mark.parametrize(("field", "value", "message"), [
    ("people", [{"name": f"Person {n}", "role": "Journalist"} for n in range(21)],
     "has 21 items; at most 20"),
    ("codes", [f"KAZ {n}" for n in range(11)], "has 11 items; at most 10"),
    ("country", "K" * 81, "is 81 characters long; at most 80"),
])
def test_what_cannot_fit_a_message_is_refused(good_data, authorities, field, value, message):
    good_data[field] = value
    case, errors = parse_case(_dump(good_data), "kharkova.yaml", authorities)
    error = _only(errors)
    assert case is None and error.file == "kharkova.yaml" and error.field == field
    assert message in error.message


def test_long_court_and_code_name_their_field(good_data, authorities):
    good_data["timeline"][3]["court"] = "Court " * 40
    good_data["codes"] = ["KAZ " + "0" * 70]
    _case, errors = parse_case(_dump(good_data), "kharkova.yaml", authorities)
    assert sorted(e.field for e in errors) == ["codes[0]", "timeline[3].court"]


def test_duplicate_slug_names_both_files(content_dir, good_data):
    _write_case(content_dir, "kharkova.yaml", good_data)
    _write_case(content_dir, "kharkova-copy.yaml", good_data)
    library, errors = load_library(content_dir)
    duplicate = next(e for e in errors if "already used" in e.message)
    assert duplicate.file == "content/cases/kharkova-copy.yaml"
    assert duplicate.field == "slug"
    assert "content/cases/kharkova.yaml" in duplicate.message
    assert list(library.cases) == ["kharkova"]


def test_duplicate_authority_key(content_dir):
    path = content_dir / "authorities.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "key: kz-interior-minister", "key: kz-president"
    )
    path.write_text(text, encoding="utf-8")
    found, errors = load_authorities(path)
    error = _only(errors)
    assert error.field == "authorities[1].key"
    assert "already used by authorities[0]" in error.message
    assert "kz-president" in found


# ----- parse_case messages ------------------------------------------------------------------


def test_timeline_source_out_of_range(authorities, good_data):
    good_data["timeline"][3]["source"] = 9
    _, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    error = _only(errors)
    assert error.field == "timeline[3].source"
    assert "has 4 source(s)" in error.message


def test_duplicate_timeline_key_and_addressee(authorities, good_data):
    good_data["timeline"][4]["key"] = good_data["timeline"][1]["key"]
    good_data["addressees"].append("kz-president")
    _, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    fields = {e.field: e.message for e in errors}
    assert "already used by timeline[1]" in fields["timeline[4].key"]
    assert "listed twice (also addressees[0])" in fields["addressees[7]"]


def test_unknown_and_missing_fields(authorities, good_data):
    good_data["timline"] = good_data.pop("timeline")
    del good_data["letter_about"]
    _, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    fields = {e.field: e.message for e in errors}
    assert "did you mean 'timeline'" in fields["timline"]
    assert fields["letter_about"] == "this required field is missing"


def test_nested_field_paths(authorities, good_data):
    good_data["requested_actions"][3]["ru"] = "   "
    good_data["timeline"][0]["kind"] = "party"
    _, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    fields = {e.field: e.message for e in errors}
    assert fields["requested_actions[3].ru"] == "must not be empty"
    assert "'party'" in fields["timeline[0].kind"]


def test_unreachable_authority_is_an_error(authorities, good_data):
    good_data["addressees"] = ["pace"]  # the report gives PACE only a redacted e-mail
    _, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    error = _only(errors)
    assert error.field == "addressees[0]"
    assert "no e-mail, fax, postal address or web form" in error.message


def test_yaml_time_is_not_read_as_base_60(authorities, good_data):
    text = _dump(good_data).replace("  kind: verdict\n", "  kind: verdict\n  time: 10:30\n", 1)
    case, errors = parse_case(text, "x.yaml", authorities)
    assert errors == []
    assert str(next(e for e in case.timeline if e.kind == "verdict").time) == "10:30:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("- a\n- b\n", "expected a mapping"),
        ("slug: [unclosed\n", "YAML syntax error at line"),
        ("a: &x [1]\nb: *x\n", "aliases"),
        ("---\na: 1\n---\nb: 2\n", "YAML syntax error"),
        ("[" * 5000, "nested too deeply"),
        ("1: 2\n", "field names must be text"),
        ("x" * 300_000, "too large"),
    ],
)
def test_bad_documents(authorities, text, expected):
    case, errors = parse_case(text, "upload.yaml", authorities)
    assert case is None
    error = _only(errors)
    assert error.file == "upload.yaml"
    assert expected in error.message


def test_undecodable_bytes(authorities):
    case, errors = parse_case(b"slug: \xff\xfe\n", "upload.yaml", authorities)
    assert case is None
    assert "not UTF-8" in _only(errors).message


# ----- never raises -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_parse_case_never_raises_on_text(text):
    case, errors = parse_case(text, "upload.yaml", {})
    assert (case is None) == bool(errors)
    assert all(isinstance(e, ContentError) for e in errors)


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_parse_case_never_raises_on_bytes(data):
    case, errors = parse_case(data, "upload.yaml", {})
    assert case is None and errors


_yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
_yaml_values = st.recursive(
    _yaml_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(list(Case.model_fields) + ["extra"]), _yaml_values))
def test_parse_case_never_raises_on_case_shaped_yaml(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    case, errors = parse_case(text, "upload.yaml", {})
    assert case is None and errors
    assert all(isinstance(e.field, str) and e.message for e in errors)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_parse_case_never_raises_on_mutated_good_file(authorities, data):
    lines = GOOD_CASE.read_text(encoding="utf-8").splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    lines[index] = data.draw(st.text(max_size=40))
    case, errors = parse_case("\n".join(lines), "upload.yaml", authorities)
    assert (case is None) == bool(errors)


# ----- the checks of this format: languages, dates, addressees ------------------------------


def test_plain_string_title_says_how_to_write_it(authorities, good_data):
    good_data["title"] = "Larisa Kharkova"
    _, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    error = _only(errors)
    assert error.field == "title"
    assert "per language" in error.message and "ru: …" in error.message


def test_missing_russian_title_is_an_error(authorities, good_data):
    del good_data["title"]["ru"]
    _, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    error = _only(errors)
    assert (error.field, error.message) == ("title.ru", "the text in Russian (ru: …) is missing")


def test_english_only_summary_and_timeline_are_valid(authorities, good_data):
    good_data["summary"] = {"en": good_data["summary"]["en"]}
    good_data["timeline"][0]["text"] = {"en": "The ministry files a lawsuit."}
    case, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    assert errors == [] and case.summary.ru is None


def test_partial_dates_in_a_file_stay_partial(authorities, good_data):
    text = _dump(good_data).replace("date: 2016-12-05", "date: '2016-12'")
    text = text.replace("date: 2017-01-04", "date: 2017")  # an unquoted year is read as one
    case, errors = parse_case(text, "x.yaml", authorities)
    assert errors == []
    assert [str(e.date) for e in case.timeline[:2]] == ["2016-12", "2017"]
    assert [e.date.precision for e in case.timeline[:2]] == ["month", "year"]


def test_precision_day_on_a_month_names_the_field(authorities, good_data):
    good_data["timeline"][3].update(date="2017-01", precision="day")
    _, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    error = _only(errors)
    assert error.field == "timeline[3].precision"
    assert "precision: day needs a full date" in error.message


def test_derived_must_be_true_or_false(authorities, good_data):
    good_data["timeline"][3]["derived"] = "yes"
    _, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    assert _only(errors).field == "timeline[3].derived"


def test_as_of_later_than_the_newest_source_is_an_error(content_dir, good_data):
    text = (content_dir / "authorities.yaml").read_text(encoding="utf-8")
    (content_dir / "authorities.yaml").write_text(
        text.replace('as_of: "2017-10-04"', 'as_of: "2018-02"', 1), encoding="utf-8")
    _write_case(content_dir, "kharkova.yaml", good_data)
    library, errors = load_library(content_dir)
    error = _only(errors)
    assert error.file == "content/cases/kharkova.yaml"
    assert error.field == "addressees[0]"
    assert "'kz-president' is listed as of 2018-02" in error.message
    assert "newest source (2017-10-04)" in error.message
    assert "kharkova" not in library.cases


def test_as_of_in_the_same_month_as_the_newest_source_is_accepted(content_dir, good_data):
    text = (content_dir / "authorities.yaml").read_text(encoding="utf-8")
    (content_dir / "authorities.yaml").write_text(
        text.replace('as_of: "2017-10-04"', 'as_of: "2017-10"', 1), encoding="utf-8")
    good_data["sources"][0]["date"] = "2017-10"
    _write_case(content_dir, "kharkova.yaml", good_data)
    _, errors = load_library(content_dir)
    assert errors == []


def test_source_index_must_exist(authorities, good_data):
    good_data["timeline"][0]["source"] = len(good_data["sources"])
    _, errors = parse_case(_dump(good_data), "x.yaml", authorities)
    assert _only(errors).field == "timeline[0].source"


def test_authority_without_as_of_is_an_error(tmp_path):
    path = tmp_path / "content" / "authorities.yaml"
    path.parent.mkdir()
    path.write_text(
        "authorities:\n"
        "  - key: x\n"
        "    name: Someone\n"
        "    role: Some office\n"
        "    salutation: {en: 'Dear Sir,', ru: 'Уважаемый господин!'}\n"
        "    faxes: ['+7 7172 506 402']\n", encoding="utf-8")
    found, errors = load_authorities(path)
    error = _only(errors)
    assert (error.field, found) == ("authorities[0].as_of", {})


def test_translation_gaps_list_missing_russian_texts(content_dir, good_data):
    good_data["summary"] = {"en": good_data["summary"]["en"]}
    for entry in good_data["timeline"]:
        entry["text"].setdefault("ru", "Текст на русском языке.")
    good_data["timeline"][2]["text"] = {"en": "English only."}
    _write_case(content_dir, "kharkova.yaml", good_data)
    library, errors = load_library(content_dir)
    assert errors == []
    assert [(g.file, g.field) for g in translation_gaps(library)] == [
        ("content/cases/kharkova.yaml", "summary.ru"),
        ("content/cases/kharkova.yaml", "timeline[2].text.ru"),
    ]
