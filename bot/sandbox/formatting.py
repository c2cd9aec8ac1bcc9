"""Telegram text formatting as the Bot API server does it.

``parse_html`` turns the HTML a bot sends with ``parse_mode=HTML`` into plain text plus
``MessageEntity`` dicts (offsets/lengths in UTF-16 code units, like Telegram), and raises
:class:`EntityParseError` with Telegram's wording for markup Telegram refuses.

It is deliberately a little stricter than Telegram in one respect: a ``&`` in the text that
does not start a known entity (``&lt; &gt; &amp; &quot;`` or a numeric one) is an error
(Telegram keeps it literally), because it almost always means that user input was not escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "TEXT_WHITESPACE",
    "EntityParseError",
    "parse_html",
    "parse_markdown_v2",
    "trim_text",
    "utf16_len",
]


class EntityParseError(ValueError):
    """Raised for markup Telegram refuses; ``str(exc)`` is the text after
    ``"Bad Request: can't parse entities: "``."""


def utf16_len(s: str) -> int:
    if s.isascii():
        return len(s)
    return len(s.encode("utf-16-le")) // 2


def _byte_offset(s: str, index: int) -> int:
    return len(s[:index].encode("utf-8"))


# tag name -> entity type (None = decided by attributes)
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SUPPORTED_TAGS = set(_SIMPLE_TAGS) | {"a", "span", "tg-emoji", "blockquote"}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([a-zA-Z]{1,16}));")
_SPACE = " \t\r\n\f\v"
TEXT_WHITESPACE = " \t\r\n"


def _decode_entity(s: str, i: int) -> tuple[str, int] | None:
    """Decode an HTML entity starting at ``s[i] == '&'``; return (char, end) or None."""
    m = _ENTITY_RE.match(s, i)
    if not m:
        return None
    dec, hexa, name = m.groups()
    if name is not None:
        ch = _NAMED_ENTITIES.get(name)
        if ch is None:
            return None
        return ch, m.end()
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


@dataclass
class _Open:
    tag: str
    start: int  # utf-16 offset in output
    byte_pos: int
    attrs: dict[str, str] = field(default_factory=dict)
    language: str | None = None  # for <pre> with nested <code class="language-x">


def _parse_tag_attrs(s: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes from s[i] up to and including '>'. Returns (attrs, index after '>')."""
    n = len(s)
    attrs: dict[str, str] = {}
    while True:
        while i < n and s[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if s[i] == ">":
            return attrs, i + 1
        if s.startswith("/>", i):  # Telegram has no void/self-closing tags
            raise EntityParseError(f'Unsupported self-closing tag "{tag}" at byte offset {begin}')
        name_start = i
        while i < n and s[i] not in _SPACE and s[i] not in "=>":
            i += 1
        name = s[name_start:i].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
            )
        while i < n and s[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if s[i] != "=":
            # valueless attribute, e.g. <blockquote expandable>
            attrs[name] = ""
            continue
        i += 1
        while i < n and s[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if s[i] in "'\"":
            quote = s[i]
            i += 1
            buf: list[str] = []
            while i < n and s[i] != quote:
                if s[i] == "&":
                    dec = _decode_entity(s, i)
                    if dec is not None:
                        buf.append(dec[0])
                        i = dec[1]
                        continue
                buf.append(s[i])
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            i += 1
            attrs[name] = "".join(buf)
        else:
            tok_start = i
            while i < n and (s[i].isalnum() or s[i] in ".-"):
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            if s[i] not in _SPACE and s[i] != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(s, tok_start)}"
                )
            attrs[name] = s[tok_start:i].lower()


