"""The editor's fields: a typed value is checked with the case schema and refused with its
messages when the field itself is wrong; the authority form reads back what it renders."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.case_editor import authority_form, fields
from bot.case_editor.document import check, check_authority, from_case
from content.loader import CONTENT_ROOT, load_library

LIBRARY, _ = load_library()
KHARKOVA = from_case(LIBRARY.cases["kharkova"])


def test_a_wrong_value_is_refused_and_changes_nothing():
    data, errors = fields.apply(KHARKOVA, "slug", None, "not a slug!", LIBRARY.authorities)
    assert data == KHARKOVA and [e.field for e in errors] == ["slug"]
    data, errors = fields.apply(KHARKOVA, "title", "ru", "ab", LIBRARY.authorities)
    assert data == KHARKOVA and errors[0].field == "title.ru"
    data, errors = fields.apply(KHARKOVA, "timeline", None, "2017-02-30 hearing Held.",
                                LIBRARY.authorities)
    assert data == KHARKOVA and errors[0].field.startswith("timeline[")
    data, errors = fields.apply(KHARKOVA, "timezone", None, "Mars/Olympus", LIBRARY.authorities)
    assert data == KHARKOVA and errors[0].field == "timezone"


def test_values_go_where_the_schema_wants_them():
    data, errors = fields.apply(KHARKOVA, "timeline", None, "2017-06 other A month only.",
                                LIBRARY.authorities)
    assert errors == [] and data["timeline"][-1] == {
        "key": "other-2017-06", "date": "2017-06", "kind": "other",
        "text": {"en": "A month only."}, "source": 0}
    data, _ = fields.apply(data, "people", None, "A Person — a role\nB Person – another",
                           LIBRARY.authorities)
    assert data["people"] == [{"name": "A Person", "role": "a role"},
                              {"name": "B Person", "role": "another"}]
    data, errors = fields.apply(data, "actions", "kk", "1. Бірінші.\n2. Екінші.",
                                LIBRARY.authorities)
    assert errors == [] and [a.get("kk") for a in data["requested_actions"]][:2] == [
        "Бірінші.", "Екінші."]
    assert all("kk" not in a for a in data["requested_actions"][2:])
    data, errors = fields.apply(data, "act_before", None, "-", LIBRARY.authorities)
    assert errors == [] and "act_before" not in (check(data, LIBRARY.authorities)[0]
                                                 .model_dump(exclude_none=True))
    removed = fields.remove_timeline_entry(data, len(data["timeline"]) - 1)
    assert len(removed["timeline"]) == len(data["timeline"]) - 1
    toggled = fields.toggle_addressee(data, "kz-president")
    assert "kz-president" not in toggled["addressees"]
    assert "kz-president" in fields.toggle_addressee(toggled, "kz-president")["addressees"]


def test_the_authority_form_round_trip():
    directory = yaml.safe_load((CONTENT_ROOT / "authorities.yaml").read_text())["authorities"]
    for document in directory[:7]:
        parsed, unknown = authority_form.parse(authority_form.render(document))
        authority, errors = check_authority(parsed)
        assert unknown == [] and errors == [] and authority == LIBRARY.authorities[
            document["key"]]
    parsed, unknown = authority_form.parse("name: X Y\nrole: Minister\nemail: [email protected]"
                                           "\nshoe size: 42")
    authority, errors = check_authority(parsed)
    assert unknown == ["shoe size"] and authority is None
    assert {e.field.split(".")[1].split("[")[0] for e in errors} >= {"emails", "salutation",
                                                                    "as_of"}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(fields.FIELDS)), st.sampled_from([None, *fields.LANGUAGES]),
       st.text(max_size=300))
def test_any_typed_text_in_any_field_never_crashes(name, lang, text):
    if fields.FIELDS[name].per_language and lang is None:
        lang = "en"
    data, errors = fields.apply(KHARKOVA, name, lang, text, LIBRARY.authorities)
    assert (data == KHARKOVA) if errors else isinstance(data, dict)
    parsed, _ = authority_form.parse(text)
    check_authority(parsed)
