"""Personal deep links: ``?start=<slug>-r<code>`` opens the case like ``?start=<slug>`` and
counts one more person who joined through that supporter's link."""

from __future__ import annotations

import re

from storage.referrals import CODE_LENGTH

START_LIMIT = 64  # Telegram's limit for a start parameter ([A-Za-z0-9_-])
_LINK = re.compile(rf"(?P<slug>[A-Za-z0-9_-]+)-r(?P<code>[A-Za-z0-9]{{{CODE_LENGTH}}})")


def start_parameter(slug: str, code: str) -> str:
    """``<slug>-r<code>``, or the plain slug when the two would not fit in 64 characters."""
    parameter = f"{slug}-r{code}"
    return parameter if len(parameter) <= START_LIMIT else slug


def split_parameter(parameter: str) -> tuple[str, str] | None:
    """(slug, code) of ``<slug>-r<code>``, or None if it is not that shape."""
    match = _LINK.fullmatch(parameter)
    return (match["slug"], match["code"]) if match else None


def link(bot_username: str, slug: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={start_parameter(slug, code)}"
