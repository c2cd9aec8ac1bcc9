"""The /settings keyboards and their callback data (``st:<action>[:<arg>]``).

Kept beside ``handlers/keyboards.py`` (whose ``button``/``data`` they use) so the settings
screens are read in one place. Actions: ``m`` the main screen, ``l`` language, ``r:<minutes>``
toggle a reminder, ``n`` news as it comes or as a daily digest, ``p`` toggle protected letters, ``q`` the quiet-hours screen, ``z:<n>`` a
time zone (index into ``bot.settings_view.ZONES``), ``f:<hour>`` / ``e:<hour>`` when quiet hours
start / end, ``o`` quiet hours off.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardMarkup

from bot.alert_texts import case_title
from bot.i18n import t
from bot.render import shorten
from bot.settings_view import QUIET_ENDS, QUIET_STARTS, ZONES, before, zone_name
from handlers.keyboards import CASE_CARD, button
from storage.preferences import SupporterSettings

SETTINGS = "st"
MENU, LANGUAGE, REMINDER, PROTECT, QUIET, ZONE, FROM, UNTIL, QUIET_OFF, NEWS = (
    "m", "l", "r", "p", "q", "z", "f", "e", "o", "n")
_DATA = re.compile(r"st:([mlpqon])|st:([rzfe]):(\d{1,5})", re.ASCII)
DIGEST_CASES = 5  # case buttons under a digest
ZONE_LIST = tuple(ZONES)


def parse_settings(callback_data: str | None) -> tuple[str, int | None] | None:
    """(action, number or None) of ``st:…``; None for anything malformed or out of range."""
    match = _DATA.fullmatch(callback_data or "")
    if match is None:
        return None
    if match.group(1):
        return match.group(1), None
    action, number = match.group(2), int(match.group(3))
    valid = {ZONE: number < len(ZONE_LIST), FROM: number in QUIET_STARTS,
             UNTIL: number in QUIET_ENDS, REMINDER: 0 < number}
    return (action, number) if valid[action] else None


def settings_keyboard(choice: SupporterSettings, offsets: tuple[int, ...],
                      lang: str = "en") -> InlineKeyboardMarkup:
    reminders = [button(("✅ " if offset not in choice.reminders_off else "🚫 ")
                        + before(offset, lang), SETTINGS, REMINDER, offset)
                 for offset in offsets]
    news = (t("📰 News: daily digest", lang) if choice.news_digest
            else t("📰 News: as it comes", lang))
    protect = (t("🛡 Protect letters: on", lang) if choice.protect_content
               else t("🛡 Protect letters: off", lang))
    return InlineKeyboardMarkup([
        [button(t("🌐 Language", lang), SETTINGS, LANGUAGE)],
        reminders,
        [button(t("🌙 Quiet hours", lang), SETTINGS, QUIET)],
        [button(news, SETTINGS, NEWS)],
        [button(protect, SETTINGS, PROTECT)],
    ])


def digest_keyboard(payload: dict, lang: str = "en") -> InlineKeyboardMarkup:
    """Under a digest: open each case in it, and the way out (news as it comes)."""
    cases = [case_id for case_id in payload.get("case_ids", []) if isinstance(case_id, int)]
    titles = payload.get("news", [])
    rows = []
    for case_id in cases[:DIGEST_CASES]:
        title = next((case_title(item, lang) for item in titles
                      if item.get("case_id") == case_id), None)
        rows.append([button("📂 " + shorten(title or t("Open the case", lang), 50), CASE_CARD,
                            case_id)])
    rows.append([button(t("⚙️ Settings", lang), SETTINGS, MENU)])
    return InlineKeyboardMarkup(rows)


def _mark(selected: bool, text: str) -> str:
    return f"• {text} •" if selected else text


def quiet_hours_keyboard(choice: SupporterSettings, zone: str,
                         lang: str = "en") -> InlineKeyboardMarkup:
    zones = [button(_mark(name == zone, zone_name(name, lang)), SETTINGS, ZONE, index)
             for index, name in enumerate(ZONE_LIST)]
    starts = [button(_mark(choice.quiet and hour == choice.quiet_start, f"{hour:02d}:00"),
                     SETTINGS, FROM, hour) for hour in QUIET_STARTS]
    ends = [button(_mark(choice.quiet and hour == choice.quiet_end, f"{hour:02d}:00"),
                   SETTINGS, UNTIL, hour) for hour in QUIET_ENDS]
    return InlineKeyboardMarkup([
        zones[:3], zones[3:],
        [button(t("From:", lang), SETTINGS, QUIET)] + starts,
        [button(t("Until:", lang), SETTINGS, QUIET)] + ends,
        [button(t("🔔 No quiet hours", lang), SETTINGS, QUIET_OFF),
         button(t("⬅️ Back", lang), SETTINGS, MENU)],
    ])
