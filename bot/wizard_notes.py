"""The letter wizard's notes about the person's safety and its answers to stray texts.

Plain functions of their arguments (Telegram HTML), like the texts of :mod:`bot.wizard`; what
they quote is escaped by the caller or here.
"""

from __future__ import annotations

from html import escape

from bot.i18n import N_, t

# Countries the case files name (content/cases/*.yaml ``country``), marked for translation;
# any other name is shown as the file spells it.
COUNTRIES = (N_("Kazakhstan"),)


def safety_line(country: str, lang: str) -> str:
    """One line before the signature: a name in a letter can be seen by that country's
    authorities, so someone who lives there or travels there may prefer not to give it."""
    return t("⚠️ If you live in or travel to {country}, consider signing with your initials "
             "or anonymously.", lang, country=escape(t(country, lang) if country else country))


def deleted_note(deleted: bool, lang: str) -> str:
    """What became of the message in which the person typed their name."""
    if deleted:
        return t("🧹 I deleted your message with your name from this chat, so it does not stay "
                 "in the history.", lang)
    return t("⚠️ I could not delete your message with your name from this chat (Telegram "
             "allows it only for a while). Please delete it yourself: press and hold it, then "
             "Delete.", lang)


def stray_text_hint(step: str, lang: str, *, who: str = "", title: str = "") -> str:
    """The answer to a text typed at a step that waits for a button. ``who`` and ``title``
    are plain text (escaped here)."""
    if step == "case":
        return t("✍️ You are writing a letter: pick a case below, or Cancel.", lang)
    if step == "addressee":
        return t("✍️ You are writing a letter about <b>{title}</b>: pick who to write to "
                 "below, or Cancel.", lang, title=escape(title))
    if step == "language":
        return t("✍️ You are writing to <b>{who}</b>: pick a language below, or Cancel.", lang,
                 who=escape(who))
    return t("✍️ Your letter to <b>{who}</b> is ready: pick how to send it below, or Cancel.",
             lang, who=escape(who))
