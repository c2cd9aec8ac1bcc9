"""Load and check the case library: ``authorities.yaml`` plus one YAML file per case.

Everything here is a pure function of the files' text: no database, no network. Problems are
returned as :class:`ContentError` values (file, field, message) instead of being raised, so a
coordinator who uploads a broken case file in chat gets a list of specific, friendly messages.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from content.schema import Authority, Case

CONTENT_ROOT = Path(__file__).parent
AUTHORITIES_FILE = "authorities.yaml"
CASES_DIR = "cases"

# A case file is a few kilobytes; anything far larger is a mistake (or an attack on the parser).
MAX_FILE_CHARS = 200_000


@dataclass(frozen=True)
class ContentError:
    file: str  # e.g. "content/cases/kharkova.yaml"
    field: str  # e.g. "timeline[2].date", "addressees[1]", or "" for the whole file
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.file}: {self.field}: {self.message}"
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class Library:
    cases: dict[str, Case]  # slug -> Case
    authorities: dict[str, Authority]  # key -> Authority


# --------------------------------------------------------------------------------------------
# YAML reading


class _ContentYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars and no aliases.

    * dates stay strings, so pydantic reports an impossible date such as 2017-02-30 against its
      field (PyYAML would raise a bare ValueError while parsing);
    * ``10:30`` stays a string (YAML 1.1 reads it as the base-60 integer 630);
    * only true/false are booleans (``no``, ``on``, ``off`` stay strings);
    * aliases (``*name``) are refused, so a small upload cannot expand into a huge document.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not supported in content files; write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)


_DROPPED_TAGS = {
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
}
_ContentYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# An explicit !!timestamp stays text too: pydantic then checks it as a date or time.
_ContentYamlLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)
_ContentYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_ContentYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"),
    list("-+0123456789"),
)
_ContentYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)"
        r"|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _read_yaml(text: str | bytes, file: str) -> tuple[Any, list[ContentError]]:
    """Parse one YAML document. Returns (data, errors); data is None when there are errors."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return None, [ContentError(
                file, "", f"the file is not UTF-8 text (undecodable byte at position "
                f"{exc.start}); save it as UTF-8 and try again")]
    if not isinstance(text, str):
        return None, [ContentError(file, "", f"expected text, got {type(text).__name__}")]
    if len(text) > MAX_FILE_CHARS:
        return None, [ContentError(
            file, "", f"the file is too large ({len(text)} characters; at most {MAX_FILE_CHARS})")]
    try:
        data = yaml.load(text, Loader=_ContentYamlLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        return None, [ContentError(file, "", f"YAML syntax error{where}: {problem}")]
    except yaml.YAMLError as exc:
        return None, [ContentError(file, "", f"YAML syntax error: {exc}")]
    except RecursionError:
        return None, [ContentError(file, "", "the YAML is nested too deeply to read")]
    except Exception as exc:  # noqa: BLE001 - bad input must never crash the caller
        return None, [ContentError(
            file, "", f"could not read a value in the YAML ({exc}); check any '!!' tags")]
    return data, []


# --------------------------------------------------------------------------------------------
# Turning pydantic errors into ContentErrors


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for item in loc:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            out += ("." if out else "") + str(item)
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unwrap(annotation: Any) -> Any:
    """list[X] -> X is done by the caller; here: X | None -> X."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class found by following loc from model, or None."""
    current: Any = model
    try:
        for item in loc:
            current = _unwrap(current)
            if isinstance(item, int):
                if typing.get_origin(current) is not list:
                    return None
                current = typing.get_args(current)[0]
            else:
                if not (isinstance(current, type) and issubclass(current, BaseModel)):
                    return None
                current = current.model_fields[item].annotation
        current = _unwrap(current)
    except (KeyError, IndexError, TypeError):
        return None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


_PATTERN_HINTS = {
    "slug": "use 1-64 letters, digits, '-' or '_' (no spaces): the slug becomes part of a "
    "t.me link",
    "key": "use 1-48 lowercase letters, digits, '-' or '_' (no spaces), e.g. 'kz-president'",
}


def _friendly(error: dict[str, Any], model: type[BaseModel]) -> tuple[str, str]:
    """(field path, message) for one pydantic error."""
    loc = tuple(error.get("loc", ()))
    kind = error.get("type", "")
    value = error.get("input")
    ctx = error.get("ctx") or {}
    message = str(error.get("msg", "is invalid"))
    field = _loc_to_path(loc)
    last = loc[-1] if loc else ""

    if kind == "missing":
        return field, "this required field is missing"
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        allowed = list(parent.model_fields) if parent else []
        text = f"unknown field {str(last)!r}"
        close = difflib.get_close_matches(str(last), allowed, n=1)
        if close:
            text += f" (did you mean {close[0]!r}?)"
        if allowed:
            text += f"; allowed here: {', '.join(allowed)}"
        return field, text
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_from_datetime_inexact"):
        reason = ctx.get("error")
        reason_text = f" ({reason})" if reason else ""
        return field, (
            f"{_short(value)} is not a real calendar date{reason_text}; "
            "write dates as YYYY-MM-DD, e.g. 2017-09-29"
        )
    if kind == "date_type":
        return field, f"{_short(value)} is not a date; write dates as YYYY-MM-DD, e.g. 2017-09-29"
    if kind.startswith("time_"):
        return (
            field,
            f"{_short(value)} is not a valid time of day; write times as HH:MM, e.g. 10:30",
        )
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(last), f"it must match {ctx.get('pattern', 'the pattern')}")
        return field, f"{_short(value)} is not a valid {last}: {hint}"
    if kind == "string_too_long":
        length = len(value) if isinstance(value, str) else "?"
        return field, (
            f"is {length} characters long; at most {ctx.get('max_length')} allowed, please shorten it"
        )
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        if minimum <= 1 or not (isinstance(value, str) and value.strip()):
            return field, "must not be empty"
        return field, f"is too short: at least {minimum} characters, got {_short(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return field, f"{message.replace('Input should be', 'must be')} (got {_short(value)})"
    if kind == "too_short":
        return field, f"needs at least {ctx.get('min_length', 1)} item(s)"
    if kind == "too_long":
        return field, (f"has {ctx.get('actual_length', '?')} items; at most "
                       f"{ctx.get('max_length')} fit in a message, please shorten the list")
    if kind == "literal_error":
        return field, f"{message}, got {_short(value)}"
    if kind == "value_error":
        return field, message.removeprefix("Value error, ")
    if kind.endswith(("_type", "_parsing")):
        got = type(value).__name__ if value is not None else "nothing"
        hint = ""
        if kind == "string_type" and isinstance(value, (bool, int, float)):
            hint = " (put the value in quotes)"
        return field, f"{message} (got {got}: {_short(value)}){hint}"
    return field, message


