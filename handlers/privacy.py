"""/privacy and /forget: what the bot keeps about a person, and deleting it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import N_, t, tn
from bot.services import services
from handlers import keyboards as kb
from handlers.common import acknowledge, lang_of, respond
from handlers.fallback import stale_button
from handlers.roles import can_coordinate, user_id_of
from storage.audit import unlink_actor
from storage.supporters import forget_supporter

PRIVACY = N_(
    "🔒 <b>What I keep about you</b>\n\n"
    "• Your Telegram chat id — the number I need to send you messages. Not your name, username "
    "or phone number.\n"
    "• Your language, when you first subscribed, and whether you blocked me (so I stop "
    "writing).\n"
    "• Which cases you follow.\n"
    "• For letters you tell me you sent: the case, the authority, the channel, the language and "
    "the time — never the letter itself and never your signature. The name and city you type "
    "for a letter are kept only until the letter is done.\n\n"
    "I keep this only to send you the alerts you asked for. Nothing is stored until you "
    "subscribe, start a letter or choose a language with /language.\n\n"
    "/forget deletes all of it at once. Letters you recorded stay in the totals as anonymous "
    "counts, no longer linked to you."
)

# The outbox's rows: one per alert sent to the person (delivery counts; ON DELETE CASCADE).
PRIVACY_SENT = N_(
    "• Which alerts I sent you and when, so coordinators see how many were delivered. /forget "
    "deletes these with the rest."
)

# What the supporter features keep (/settings, 📬 replies, attendance, /mystats links).
PRIVACY_CHOICES = N_(
    "• Only if you choose them: your /settings (reminders, quiet hours and their time zone, "
    "news digest, protected letters), whether you will attend a hearing, and a referral code "
    "once you ask /mystats for your link — it counts how many people joined, never who.\n"
    "• An authority's answer you share with 📬 is kept for the coordinators without anything "
    "that links it to you."
)

# Said apart from PRIVACY (and after it), so each text is translated on its own.
SIGNATURE_DELETED = N_(
    "🧹 When you type your name and city for a letter, I delete your message from the chat as "
    "soon as I have read it, so it does not stay in your chat history (if Telegram does not "
    "let me, I tell you, so you can delete it yourself)."
)

# What /forget cannot delete for someone who coordinates.
COORDINATOR_LIMITS = N_(
    "As a coordinator, note what I cannot delete:\n"
    "• The audit log of what you did as a coordinator: it stays, so the team can see what was "
    "sent and when, but under the label “a former team member” instead of your id.\n"
    "• What you sent to subscribers (alerts, news): they have received it.\n"
    "• Your coordinator role: an owner removes it with /removecoordinator (owners are set in "
    "ADMIN_IDS)."
)


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    await respond(update, "\n\n".join([t(PRIVACY, lang), t(PRIVACY_SENT, lang),
                                        t(PRIVACY_CHOICES, lang),
                                        t(SIGNATURE_DELETED, lang)]), edit=False)


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    text = t("Delete everything I keep about you — the cases you follow, any letter in "
             "progress and the link to letters you recorded? This cannot be undone.", lang)
    if await can_coordinate(services(context), user_id_of(update)):
        text += "\n\n" + t(COORDINATOR_LIMITS, lang)
    await respond(update, text, kb.forget_keyboard(lang), edit=False)


async def forget_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    delete = kb.parse_forget(update.callback_query.data)
    if delete is None:
        await stale_button(update, context)
        return
    await acknowledge(update)
    if not delete:
        await respond(update, t("Nothing was deleted.", lang))
        return
    db = services(context).db
    user_id = user_id_of(update)
    async with db.session() as session:
        existed = await forget_supporter(session=session, chat_id=update.effective_chat.id)
        unlinked = (await unlink_actor(session=session, actor_id=user_id)
                    if user_id is not None else 0)
    await db.purge_deleted()  # nothing of the person left in the database files either
    text = (t("🗑 Done. I deleted everything I kept about you. If you write to me again, I "
              "start from nothing.", lang) if existed or unlinked
            else t("🗑 I had nothing stored about you, so there was nothing to delete.", lang))
    if unlinked or await can_coordinate(services(context), user_id):
        text += "\n\n" + tn("Your {count} audit entry is kept, as “a former team member”. "
                             "Your coordinator role is not changed.",
                             "Your {count} audit entries are kept, as “a former team member”. "
                             "Your coordinator role is not changed.", unlinked, lang)
    await respond(update, text)
