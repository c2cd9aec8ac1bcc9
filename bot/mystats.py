"""/mystats: what a supporter did — letters by case and addressee, the cases they follow — and
their personal links with the number of people who joined through them (a count, never who)."""

from __future__ import annotations

from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import t
from bot.referrals import link
from bot.render import case_title, format_day, shorten, shorten_html_lines
from bot.wizard import who
from storage import cases as case_queries
from storage.authorities import get_entries
from storage.letters import letters_of
from storage.referrals import code_of
from storage.subscriptions import cases_followed
from storage.supporters import get_supporter

TITLE_LIMIT = 60


async def my_stats_text(*, session: AsyncSession, chat_id: int, bot_username: str,
                        lang: str = "en") -> str:
    letters = await letters_of(session=session, chat_id=chat_id)
    followed = await cases_followed(session=session, chat_id=chat_id)
    lines = [t("📊 <b>What you did</b>", lang), "",
             t("✍️ Letters you sent: <b>{n}</b>", lang, n=sum(row.letters for row in letters))]
    names = {entry.authority.key: who(entry.authority) for entry in await get_entries(
        session=session, keys=sorted({row.authority_key for row in letters}))}
    for row in letters:
        case_row = await case_queries.get_case(session=session, case_id=row.case_id)
        title = case_title(case_row, lang) if case_row else "?"
        lines.append(t("• {case} → {who}: {n} (last on {day})", lang,
                       case=escape(shorten(title, TITLE_LIMIT)),
                       who=escape(shorten(names.get(row.authority_key, row.authority_key),
                                          TITLE_LIMIT)),
                       n=row.letters, day=format_day(row.last.date(), lang)))
    lines += ["", t("🔔 Cases you follow: <b>{n}</b>", lang, n=len(followed))]
    lines += [f"• {escape(shorten(case_title(row, lang), TITLE_LIMIT))}" for row in followed]
    lines.append("")
    if not followed or await get_supporter(session=session, chat_id=chat_id) is None:
        lines.append(t("Follow a case to get your personal link to share.", lang))
        return shorten_html_lines(lines)
    referral = await code_of(session=session, chat_id=chat_id)
    lines.append(t("🔗 <b>Your personal links</b> — share them. I count how many people join "
                   "through them, never who.", lang))
    lines += [f"• {escape(shorten(case_title(row, lang), TITLE_LIMIT))}: "
              f"{escape(link(bot_username, row.slug, referral.code))}" for row in followed]
    lines.append(t("👥 People who joined through your links: <b>{n}</b>", lang,
                   n=referral.joined))
    return shorten_html_lines(lines)
