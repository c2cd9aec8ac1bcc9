"""Where each chat is in the letter wizard (one row per chat, :class:`WizardState`).

The row lives in the database so the wizard survives a restart and works when the next update
reaches another process. Its ``nonce`` is the row's version: every change of step writes a new
one, and :func:`advance` only succeeds when the caller saw the current nonce (compare and set),
so a double tap or two processes racing on the same chat change the state at most once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect
from storage.models import WizardState

_FIELDS = ("step", "case_id", "authority_key", "language", "signer_name", "signer_city",
           "message_id")


def new_nonce() -> str:
    """8 URL-safe characters (48 random bits): short enough for callback data."""
    return secrets.token_urlsafe(6)


async def get_state(*, session: AsyncSession, chat_id: int,
                    fresh_after: dt.datetime | None = None) -> WizardState | None:
    """This chat's wizard, or None (also when it was last touched before ``fresh_after``)."""
    query = select(WizardState).where(WizardState.chat_id == chat_id)
    if fresh_after is not None:
        query = query.where(col(WizardState.updated_at) >= fresh_after)
    return (await session.exec(query)).first()


async def start_state(*, session: AsyncSession, chat_id: int, step: str, now: dt.datetime,
                      case_id: int | None = None) -> WizardState:
    """A new wizard for this chat, replacing any earlier one (one wizard per chat).

    INSERT … ON CONFLICT DO UPDATE, so two processes starting at once leave one row. The
    supporter row must exist (foreign key).
    """
    values: dict[str, Any] = {
        "step": step, "case_id": case_id, "authority_key": None, "language": None,
        "signer_name": None, "signer_city": None, "message_id": None, "nonce": new_nonce(),
        "updated_at": now,
    }
    await dialect.upsert(session, WizardState, {"chat_id": chat_id}, values)
    state = WizardState(chat_id=chat_id, **values)
    return state


async def advance(*, session: AsyncSession, chat_id: int, expect_nonce: str, now: dt.datetime,
                  **changes: Any) -> str | None:
    """Apply ``changes`` if the wizard still has ``expect_nonce``; the new nonce, else None."""
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise ValueError(f"not wizard fields: {sorted(unknown)}")
    nonce = new_nonce()
    result = await session.exec(
        update(WizardState)
        .where(WizardState.chat_id == chat_id, WizardState.nonce == expect_nonce)
        .values(nonce=nonce, updated_at=now, **changes)
    )
    return nonce if result.rowcount == 1 else None


async def set_message_id(*, session: AsyncSession, chat_id: int, nonce: str,
                         message_id: int) -> None:
    """Remember the message carrying the wizard's current buttons (no change of step)."""
    await session.exec(
        update(WizardState)
        .where(WizardState.chat_id == chat_id, WizardState.nonce == nonce)
        .values(message_id=message_id)
    )


async def clear_state(*, session: AsyncSession, chat_id: int,
                      expect_nonce: str | None = None) -> bool:
    """End this chat's wizard (and forget the signature with it)."""
    statement = delete(WizardState).where(WizardState.chat_id == chat_id)
    if expect_nonce is not None:
        statement = statement.where(WizardState.nonce == expect_nonce)
    result = await session.exec(statement)
    return result.rowcount > 0


async def purge_stale(*, session: AsyncSession, before: dt.datetime) -> int:
    """Delete wizards nobody touched since ``before`` (abandoned letters and their signatures)."""
    result = await session.exec(
        delete(WizardState).where(col(WizardState.updated_at) < before))
    return result.rowcount or 0
