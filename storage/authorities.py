"""The authority directory as loaded from content/authorities.yaml, and checks of its addresses.

A coordinator's "this address is still current" mark lives in the row's own columns, which
loading the files never touches, so it survives every reload.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content.schema import Authority as AuthorityDoc
from storage.models import Authority, Case

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DirectoryEntry:
    """An authority as the files give it, with the latest check a coordinator made in chat."""

    authority: AuthorityDoc
    verified_at: dt.datetime | None = None
    verified_by: int | None = None  # the coordinator's Telegram id


def _document(row: Authority) -> AuthorityDoc | None:
    try:
        return AuthorityDoc.model_validate(row.data)
    except ValidationError:
        # A row the files no longer list, stored by an older version of the schema.
        log.warning("authority %r is stored in an outdated format; skipped", row.key)
        return None


async def get_authorities(*, session: AsyncSession, keys: list[str]) -> list[AuthorityDoc]:
    """The authorities with these keys, in the order given (unknown keys are left out)."""
    return [entry.authority for entry in await get_entries(session=session, keys=keys)]


async def get_authority(*, session: AsyncSession, key: str) -> AuthorityDoc | None:
    row = await session.get(Authority, key)
    return _document(row) if row else None


async def all_authorities(*, session: AsyncSession) -> dict[str, AuthorityDoc]:
    """Every authority the database holds, by key (what an uploaded case file may address)."""
    found = {}
    for row in (await session.exec(select(Authority))).all():
        document = _document(row)
        if document is not None:
            found[row.key] = document
    return found


async def get_entries(*, session: AsyncSession, keys: Sequence[str]) -> list[DirectoryEntry]:
    """Directory entries for these keys, in the order given (unknown keys are left out)."""
    rows = (await session.exec(select(Authority).where(col(Authority.key).in_(list(keys))))).all()
    by_key = {}
    for row in rows:
        document = _document(row)
        if document is not None:
            by_key[row.key] = DirectoryEntry(document, row.verified_at, row.verified_by)
    return [by_key[key] for key in keys if key in by_key]


async def mark_verified(*, session: AsyncSession, key: str, actor_id: int,
                        now: dt.datetime) -> bool:
    """Record that ``actor_id`` checked the address of ``key`` now; False if there is no such
    authority."""
    row = await session.get(Authority, key)
    if row is None:
        return False
    row.verified_at, row.verified_by = now, actor_id
    session.add(row)
    await session.flush()
    return True


async def addressees_of_open_cases(*, session: AsyncSession) -> dict[str, list[str]]:
    """Authority key → the slugs of the open cases that ask for letters to it."""
    query = (select(Case.slug, Case.data)
             .where(Case.status == "open", col(Case.closed_at).is_(None))
             .order_by(Case.slug))
    found: dict[str, list[str]] = {}
    for slug, data in (await session.exec(query)).all():
        addressees = data.get("addressees") if isinstance(data, dict) else None
        for key in addressees if isinstance(addressees, list) else []:
            if isinstance(key, str):
                found.setdefault(key, []).append(slug)
    return found
