"""A supporter's /settings, and what the outbox does with them at fan-out.

Nothing is stored until the person changes a setting; no ``Preference`` row means the defaults
(every reminder, no quiet hours, news as it comes, letters sent unprotected). The rows cascade
with the supporter, so /forget deletes them.

At fan-out (right after an alert's ``INSERT … SELECT``) two set-based steps apply the settings:
a reminder's rows are dropped for the people who turned that reminder off, and rows for people
whose quiet hours are running get ``not_before`` = the end of their quiet hours. The quiet-hour
step runs one UPDATE per distinct (time zone, start, end) among the alert's recipients — a
handful — never one per person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Alert, Delivery, DeliveryStatus, Preference, ReminderOptOut, Supporter
from storage.quiet_hours import quiet_until

DELIVERY = Delivery.__table__
PREFERENCE = Preference.__table__
OPT_OUT = ReminderOptOut.__table__


@dataclass(frozen=True)
class SupporterSettings:
    """What /settings shows: the person's choices, or the defaults."""

    timezone: str | None = None
    quiet_start: int | None = None
    quiet_end: int | None = None
    news_digest: bool = False
    protect_content: bool = False
    reminders_off: frozenset[int] = frozenset()

    @property
    def quiet(self) -> bool:
        return self.quiet_start is not None and self.quiet_end is not None


async def get_settings(*, session: AsyncSession, chat_id: int) -> SupporterSettings:
    row = await session.get(Preference, chat_id)
    off = frozenset((await session.exec(
        select(OPT_OUT.c.offset_minutes).where(OPT_OUT.c.supporter_id == chat_id))).scalars())
    if row is None:
        return SupporterSettings(reminders_off=off)
    return SupporterSettings(row.timezone, row.quiet_start, row.quiet_end, row.news_digest,
                    row.protect_content, off)


async def _row(session: AsyncSession, chat_id: int) -> Preference:
    """The person's row, created on their first choice (the caller made sure the supporter
    row exists)."""
    row = await session.get(Preference, chat_id)
    if row is None:
        row = Preference(supporter_id=chat_id)
        session.add(row)
        await session.flush()
    return row


async def update_settings(*, session: AsyncSession, chat_id: int, **changes: object) -> None:
    """Set ``timezone``, ``quiet_start``/``quiet_end``, ``news_digest`` or ``protect_content``."""
    row = await _row(session, chat_id)
    for name, value in changes.items():
        if name not in {"timezone", "quiet_start", "quiet_end", "news_digest",
                        "protect_content"}:
            raise ValueError(name)
        setattr(row, name, value)
    session.add(row)


async def toggle_reminder(*, session: AsyncSession, chat_id: int, offset_minutes: int) -> bool:
    """Turn one reminder offset off (if on) or on again; True if it is now on."""
    result = await session.exec(delete(ReminderOptOut).where(
        ReminderOptOut.supporter_id == chat_id, ReminderOptOut.offset_minutes == offset_minutes))
    if result.rowcount:
        return True
    session.add(ReminderOptOut(supporter_id=chat_id, offset_minutes=offset_minutes))
    await session.flush()
    return False


async def protects_content(*, session: AsyncSession, chat_id: int) -> bool:
    row = await session.get(Preference, chat_id)
    return bool(row and row.protect_content)


# ------------------------------------------------------------------------------ fan-out
async def drop_opted_out(*, session: AsyncSession, alert_id: int, offset_minutes: int) -> int:
    """A reminder: its rows for people who turned this offset off go; how many went."""
    opted_out = exists().where(OPT_OUT.c.supporter_id == DELIVERY.c.supporter_id,
                               OPT_OUT.c.offset_minutes == offset_minutes)
    result = await session.exec(DELIVERY.delete().where(
        DELIVERY.c.alert_id == alert_id, DELIVERY.c.status == DeliveryStatus.PENDING, opted_out))
    return max(result.rowcount or 0, 0)


async def hold_for_quiet_hours(*, session: AsyncSession, alert_id: int, now: dt.datetime,
                               default_timezone: str = "UTC",
                               latest: dt.datetime | None = None) -> int:
    """Rows of people in their quiet hours at ``now`` wait until those end; how many wait.
    (/settings stores a time zone with the quiet hours; ``default_timezone`` is a fallback.)
    Nobody is held past ``latest`` (a reminder's hearing): they get it now instead."""
    groups = (await session.exec(
        select(PREFERENCE.c.timezone, PREFERENCE.c.quiet_start, PREFERENCE.c.quiet_end)
        .join(DELIVERY, DELIVERY.c.supporter_id == PREFERENCE.c.supporter_id)
        .where(DELIVERY.c.alert_id == alert_id, PREFERENCE.c.quiet_start.is_not(None),
               PREFERENCE.c.quiet_end.is_not(None))
        .distinct())).all()
    held = 0
    for zone, start, end in groups:
        until = quiet_until(now, zone or default_timezone, start, end)
        if until is None or (latest is not None and until >= latest):
            continue
        same_group = select(PREFERENCE.c.supporter_id).where(
            PREFERENCE.c.quiet_start == start, PREFERENCE.c.quiet_end == end,
            PREFERENCE.c.timezone.is_(None) if zone is None else PREFERENCE.c.timezone == zone)
        result = await session.exec(update(DELIVERY).where(
            DELIVERY.c.alert_id == alert_id, DELIVERY.c.status == DeliveryStatus.PENDING,
            DELIVERY.c.supporter_id.in_(same_group)).values(not_before=until))
        held += max(result.rowcount or 0, 0)
    return held


async def recount_recipients(*, session: AsyncSession, alert: Alert) -> None:
    alert.recipients = (await session.exec(select(func.count()).select_from(DELIVERY).where(
        DELIVERY.c.alert_id == alert.id))).scalar_one()
    session.add(alert)


async def held_deliveries(*, session: AsyncSession, chat_id: int) -> Sequence[dt.datetime]:
    """When this person's held rows are released (for tests and /settings)."""
    return (await session.exec(select(DELIVERY.c.not_before).where(
        DELIVERY.c.supporter_id == chat_id, DELIVERY.c.status == DeliveryStatus.PENDING,
        DELIVERY.c.not_before.is_not(None)))).scalars().all()


async def is_known(*, session: AsyncSession, chat_id: int) -> bool:
    return await session.get(Supporter, chat_id) is not None
