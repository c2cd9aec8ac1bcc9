"""Reading content YAML safely: YAML 1.2-like scalars, no aliases, errors as ContentErrors."""

from __future__ import annotations

import re
from typing import Any

import yaml

from content.errors import ContentError

# A case file is a few kilobytes; anything far larger is a mistake (or an attack on the parser).
MAX_FILE_CHARS = 200_000


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


def read_yaml(text: str | bytes, file: str) -> tuple[Any, list[ContentError]]:
    """Parse one YAML document. Returns (data, errors); data is None when there are errors."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return None, [
                ContentError(
                    file,
                    "",
                    f"the file is not UTF-8 text (undecodable byte at position {exc.start}); "
                    "save it as UTF-8 and try again",
                )
            ]
    if not isinstance(text, str):
        return None, [ContentError(file, "", f"expected text, got {type(text).__name__}")]
    if len(text) > MAX_FILE_CHARS:
        return None, [
            ContentError(
                file,
                "",
                f"the file is too large ({len(text)} characters; at most {MAX_FILE_CHARS})",
            )
        ]
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
        return None, [
            ContentError(
                file, "", f"could not read a value in the YAML ({exc}); check any '!!' tags"
            )
        ]
    return data, []