def parse_html(s: str) -> tuple[str, list[dict]]:
    """Parse Telegram-flavoured HTML. Returns (plain_text, entities)."""
    out: list[str] = []
    pos16 = 0
    stack: list[_Open] = []
    entities: list[dict] = []
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "&":
            dec = _decode_entity(s, i)
            if dec is None:
                raise EntityParseError(
                    f"Character '&' at byte offset {_byte_offset(s, i)} does not start a "
                    "supported HTML entity; escape it as &amp;"
                )
            out.append(dec[0])
            pos16 += utf16_len(dec[0])
            i = dec[1]
            continue
        if c != "<":
            j_lt = s.find("<", i)
            j_amp = s.find("&", i)
            j = min(x for x in (j_lt, j_amp, n) if x != -1)
            chunk = s[i:j]
            out.append(chunk)
            pos16 += utf16_len(chunk)
            i = j
            continue
        # a tag
        begin = i
        begin_b = _byte_offset(s, begin)
        i += 1
        if i < n and s[i] == "/":
            # end tag
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {begin_b}")
            i += 1
            name_start = i
            while i < n and s[i] not in _SPACE and s[i] != ">":
                i += 1
            end_name = s[name_start:i].lower()
            while i < n and s[i] in _SPACE:
                i += 1
            if i >= n or s[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {begin_b}")
            i += 1
            top = stack[-1]
            if end_name and end_name != top.tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {begin_b}, expected "</{top.tag}>", '
                    f'found "</{end_name}>"'
                )
            stack.pop()
            _close(top, stack, pos16, entities)
            continue
        # start tag
        name_start = i
        while i < n and s[i] not in _SPACE and s[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin_b}")
        tag = s[name_start:i].lower()
        if tag not in _SUPPORTED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin_b}')
        attrs, i = _parse_tag_attrs(s, i, tag, begin_b)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin_b}'
            )
        if tag == "tg-emoji" and not attrs.get("emoji-id"):
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {begin_b}'
            )
        stack.append(_Open(tag=tag, start=pos16, byte_pos=begin_b, attrs=attrs))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    text = "".join(out)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return text, entities


def _close(top: _Open, stack: list[_Open], pos16: int, entities: list[dict]) -> None:
    length = pos16 - top.start
    tag = top.tag
    if tag == "code" and stack and stack[-1].tag == "pre":
        cls = top.attrs.get("class", "")
        if cls.startswith("language-") and stack[-1].start == top.start:
            stack[-1].language = cls[len("language-") :]
            return
    if length <= 0:
        return
    ent: dict = {"offset": top.start, "length": length}
    if tag in _SIMPLE_TAGS:
        ent["type"] = _SIMPLE_TAGS[tag]
        if tag == "pre" and top.language:
            ent["language"] = top.language
    elif tag == "span":
        ent["type"] = "spoiler"
    elif tag == "a":
        href = top.attrs.get("href", "")
        if not href:
            return  # Telegram silently drops <a> without a usable href
        m = re.match(r"tg://user\?id=(\d+)$", href)
        if m:
            ent["type"] = "text_mention"
            ent["user"] = {"id": int(m.group(1)), "is_bot": False, "first_name": ""}
        else:
            ent["type"] = "text_link"
            ent["url"] = href
    elif tag == "tg-emoji":
        ent["type"] = "custom_emoji"
        ent["custom_emoji_id"] = top.attrs["emoji-id"]
    elif tag == "blockquote":
        ent["type"] = "expandable_blockquote" if "expandable" in top.attrs else "blockquote"
    else:  # pragma: no cover - guarded by _SUPPORTED_TAGS
        return
    entities.append(ent)


