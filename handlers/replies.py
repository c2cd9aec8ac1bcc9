"""[📬 I got a reply]: a supporter shares an authority's answer; coordinators read /replies.

Consent comes first (one line: what is kept, and that it is kept without who sent it). Then the
next text, photo or document from that person is the answer: its text or file_id is stored for
the case, the sender is not (a forwarded message's origin is never read). Anything else goes on
to the handler that would have taken it.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.coordination.lookup import find_case
from bot.fitting import CAPTION_LIMIT, fit_html
from bot.i18n import N_, t, tn
from bot.parsing import InputError
from bot.render import case_title, format_day
from bot.services import services
from handlers import fallback, uploads, walks
from handlers import keyboards as kb
from handlers.common import acknowledge, lang_of, respond
from handlers.roles import can_coordinate, user_id_of
from storage import cases as case_queries
from storage import replies as queries
from storage.supporters import ensure_supporter

log = logging.getLogger(__name__)

PAGE_SIZE = 5
# A text reply in the /replies listing is shortened to this, so a page of them fits one message;
# the page with only that reply on it (PAGE_SIZE replies per page) still shows its beginning.
SHOWN_TEXT = 700
CONSENT = N_("📬 <b>An answer from the authorities?</b>\n\n"
           "If you agree, send it here next: paste or forward the text, or send a photo or a "
           "document. I keep only what you send — the text or the file — for the coordinators "
           "of this case, without your name, your chat or who sent it.")


async def reply_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """rp:<case> asks for consent; rp:<case>:y waits for the answer; rp:<case>:n stops."""
    lang = lang_of(update)
    parsed = kb.parse_reply(update.callback_query.data)
    svc = services(context)
    case_row = None
    if parsed is not None:
        async with svc.db.session() as session:
            case_row = await case_queries.get_case(session=session, case_id=parsed[0])
    if case_row is None:
        await fallback.stale_button(update, context)
        return
    await acknowledge(update)
    case_id, answer = parsed
    chat_id = update.effective_chat.id
    if answer is None:
        await respond(update, t(CONSENT, lang), kb.reply_consent_keyboard(case_id, lang),
                      edit=False)
        return
    async with svc.db.session() as session:
        if answer == kb.REPLY_NO:
            await queries.stop_waiting(session=session, chat_id=chat_id)
        else:
            await ensure_supporter(session=session, chat_id=chat_id, language=lang)
            await queries.start_waiting(session=session, chat_id=chat_id, case_id=case_id,
                                        now=svc.clock.now())
    if answer == kb.REPLY_NO:
        await respond(update, t("Nothing was stored.", lang))
    else:
        await respond(update, t("📬 Send the answer about <b>{case}</b> now: its text, a photo "
                                "or a document.", lang, case=escape(case_title(case_row, lang))),
                      kb.reply_wait_keyboard(case_id, lang))


def _content(update: Update) -> tuple[str, str | None, str | None] | None:
    """(kind, text, file_id) of a message that can be an answer, else None."""
    message = update.effective_message
    if message is None:
        return None
    if message.photo:
        return "photo", message.caption, message.photo[-1].file_id
    if message.document:
        return "document", message.caption, message.document.file_id
    if message.text:
        return "text", message.text, None
    return None


async def reply_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text, photo or document: the answer awaited from this person, or passed on."""
    content = _content(update)
    chat = update.effective_chat
    svc = services(context)
    case_id = None
    if content is not None and chat is not None:
        async with svc.db.session() as session:
            case_id = await queries.waiting_case(session=session, chat_id=chat.id,
                                                 now=svc.clock.now())
            if case_id is not None:
                count = await queries.take_reply(session=session, chat_id=chat.id,
                                                 case_id=case_id, kind=content[0],
                                                 text=content[1], file_id=content[2],
                                                 now=svc.clock.now())
    if case_id is not None:
        lang = lang_of(update)
        log.info("an authority's reply was stored for case %s", case_id)
        await respond(update, t("📬 Thank you — the coordinators will see it. Replies received "
                                "on this case: {count}.", lang, count=count),
                      kb.back_to_card_keyboard(case_id, lang), edit=False)
        return
    message = update.effective_message
    if message is not None and message.document:
        await uploads.case_file_upload(update, context)
    elif message is not None and message.text:
        await walks.walk_text(update, context)
    else:
        await fallback.other_message(update, context)


# ------------------------------------------------------------------------ coordinators
async def replies_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/replies <case>"""
    args = list(context.args or [])
    if len(args) != 1:
        raise InputError(usage=True)
    async with services(context).db.session() as session:
        case_row = await find_case(session=session, text=args[0], lang=lang_of(update))
    await _show_page(update, context, case_row.id, 0, edit=False)


async def replies_page_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    parsed = kb.parse_replies_page(update.callback_query.data)
    if parsed is None or not await can_coordinate(services(context), user_id_of(update)):
        await fallback.stale_button(update, context)
        return
    await acknowledge(update)
    await _show_page(update, context, *parsed)


async def _show_page(update: Update, context: ContextTypes.DEFAULT_TYPE, case_id: int,
                     page: int, *, edit: bool = True) -> None:
    lang = lang_of(update)
    async with services(context).db.session() as session:
        case_row = await case_queries.get_case(session=session, case_id=case_id)
        total = await queries.count_replies(session=session, case_id=case_id)
        rows = await queries.replies_page(session=session, case_id=case_id, page=page,
                                          size=PAGE_SIZE)
    if case_row is None:
        await respond(update, t("That case is no longer available.", lang), edit=False)
        return
    pages = max(1, -(-total // PAGE_SIZE))
    title = escape(case_title(case_row, lang))
    if not total:
        await respond(update, t("📬 No replies received yet for <b>{case}</b>.", lang,
                                case=title), edit=edit)
        return
    lines = [t("📬 <b>{case}</b>: {replies} — page {page} of {pages}", lang, case=title,
               replies=tn("{count} reply received", "{count} replies received", total, lang),
               page=page + 1, pages=pages)]
    files = []
    for number, row in enumerate(rows, start=page * PAGE_SIZE + 1):
        when = format_day(row.created_at.date(), lang)
        if row.kind == "text":
            lines.append(f"\n<b>#{number}</b> · {when}\n{escape(_short(row.text or ''))}")
        else:
            kind = t("photo", lang) if row.kind == "photo" else t("document", lang)
            lines.append(f"\n<b>#{number}</b> · {when} · {kind} ⬇️")
            files.append((number, when, row))
    await respond(update, "\n".join(lines), kb.replies_keyboard(case_id, page, pages, lang),
                  edit=edit)
    for number, when, row in files:
        caption = fit_html(f"<b>#{number}</b> · {when}"
                           + (f"\n{escape(row.text)}" if row.text else ""), CAPTION_LIMIT)
        try:
            send = (update.effective_chat.send_photo if row.kind == "photo"
                    else update.effective_chat.send_document)
            await send(row.file_id, caption=caption, parse_mode=ParseMode.HTML)
        except TelegramError as error:  # a file Telegram no longer has
            log.info("reply #%s could not be re-sent: %s", number, type(error).__name__)
            await respond(update, t("#{number}: this file is no longer available.", lang,
                                    number=number), edit=False)


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_TEXT else text[:SHOWN_TEXT].rsplit(" ", 1)[0] + " …"