def _validation_errors(
    exc: ValidationError, model: type[BaseModel], file: str, prefix: str = ""
) -> list[ContentError]:
    out = []
    for error in exc.errors():
        field, message = _friendly(error, model)
        if prefix:
            field = f"{prefix}.{field}" if field else prefix
        out.append(ContentError(file, field, message))
    return out


def _control_char_errors(data: Any, file: str, loc: tuple[Any, ...] = ()) -> list[ContentError]:
    """Strings holding a control character (YAML's "\\0", "\\x07" escapes…): the schema takes
    them, but no message can show them and PostgreSQL stores no NUL."""
    if isinstance(data, str):
        bad = next((c for c in data if c not in "\t\n\r" and unicodedata.category(c) in
                    ("Cc", "Cs")), None)
        if bad is None:
            return []
        return [ContentError(file, _loc_to_path(loc), f"contains the control character "
                             f"U+{ord(bad):04X}; remove it (check for escapes like \\0)")]
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return []
    return [error for key, value in items
            for error in _control_char_errors(value, file, loc + (key,))]


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
        control = _control_char_errors(item, file, ("authorities", index))
        if control:
            errors.extend(control)
            continue
        try:
            authority = Authority.model_validate(item)
        except ValidationError as exc:
            for error in _validation_errors(exc, Authority, file, where):
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
    data, errors = _read_yaml(raw, file)
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
    data, errors = _read_yaml(text, file)
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
            ContentError(file, "", f"field names must be text; found {_short(bad_keys[0])}")
        ]

    errors = _control_char_errors(data, file)
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
            field, message = _friendly(error, Case)
            errors.append(ContentError(file, field, message))
    # Checked even when the schema failed, so one upload shows every problem at once.
    errors.extend(_addressee_errors(data, file, authorities))
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
