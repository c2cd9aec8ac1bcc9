"""/settings: which reminders, quiet hours and protected letters — stored only when chosen."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import services
from bot.settings_view import DEFAULT_QUIET, quiet_hours_text, settings_text
from handlers import keyboards_settings as ks
from handlers import language
from handlers.common import acknowledge, lang_of, respond
from handlers.fallback import stale_button
from storage import preferences
from storage.supporters import ensure_supporter


def _offsets(context: ContextTypes.DEFAULT_TYPE) -> tuple[int, ...]:
    return tuple(sorted(services(context).settings.reminder_offsets, reverse=True))


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, *, quiet: bool = False,
                edit: bool = True) -> None:
    lang = lang_of(update)
    async with services(context).db.session() as session:
        choice = await preferences.get_settings(session=session, chat_id=update.effective_chat.id)
    zone = choice.timezone or services(context).settings.default_timezone
    if quiet:
        await respond(update, quiet_hours_text(choice, zone, lang),
                      ks.quiet_hours_keyboard(choice, zone, lang), edit=edit)
    else:
        await respond(update, settings_text(choice, _offsets(context), zone, lang),
                      ks.settings_keyboard(choice, _offsets(context), lang), edit=edit)


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _show(update, context, edit=False)


async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    parsed = ks.parse_settings(update.callback_query.data)
    if parsed is None or (parsed[0] == ks.REMINDER and parsed[1] not in _offsets(context)):
        await stale_button(update, context)
        return
    action, number = parsed
    await acknowledge(update)
    if action == ks.LANGUAGE:
        await language.language_command(update, context)
        return
    if action in (ks.MENU, ks.QUIET):
        await _show(update, context, quiet=action == ks.QUIET)
        return
    chat_id = update.effective_chat.id
    default_zone = services(context).settings.default_timezone
    async with services(context).db.session() as session:
        await ensure_supporter(session=session, chat_id=chat_id, language=lang_of(update))
        choice = await preferences.get_settings(session=session, chat_id=chat_id)
        start, end = ((choice.quiet_start, choice.quiet_end) if choice.quiet
                      else DEFAULT_QUIET)
        zone = choice.timezone or default_zone  # stored with the hours, so delivery knows it
        if action == ks.REMINDER:
            await preferences.toggle_reminder(session=session, chat_id=chat_id,
                                              offset_minutes=number)
        elif action == ks.NEWS:  # the digest goes out at 19:00 in the person's time zone
            await preferences.update_settings(session=session, chat_id=chat_id, timezone=zone,
                                              news_digest=not choice.news_digest)
        elif action == ks.PROTECT:
            await preferences.update_settings(session=session, chat_id=chat_id,
                                              protect_content=not choice.protect_content)
        elif action == ks.QUIET_OFF:
            await preferences.update_settings(session=session, chat_id=chat_id,
                                              quiet_start=None, quiet_end=None)
        elif action == ks.ZONE:
            await preferences.update_settings(session=session, chat_id=chat_id,
                                              timezone=ks.ZONE_LIST[number])
        else:  # FROM / UNTIL: turning one end on turns quiet hours on
            start, end = (number, end) if action == ks.FROM else (start, number)
            await preferences.update_settings(session=session, chat_id=chat_id, timezone=zone,
                                              quiet_start=start, quiet_end=end)
    await _show(update, context, quiet=action in (ks.ZONE, ks.FROM, ks.UNTIL, ks.QUIET_OFF))
