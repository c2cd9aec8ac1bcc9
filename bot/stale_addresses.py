"""/staleaddresses: the addressees of open cases whose address nobody has confirmed for a year.

A coordinator marks one as still current (stored in the database with who and when, written to
the audit log, kept when the files are loaded again) or learns how to change it in
``content/authorities.yaml``. What counts as stale is :meth:`AddressCheck.is_stale`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.address_checks import AddressCheck, address_check, published_line
from bot.i18n import t, tn
from bot.render import format_day, shorten, shorten_html_lines
from content.schema import Authority, pick
from storage import audit
from storage import authorities as directory

PAGE_SIZE = 5
AUDIT_ACTION = "verify_address"


@dataclass(frozen=True)
class StaleAddress:
    authority: Authority
    check: AddressCheck
    cases: tuple[str, ...]  # slugs of the open cases that ask for letters to it


async def find_stale(*, session: AsyncSession, today: dt.date) -> list[StaleAddress]:
    """Stale addressees of open cases, the longest unchecked first."""
    used = await directory.addressees_of_open_cases(session=session)
    entries = await directory.get_entries(session=session, keys=sorted(used))
    found = [StaleAddress(entry.authority, address_check(entry), tuple(used[entry.authority.key]))
             for entry in entries]
    stale = [item for item in found if item.check.is_stale(today)]
    return sorted(stale, key=lambda item: (item.check.current_since, item.authority.key))


async def mark_verified(*, session: AsyncSession, key: str, actor_id: int,
                        now: dt.datetime) -> Authority | None:
    """Record that ``actor_id`` confirmed the address of ``key``; None if there is no such
    authority (nothing changes then)."""
    authority = await directory.get_authority(session=session, key=key)
    if authority is None or not await directory.mark_verified(session=session, key=key,
                                                              actor_id=actor_id, now=now):
        return None
    await audit.record(session=session, actor_id=actor_id, action=AUDIT_ACTION, detail=key,
                       now=now)
    return authority


def page_count(items: Sequence[StaleAddress]) -> int:
    return max(1, -(-len(items) // PAGE_SIZE))


def page_of(items: Sequence[StaleAddress], page: int) -> tuple[list[StaleAddress], int]:
    """The items on ``page`` (clamped to the pages there are) and that page's number."""
    page = min(max(page, 0), page_count(items) - 1)
    return list(items[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]), page


def channels_line(authority: Authority) -> str:
    parts = [f"✉️ {escape(email)}" for email in authority.emails]
    parts += [f"📠 {escape(fax)}" for fax in authority.faxes]
    if authority.postal_address:
        parts.append("📮 " + escape(shorten(" ".join(authority.postal_address.split()), 120)))
    if authority.web_form:
        parts.append("🌐 " + escape(shorten(authority.web_form, 120)))
    return " · ".join(parts)


def _item_text(number: int, item: StaleAddress, lang: str) -> str:
    authority, check = item.authority, item.check
    role = escape(shorten(" ".join(authority.role.split()), 120))
    name = escape(authority.name)
    lines = [f"<b>{number}. {name}</b> — {role} (<code>{escape(authority.key)}</code>)",
             published_line(check.as_of, lang)]
    if check.verified_on is not None:
        by = escape(check.verified_by) if check.verified_by else (
            t("coordinator {id}", lang, id=check.marked_by) if check.marked_by else "—")
        lines.append(t("✔️ Last checked on {date} by {who}.", lang,
                       date=format_day(check.verified_on, lang), who=by))
    else:
        lines.append(t("✖️ Not checked since it was published.", lang))
    lines.append(channels_line(authority))
    if authority.caveat is not None:
        lines.append("⚠️ " + escape(pick(authority.caveat, lang)))
    lines.append(t("Open cases: {slugs}", lang,
                   slugs=", ".join(f"<code>{escape(slug)}</code>" for slug in item.cases)))
    return "\n".join(line for line in lines if line)


def list_text(items: Sequence[StaleAddress], page: int, lang: str,
              notice: str | None = None) -> str:
    head = [notice, ""] if notice else []
    if not items:
        return "\n".join(head + [t("✅ Every addressee of the open cases was published or checked "
                                   "within the last year.", lang)])
    shown, page = page_of(items, page)
    lines = head + [
        t("📇 <b>Addresses to check</b> — page {page} of {pages}", lang, page=page + 1,
          pages=page_count(items)),
        tn("{count} addressee of open cases was not published or checked in the last year. "
           "Check each with its office, then mark it below.",
           "{count} addressees of open cases were not published or checked in the last year. "
           "Check each with its office, then mark it below.", len(items), lang), "",
    ]
    first = page * PAGE_SIZE + 1
    for number, item in enumerate(shown, start=first):
        lines += [_item_text(number, item, lang), ""]
    return shorten_html_lines(lines)


def verified_notice(authority: Authority, now: dt.datetime, lang: str) -> str:
    return t("✅ <b>{name}</b>: marked as still current on {date}.", lang,
             name=escape(authority.name), date=format_day(now.date(), lang))


def edit_text(authority: Authority, lang: str) -> str:
    """How a coordinator changes an address (the directory is a file, reviewed like code)."""
    return "\n".join([
        t("✏️ <b>Changing the address of {name}</b> (<code>{key}</code>)", lang,
          name=escape(authority.name), key=escape(authority.key)), "",
        t("The addresses live in <code>content/authorities.yaml</code>. In this entry:", lang),
        t("1. Change <code>emails</code>, <code>faxes</code>, <code>postal_address</code> or "
          "<code>web_form</code> as the new source gives them.", lang),
        t("2. Set <code>as_of</code> to that source's date, and <code>verified_on</code> / "
          "<code>verified_by</code> to your check.", lang),
        t("3. Run <code>appeal-bot check-content</code>, then restart the bot: loading updates "
          "the entry and keeps the checks marked here.", lang), "",
        t("If an appeal should go to someone else instead, send me its case file with a "
          "changed <code>addressees</code> list: it is checked like the files in content/.",
          lang),
    ])
