"""What /settings shows: the person's choices in words, and the choices there are."""

from __future__ import annotations

from bot.i18n import N_, t, tn
from storage.digest import DIGEST_HOUR
from storage.preferences import SupporterSettings

# Time zones people who follow Kazakh cases live in (or near), in the order /settings offers them.
ZONES = {
    "Asia/Almaty": N_("Almaty, Astana"),
    "Asia/Aqtobe": N_("Aqtobe, Atyrau"),
    "Asia/Oral": N_("Oral"),
    "Europe/Moscow": N_("Moscow"),
    "Europe/Berlin": N_("Berlin"),
    "UTC": N_("UTC"),
}
QUIET_STARTS = (20, 21, 22, 23, 0)
QUIET_ENDS = (6, 7, 8, 9, 10)
DEFAULT_QUIET = (22, 7)


def before(minutes: int, lang: str) -> str:
    """'7 days before', '1 day before', '2 hours before', '30 minutes before'."""
    if minutes % (24 * 60) == 0:
        return tn("{count} day before", "{count} days before", minutes // (24 * 60), lang)
    if minutes % 60 == 0:
        return tn("{count} hour before", "{count} hours before", minutes // 60, lang)
    return tn("{count} minute before", "{count} minutes before", minutes, lang)


def zone_name(zone: str, lang: str) -> str:
    return t(ZONES[zone], lang) if zone in ZONES else zone


def quiet_text(choice: SupporterSettings, zone: str, lang: str) -> str:
    if not choice.quiet:
        return t("off", lang)
    start, end = (str(hour).zfill(2) for hour in (choice.quiet_start, choice.quiet_end))
    return t("{start}:00–{end}:00 ({zone})", lang, start=start, end=end,
             zone=zone_name(zone, lang))


def settings_text(choice: SupporterSettings, offsets: tuple[int, ...], zone: str,
                  lang: str) -> str:
    reminders = ", ".join(("✅ " if offset not in choice.reminders_off else "🚫 ")
                          + before(offset, lang) for offset in offsets)
    protect = t("on", lang) if choice.protect_content else t("off", lang)
    return "\n".join([
        t("⚙️ <b>Settings</b>", lang),
        "",
        t("⏰ Reminders before a hearing: {list}", lang, list=reminders),
        t("🌙 Quiet hours: {hours}", lang, hours=quiet_text(choice, zone, lang)),
        (t("📰 News: in one daily digest at {hour}:00 ({zone})", lang, hour=DIGEST_HOUR,
           zone=zone_name(zone, lang)) if choice.news_digest
         else t("📰 News: as it comes", lang)),
        t("🛡 Protect letters and drafts (no forwarding or saving): {state}", lang,
          state=protect),
        "",
        t("Nothing is stored until you change something here; /forget deletes it.", lang),
    ])


def quiet_hours_text(choice: SupporterSettings, zone: str, lang: str) -> str:
    return "\n".join([
        t("🌙 <b>Quiet hours</b>", lang),
        "",
        t("No alerts between these hours; what comes meanwhile arrives when they end. A "
          "reminder for a hearing less than 2 hours away still comes through.", lang),
        "",
        t("Now: {hours}", lang, hours=quiet_text(choice, zone, lang)),
        t("Pick your time zone, when they start and when they end.", lang),
    ])