def trim_text(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Strip leading/trailing whitespace like Telegram does, keeping entities consistent."""
    stripped = text.strip(TEXT_WHITESPACE)
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip(TEXT_WHITESPACE))])
    total = utf16_len(stripped)
    fixed = []
    for e in entities:
        start = max(0, e["offset"] - lead)
        end = min(total, e["offset"] + e["length"] - lead)
        if end > start:
            e = dict(e, offset=start, length=end - start)
            fixed.append(e)
    return stripped, fixed


# ---------------------------------------------------------------- MarkdownV2 (best effort)

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_MARKERS = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


def parse_markdown_v2(s: str) -> tuple[str, list[dict]]:
    """A best-effort MarkdownV2 parser: enough to catch the usual unescaped-character bugs
    with Telegram's wording, and to produce plain text + basic entities."""
    out: list[str] = []
    pos16 = 0
    stack: list[tuple[str, int, int]] = []  # (marker, start16, byte_pos)
    entities: list[dict] = []
    i = 0
    n = len(s)

    def emit(chunk: str) -> None:
        nonlocal pos16
        out.append(chunk)
        pos16 += utf16_len(chunk)

    while i < n:
        c = s[i]
        if c == "\\":
            if i + 1 < n and ord(s[i + 1]) <= 126:
                emit(s[i + 1])
                i += 2
                continue
            emit(c)
            i += 1
            continue
        if c == "`":
            if s.startswith("```", i):
                end = s.find("```", i + 3)
                if end == -1:
                    raise EntityParseError(
                        f"Can't find end of pre entity at byte offset {_byte_offset(s, i)}"
                    )
                body = s[i + 3 : end]
                lang = None
                if "\n" in body:
                    first, rest = body.split("\n", 1)
                    if first and " " not in first:
                        lang, body = first, rest
                body = re.sub(r"\\([`\\])", r"\1", body)
                start = pos16
                emit(body)
                if pos16 > start:
                    ent = {"type": "pre", "offset": start, "length": pos16 - start}
                    if lang:
                        ent["language"] = lang
                    entities.append(ent)
                i = end + 3
                continue
            end = s.find("`", i + 1)
            if end == -1:
                raise EntityParseError(
                    f"Can't find end of code entity at byte offset {_byte_offset(s, i)}"
                )
            body = re.sub(r"\\([`\\])", r"\1", s[i + 1 : end])
            start = pos16
            emit(body)
            if pos16 > start:
                entities.append({"type": "code", "offset": start, "length": pos16 - start})
            i = end + 1
            continue
        if c == "[":
            stack.append(("[", pos16, _byte_offset(s, i)))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "[":
            _, start, bpos = stack.pop()
            if not s.startswith("(", i + 1):
                raise EntityParseError(
                    f"Can't find end of a url at byte offset {_byte_offset(s, i)}"
                )
            end = i + 2
            url_chars: list[str] = []
            while end < n and s[end] != ")":
                if s[end] == "\\" and end + 1 < n:
                    url_chars.append(s[end + 1])
                    end += 2
                    continue
                url_chars.append(s[end])
                end += 1
            if end >= n:
                raise EntityParseError(
                    f"Can't find end of a url at byte offset {_byte_offset(s, i)}"
                )
            if pos16 > start:
                entities.append(
                    {
                        "type": "text_link",
                        "offset": start,
                        "length": pos16 - start,
                        "url": "".join(url_chars),
                    }
                )
            i = end + 1
            continue
        marker = None
        if s.startswith("__", i):
            marker = "__"
        elif s.startswith("||", i):
            marker = "||"
        elif c in "*_~":
            marker = c
        if marker is not None:
            if stack and stack[-1][0] == marker:
                _, start, _b = stack.pop()
                if pos16 > start:
                    entities.append(
                        {"type": _MDV2_MARKERS[marker], "offset": start, "length": pos16 - start}
                    )
            else:
                stack.append((marker, pos16, _byte_offset(s, i)))
            i += len(marker)
            continue
        if c == ">" and (i == 0 or s[i - 1] == "\n"):  # blockquote line (no entity kept)
            i += 1
            continue
        if c in _MDV2_RESERVED:
            raise EntityParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        emit(c)
        i += 1
    if stack:
        marker, _start, bpos = stack[-1]
        kind = "text_link" if marker == "[" else _MDV2_MARKERS[marker]
        raise EntityParseError(
            f"Can't find end of {kind.replace('strikethrough', 'Strikethrough')} entity "
            f"at byte offset {bpos}"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
