"""Problems in content files, and pydantic's validation errors turned into friendly ones.

A :class:`ContentError` names the file, the field and what to do, so a coordinator who uploads a
broken case file in chat gets a list of specific messages instead of a traceback.
"""

from __future__ import annotations

import difflib
import types
import typing
import unicodedata
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class ContentError:
    file: str  # e.g. "content/cases/kharkova.yaml"
    field: str  # e.g. "timeline[2].date", "addressees[1]", or "" for the whole file
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.file}: {self.field}: {self.message}"
        return f"{self.file}: {self.message}"


def loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for item in loc:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            out += ("." if out else "") + str(item)
    return out


def short(value: Any, limit: int = 60) -> str:
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


_LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "kk": "Kazakh"}

_PATTERN_HINTS = {
    "slug": "use 1-64 letters, digits, '-' or '_' (no spaces): the slug becomes part of a "
    "t.me link",
    "key": "use 1-48 lowercase letters, digits, '-' or '_' (no spaces), e.g. 'kz-president'",
}


def friendly(error: dict[str, Any], model: type[BaseModel]) -> tuple[str, str]:
    """(field path, message) for one pydantic error."""
    loc = tuple(error.get("loc", ()))
    kind = error.get("type", "")
    value = error.get("input")
    ctx = error.get("ctx") or {}
    message = str(error.get("msg", "is invalid"))
    field = loc_to_path(loc)
    last = loc[-1] if loc else ""

    if kind == "missing":
        if last in ("en", "ru", "kk"):
            return field, f"the text in {_LANGUAGE_NAMES[str(last)]} ({last}: …) is missing"
        return field, "this required field is missing"
    if kind in ("model_type", "dict_type") and isinstance(value, str):
        return field, ("is a plain text here, but it is needed per language: write it as a "
                       "mapping, with 'en: …' and 'ru: …' on their own lines below it")
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
            f"{short(value)} is not a real calendar date{reason_text}; "
            "write dates as YYYY-MM-DD, e.g. 2017-09-29"
        )
    if kind == "date_type":
        return field, f"{short(value)} is not a date; write dates as YYYY-MM-DD, e.g. 2017-09-29"
    if kind.startswith("time_"):
        return (
            field,
            f"{short(value)} is not a valid time of day; write times as HH:MM, e.g. 10:30",
        )
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(last), f"it must match {ctx.get('pattern', 'the pattern')}")
        return field, f"{short(value)} is not a valid {last}: {hint}"
    if kind == "string_too_long":
        length = len(value) if isinstance(value, str) else "?"
        return field, (
            f"is {length} characters long; at most {ctx.get('max_length')} allowed, please shorten it"
        )
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        if minimum <= 1 or not (isinstance(value, str) and value.strip()):
            return field, "must not be empty"
        return field, f"is too short: at least {minimum} characters, got {short(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return field, f"{message.replace('Input should be', 'must be')} (got {short(value)})"
    if kind == "too_short":
        return field, f"needs at least {ctx.get('min_length', 1)} item(s)"
    if kind == "too_long":
        return field, (f"has {ctx.get('actual_length', '?')} items; at most "
                       f"{ctx.get('max_length')} fit in a message, please shorten the list")
    if kind == "literal_error":
        return field, f"{message}, got {short(value)}"
    if kind == "value_error":
        return field, message.removeprefix("Value error, ")
    if kind.endswith(("_type", "_parsing")):
        got = type(value).__name__ if value is not None else "nothing"
        hint = ""
        if kind == "string_type" and isinstance(value, (bool, int, float)):
            hint = " (put the value in quotes)"
        return field, f"{message} (got {got}: {short(value)}){hint}"
    return field, message


def validation_errors(
    exc: ValidationError, model: type[BaseModel], file: str, prefix: str = ""
) -> list[ContentError]:
    out = []
    for error in exc.errors():
        field, message = friendly(error, model)
        if prefix:
            field = f"{prefix}.{field}" if field else prefix
        out.append(ContentError(file, field, message))
    return out


def control_char_errors(data: Any, file: str, loc: tuple[Any, ...] = ()) -> list[ContentError]:
    """Strings holding a control character (YAML's "\\0", "\\x07" escapes…): the schema takes
    them, but no message can show them and PostgreSQL stores no NUL."""
    if isinstance(data, str):
        bad = next((c for c in data if c not in "\t\n\r" and unicodedata.category(c) in
                    ("Cc", "Cs")), None)
        if bad is None:
            return []
        return [ContentError(file, loc_to_path(loc), f"contains a control character "
                             f"(U+{ord(bad):04X}); remove it (check for escapes like \\0)")]
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return []
    return [error for key, value in items
            for error in control_char_errors(value, file, loc + (key,))]
