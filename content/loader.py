"""Load and check the case library: ``authorities.yaml`` plus one YAML file per case.

Everything here is a pure function of the files' text: no database, no network. Problems are
returned as :class:`ContentError` values (file, field, message) instead of being raised, so a
coordinator who uploads a broken case file in chat gets a list of specific, friendly messages.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from content.errors import (
    ContentError,
    control_char_errors,
    friendly,
    short,
    validation_errors,
)
from content.schema import Authority, Case
from content.yaml_reader import MAX_FILE_CHARS, read_yaml

__all__ = ["AUTHORITIES_FILE", "CASES_DIR", "CONTENT_ROOT", "MAX_FILE_CHARS", "ContentError",
           "Library", "load_authorities", "load_library", "parse_case", "translation_gaps"]

CONTENT_ROOT = Path(__file__).parent
AUTHORITIES_FILE = "authorities.yaml"
CASES_DIR = "cases"


@dataclass(frozen=True)
class Library:
    cases: dict[str, Case]  # slug -> Case
    authorities: dict[str, Authority]  # key -> Authority


# --------------------------------------------------------------------------------------------
# Authorities


def _display_path(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def _parse_authorities(data: Any, file: str) -> tuple[dict[str, Authority], list[ContentError]]:
    if data is None:
        return {}, [ContentError(file, "", "the file is empty; expected 'authorities:' and a list")]
    if not isinstance(data, dict):
        return {}, [
            ContentError(file, "", "expected a mapping with one key 'authorities:' holding a list")
        ]
    errors: list[ContentError] = []
    for key in data:
        if key != "authorities":
            errors.append(
                ContentError(file, str(key), "unknown top-level key; only 'authorities' is allowed")
            )
    items = data.get("authorities")
    if not isinstance(items, list):
        errors.append(ContentError(file, "authorities", "must be a list of authorities"))
        return {}, errors

    found: dict[str, Authority] = {}
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        where = f"authorities[{index}]"
        label = ""
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            label = f"(authority {item['key']!r}) "
        control = control_char_errors(item, file, ("authorities", index))
        if control:
            errors.extend(control)
            continue
        try:
            authority = Authority.model_validate(item)
        except ValidationError as exc:
            for error in validation_errors(exc, Authority, file, where):
                errors.append(ContentError(error.file, error.field, label + error.message))
            continue
        if authority.key in found:
            errors.append(
                ContentError(
                    file,
                    f"{where}.key",
                    f"key {authority.key!r} is already used by authorities"
                    f"[{first_index[authority.key]}]; every authority needs its own key",
                )
            )
            continue
        found[authority.key] = authority
        first_index[authority.key] = index
    return found, errors


def load_authorities(path: Path) -> tuple[dict[str, Authority], list[ContentError]]:
    """Read the authority directory. Valid entries are returned even if others are broken."""
    path = Path(path)
    file = _display_path(path, path.parent.parent)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return {}, [ContentError(file, "", f"cannot read the file: {exc.strerror or exc}")]
    data, errors = read_yaml(raw, file)
    if errors:
        return {}, errors
    return _parse_authorities(data, file)


# --------------------------------------------------------------------------------------------
# Cases


def _consistency_errors(data: dict[str, Any], file: str) -> list[ContentError]:
    """Precise versions of the checks in Case._timeline_consistent (which has no field path)."""
    errors: list[ContentError] = []
    sources = data.get("sources")
    n_sources = len(sources) if isinstance(sources, list) else 0
    timeline = data.get("timeline")
    seen_keys: dict[str, int] = {}
    for index, entry in enumerate(timeline if isinstance(timeline, list) else []):
        if not isinstance(entry, dict):
            continue
        key = entry.get("key")
        if isinstance(key, str):
            if key in seen_keys:
                errors.append(
                    ContentError(
                        file,
                        f"timeline[{index}].key",
                        f"{key!r} is already used by timeline[{seen_keys[key]}]; "
                        "keys must be unique within a case",
                    )
                )
            else:
                seen_keys[key] = index
        source = entry.get("source")
        if isinstance(source, int) and not isinstance(source, bool) and source >= n_sources:
            errors.append(
                ContentError(
                    file,
                    f"timeline[{index}].source",
                    f"{source} is not a valid source number: this case has {n_sources} "
                    f"source(s), numbered from 0 to {n_sources - 1}",
                )
            )
    addressees = data.get("addressees")
    seen_addressees: dict[str, int] = {}
    for index, key in enumerate(addressees if isinstance(addressees, list) else []):
        if not isinstance(key, str):
            continue
        key = key.strip()
        if key in seen_addressees:
            errors.append(
                ContentError(
                    file,
                    f"addressees[{index}]",
                    f"{key!r} is listed twice (also addressees[{seen_addressees[key]}])",
                )
            )
        else:
            seen_addressees[key] = index
    return errors


def _addressee_errors(
    data: dict[str, Any], file: str, authorities: dict[str, Authority]
) -> list[ContentError]:
    addressees = data.get("addressees")
    if not isinstance(addressees, list):
        return []
    errors: list[ContentError] = []
    known = sorted(authorities)
    seen: dict[str, int] = {}
    for index, key in enumerate(addressees):
        if not isinstance(key, str):
            continue  # the schema reports the type
        where = f"addressees[{index}]"
        key = key.strip()
        if key in seen:
            continue  # a repeated key is reported once, by _consistency_errors
        seen[key] = index
        authority = authorities.get(key)
        if authority is None:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" - did you mean {close[0]!r}?" if close else ""
            listing = ", ".join(known) if known else "none: authorities.yaml has no entries"
            errors.append(
                ContentError(file, where, f"unknown authority {key!r}{hint} (known: {listing})")
            )
        elif not authority.channels():
            errors.append(
                ContentError(
                    file,
                    where,
                    f"authority {key!r} has no e-mail, fax, postal address or web form, so no "
                    "letter can reach it; add a channel in authorities.yaml or drop it here",
                )
            )
    return errors


def _as_of_errors(case: Case, file: str, authorities: dict[str, Authority]) -> list[ContentError]:
    """An addressee cannot be listed by a source newer than every source of the case."""
    newest = case.newest_source_date()
    if newest is None:
        return []  # no source gives a date: nothing to compare with
    errors = []
    for index, key in enumerate(case.addressees):
        authority = authorities.get(key)
        if authority is not None and authority.as_of.first_day > newest.last_day:
            errors.append(ContentError(
                file, f"addressees[{index}]",
                f"authority {key!r} is listed as of {authority.as_of}, later than this case's "
                f"newest source ({newest}); add the source that lists it to sources, or "
                "correct as_of in authorities.yaml"))
    return errors


def translation_gaps(library: Library, language: str = "ru") -> list[ContentError]:
    """Summaries and timeline texts of the library that have no text in ``language``.

    The schema requires only English there (an upload in English alone is valid); the shipped
    library is expected to have Russian too, and check-content lists what is missing.
    """
    gaps = []
    for slug, case in sorted(library.cases.items()):
        file = f"content/{CASES_DIR}/{slug}.yaml"
        if getattr(case.summary, language) is None:
            gaps.append(ContentError(file, f"summary.{language}", "no translation yet"))
        for index, entry in enumerate(case.timeline):
            if getattr(entry.text, language) is None:
                gaps.append(ContentError(file, f"timeline[{index}].text.{language}",
                                         "no translation yet"))
    return gaps


def parse_case(
    text: str | bytes, filename: str, authorities: dict[str, Authority]
) -> tuple[Case | None, list[ContentError]]:
    """Parse and check one case file. Never raises: every problem becomes a ContentError."""
    try:
        return _parse_case(text, filename, authorities)
    except Exception as exc:  # noqa: BLE001 - last resort: bad input must never crash the bot
        return None, [ContentError(str(filename), "", f"could not check this file: {exc!r}")]


def _parse_case(
    text: str | bytes, filename: str, authorities: dict[str, Authority]
) -> tuple[Case | None, list[ContentError]]:
    file = str(filename)
    data, errors = read_yaml(text, file)
    if errors:
        return None, errors
    if data is None:
        return None, [ContentError(file, "", "the file is empty; expected the fields of a case")]
    if not isinstance(data, dict):
        return None, [
            ContentError(
                file,
                "",
                f"expected a mapping of case fields (slug:, title:, ...), got a "
                f"{type(data).__name__}",
            )
        ]
    bad_keys = [key for key in data if not isinstance(key, str)]
    if bad_keys:
        return None, [
            ContentError(file, "", f"field names must be text; found {short(bad_keys[0])}")
        ]

    errors = control_char_errors(data, file)
    case: Case | None = None
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            if not error.get("loc"):
                # A whole-case check (Case._timeline_consistent): report it precisely if we can.
                precise = _consistency_errors(data, file)
                if precise:
                    errors.extend(precise)
                    continue
            field, message = friendly(error, Case)
            errors.append(ContentError(file, field, message))
    # Checked even when the schema failed, so one upload shows every problem at once.
    errors.extend(_addressee_errors(data, file, authorities))
    if case is not None:
        errors.extend(_as_of_errors(case, file, authorities))
    if errors:
        return None, errors
    return case, []


def load_library(root: Path = CONTENT_ROOT) -> tuple[Library, list[ContentError]]:
    """Load authorities.yaml and cases/*.yaml (sorted by name) under root."""
    root = Path(root)
    base = root.parent
    authorities, errors = load_authorities(root / AUTHORITIES_FILE)
    errors = list(errors)
    cases: dict[str, Case] = {}

    cases_dir = root / CASES_DIR
    if not cases_dir.is_dir():
        errors.append(
            ContentError(_display_path(cases_dir, base), "", "the cases folder is missing")
        )
        return Library(cases=cases, authorities=authorities), errors

    parsed: list[tuple[str, Path, Case]] = []
    for path in sorted(cases_dir.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or not path.is_file():
            continue
        file = _display_path(path, base)
        if path.suffix == ".yml":
            errors.append(
                ContentError(
                    file, "", f"only .yaml files are loaded; rename it to {path.stem}.yaml"
                )
            )
            continue
        if path.suffix != ".yaml":
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            errors.append(ContentError(file, "", f"cannot read the file: {exc.strerror or exc}"))
            continue
        case, case_errors = parse_case(raw, file, authorities)
        errors.extend(case_errors)
        if case is not None:
            parsed.append((file, path, case))

    # A slug belongs to the file named after it (or, failing that, to the first file using it).
    owners = {case.slug: file for file, path, case in parsed if case.slug == path.stem}
    for file, _path, case in parsed:
        owners.setdefault(case.slug, file)
    for file, path, case in parsed:
        ok = True
        if case.slug != path.stem:
            errors.append(
                ContentError(
                    file,
                    "slug",
                    f"slug {case.slug!r} does not match the file name {path.name!r}; "
                    f"rename the file to {case.slug}.yaml or change the slug to {path.stem!r}",
                )
            )
            ok = False
        if owners[case.slug] != file:
            errors.append(
                ContentError(
                    file,
                    "slug",
                    f"slug {case.slug!r} is already used by {owners[case.slug]}; "
                    "every case needs its own slug",
                )
            )
            ok = False
        if ok:
            cases[case.slug] = case
    return Library(cases=cases, authorities=authorities), errors
