"""The authority directory as loaded from content/authorities.yaml."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content.schema import Authority as AuthorityDoc
from storage.models import Authority


async def get_authorities(*, session: AsyncSession, keys: list[str]) -> list[AuthorityDoc]:
    """The authorities with these keys, in the order given (unknown keys are left out)."""
    rows = (await session.exec(select(Authority).where(col(Authority.key).in_(keys)))).all()
    by_key = {row.key: AuthorityDoc.model_validate(row.data) for row in rows}
    return [by_key[key] for key in keys if key in by_key]


async def authority_directory(*, session: AsyncSession) -> dict[str, AuthorityDoc]:
    """Every authority by key (what a case file's addressees are checked against)."""
    rows = (await session.exec(select(Authority))).all()
    return {row.key: AuthorityDoc.model_validate(row.data) for row in rows}


async def get_authority(*, session: AsyncSession, key: str) -> AuthorityDoc | None:
    row = await session.get(Authority, key)
    return AuthorityDoc.model_validate(row.data) if row else None
