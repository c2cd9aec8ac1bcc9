"""/language: the person picks the language the bot writes to them in.

Until they do, the bot follows their Telegram client's language and stores nothing for it. The
choice is the one thing kept about someone who never subscribed; /forget deletes it too.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.services import services
from content.languages import INTERFACE_LANGUAGES, LANGUAGES
from handlers import keyboards as kb
from handlers.common import acknowledge, lang_of, respond, set_lang
from handlers.fallback import stale_button
from storage.supporters import choose_language

CHOICES = {code: LANGUAGES[code].name for code in INTERFACE_LANGUAGES}


def _from_argument(argument: str) -> str | None:
    """``/language ru``, ``/language Русский``… → the language code, or None."""
    wanted = argument.strip().casefold()
    return next((code for code, name in CHOICES.items()
                 if wanted in (code, name.casefold())), None)


def _question(lang: str) -> str:
    return t("🌐 <b>Language</b>\n\nWhich language shall I write to you in? I will remember "
             "your choice.", lang)


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language shows the choice; /language <code or name> makes it at once."""
    lang = lang_of(update)
    if not context.args:
        await respond(update, _question(lang), kb.language_keyboard(CHOICES), edit=False)
        return
    chosen = _from_argument(" ".join(context.args))
    if chosen is None:
        await respond(update, t("I don't speak that language yet. Choose one of these:", lang),
                      kb.language_keyboard(CHOICES), edit=False)
        return
    await _choose(update, context, chosen, edit=False)


async def language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chosen = kb.parse_language(update.callback_query.data, tuple(CHOICES))
    if chosen is None:
        await stale_button(update, context)
        return
    await _choose(update, context, chosen, edit=True)


async def _choose(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str, *,
                  edit: bool) -> None:
    async with services(context).db.session() as session:
        await choose_language(session=session, chat_id=update.effective_user.id,
                              language=language)
    set_lang(update, language)  # the rest of this update speaks the new language too
    await acknowledge(update, "✅ " + CHOICES[language])
    await respond(update, t("✅ Done: from now on I write to you in English. /language changes "
                            "it again.", language), kb.browse_keyboard(language), edit=edit)
