"""/import: an urgent appeal's text → a draft case in the editor.

The coordinator pastes the text (as many messages as it takes, then [Done]) or sends it as a
.txt, .html or .pdf document. The draft shows what was found and what was not; the editor
(handlers/case_editor.py) takes it from there."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from bot.case_editor import document
from bot.case_editor.imports import draft_from_text
from bot.i18n import N_, t
from bot.importing.extract import MAX_DOCUMENT_BYTES, UnreadableDocument, extract_text
from bot.parsing import InputError, clean_text
from bot.services import services
from handlers import editor_keyboards as ekb
from handlers.case_editor import PASTE, show_draft
from handlers.common import acknowledge, lang_of, respond
from handlers.roles import LIMITED_NO_NEW_CASE, can_coordinate, may_add_cases, user_id_of
from storage.case_drafts import MAX_PASTE_CHARS, append_paste, discard, get_draft, start_draft
from storage.models import CaseDraft

REASONS = {
    "kind": N_("I read appeals from .txt, .html and .pdf files."),
    "size": N_("This file is too large for an appeal (at most {limit} bytes)."),
    "encrypted": N_("This PDF is password-protected: I cannot read its text."),
    "broken": N_("I could not read this PDF. Paste its text instead (/import)."),
    "empty": N_("I found no text in this file (a scanned PDF has only pictures). Paste the text "
             "instead (/import)."),
}


async def import_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, lang = services(context), lang_of(update)
    if not await may_add_cases(svc, user_id_of(update)):
        raise InputError(t(LIMITED_NO_NEW_CASE, lang))
    async with svc.db.session() as session:
        await start_draft(session=session, user_id=user_id_of(update),
                          data=document.new_document(), now=svc.clock.now(), awaiting=PASTE,
                          paste="")
    await respond(update, t("📥 Paste the urgent appeal's text: as many messages as it takes, "
                            "then press <b>Done</b>. Or send it as a .txt, .html or .pdf "
                            "file.", lang), ekb.paste_keyboard(lang), edit=False)


async def pasted_text(update: Update, context: ContextTypes.DEFAULT_TYPE,
                      draft: CaseDraft) -> None:
    svc, lang = services(context), lang_of(update)
    try:
        text = clean_text(update.effective_message.text or "", lang, limit=MAX_PASTE_CHARS)
    except InputError as error:
        await respond(update, error.text, edit=False)
        return
    async with svc.db.session() as session:
        draft = await get_draft(session=session, user_id=draft.user_id)
        fits = await append_paste(session=session, draft=draft, text=text, now=svc.clock.now())
        size = len(draft.paste or "")
    if not fits:
        await respond(update, t("❌ That is more text than an appeal has (at most {limit} "
                                "characters); this message was not added. Press Done to read "
                                "what I have.", lang, limit=MAX_PASTE_CHARS),
                      ekb.paste_keyboard(lang), edit=False)
        return
    await respond(update, t("📥 Got it: {count} characters so far. Paste more, or press "
                            "<b>Done</b>.", lang, count=size), ekb.paste_keyboard(lang),
                  edit=False)


async def _draft(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                 index: int = 0) -> None:
    svc = services(context)
    async with svc.db.session() as session:
        draft, _ = await draft_from_text(session=session, user_id=user_id_of(update), text=text,
                                         now=svc.clock.now(), index=index)
    await show_draft(update, svc, draft, edit=False)


async def import_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, lang, user_id = services(context), lang_of(update), user_id_of(update)
    parsed = ekb.parse_import(update.callback_query.data)
    if parsed is None or not await can_coordinate(svc, user_id):
        await acknowledge(update, t("This button is no longer valid.", lang), alert=True)
        return
    action, index = parsed
    async with svc.db.session() as session:
        draft = await get_draft(session=session, user_id=user_id)
        if action == "c" and draft is not None and draft.awaiting == PASTE:
            await discard(session=session, user_id=user_id)
    await acknowledge(update)
    if action == "c":
        await respond(update, t("✖️ Import cancelled.", lang))
    elif draft is None or not (draft.paste or "").strip():
        await respond(update, t("There is no pasted text to read. /import starts again.",
                                lang), edit=False)
    elif action == "d" and draft.awaiting == PASTE:
        await _draft(update, context, draft.paste)
    elif action == "o":
        await _draft(update, context, draft.paste, index or 0)
    else:
        await respond(update, t("This button is no longer valid.", lang), edit=False)


def _friendly(reason: str, lang: str) -> str:
    return "❌ " + t(REASONS[reason], lang, limit=MAX_DOCUMENT_BYTES)


async def import_document(update: Update, context: ContextTypes.DEFAULT_TYPE,
                          filename: str) -> None:
    """A coordinator's .txt, .html or .pdf: the appeal in it as a draft case."""
    lang = lang_of(update)
    if not await may_add_cases(services(context), user_id_of(update)):
        await respond(update, t(LIMITED_NO_NEW_CASE, lang), edit=False)
        return
    file = update.effective_message.document
    if file.file_size and file.file_size > MAX_DOCUMENT_BYTES:
        await respond(update, _friendly("size", lang), edit=False)
        return
    content = bytes(await (await file.get_file()).download_as_bytearray())
    try:
        text = extract_text(content, filename)
    except UnreadableDocument as error:
        await respond(update, _friendly(error.reason, lang), edit=False)
        return
    await respond(update, t("📥 Reading <b>{file}</b>…", lang, file=escape(filename)),
                  edit=False)
    await _draft(update, context, text)
