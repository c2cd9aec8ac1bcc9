"""Case files a coordinator sends in chat: checked with the same rules as content/, then added
or updated like a file of the library."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coordination.scope import EVERY_CASE, Scope
from bot.i18n import t, tn
from bot.render import shorten_html_lines
from content.loader import ContentError, parse_case
from storage import audit
from storage import cases as case_queries
from storage.authorities import all_authorities
from storage.library_sync import upsert_case

MAX_UPLOAD_BYTES = 200_000


@dataclass(frozen=True)
class Upload:
    errors: list[ContentError]
    slug: str | None = None
    title: str | None = None
    outcome: str | None = None  # created | updated | unchanged
    kept: list[str] = field(default_factory=list)  # timeline keys kept for chat additions


async def upload_case(*, session: AsyncSession, actor_id: int, filename: str, content: bytes,
                      now: dt.datetime, scope: Scope = EVERY_CASE,
                      lang: str = "en") -> Upload:
    """Check a case file with the same rules as content/ and add or update its case (a
    limited coordinator: only one of their cases)."""
    authorities = await all_authorities(session=session)
    case, errors = parse_case(content, filename, authorities)
    if case is None:
        return Upload(errors=errors)
    if scope.limited:
        existing = await case_queries.get_case_by_slug(session=session, slug=case.slug)
        if existing is None or not scope.allows(existing.id):
            return Upload(errors=[ContentError(filename, "slug", t(
                "you coordinate only some cases, and “{slug}” is not one of them", lang,
                slug=case.slug))])
    synced = await upsert_case(session=session, case=case, origin="upload")
    await audit.record(session=session, actor_id=actor_id, action="upload_case",
                       detail=f"{case.slug} ({synced.outcome}) from {filename}", now=now)
    return Upload(errors=[], slug=case.slug, title=case.title.en, outcome=synced.outcome,
                  kept=synced.kept)


def upload_errors_text(filename: str, errors: Sequence[ContentError], lang: str = "en") -> str:
    lines = [t("❌ <b>{file}</b> was not loaded: {problems}.", lang, file=escape(filename),
               problems=tn("{count} problem", "{count} problems", len(errors), lang)), ""]
    for error in errors:
        where = f"<code>{escape(error.file)}</code>"
        if error.field:
            where += f" · <code>{escape(error.field)}</code>"
        lines.append(f"• {where}: {escape(error.message)}")
    lines += ["", t("Fix the file and send it again.", lang)]
    return shorten_html_lines(lines)
