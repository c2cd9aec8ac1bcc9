"""Case files sent as documents: a coordinator's YAML file adds or updates that case (checked
like content/); anyone else gets the usual answer to a document."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from bot.coordination import uploads
from bot.i18n import t
from bot.importing.extract import kind_of
from bot.parsing import InputError, clean_text
from bot.services import services
from handlers import fallback, importing
from handlers.common import lang_of, respond
from handlers.roles import can_coordinate, scope_for, user_id_of

FILENAME_LIMIT = 200


async def case_file_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    if not await can_coordinate(svc, user_id_of(update)):
        await fallback.other_message(update, context)
        return
    lang = lang_of(update)
    document = update.effective_message.document
    try:  # the name is quoted back and written to the audit log
        filename = clean_text(document.file_name or "", lang, limit=FILENAME_LIMIT) or "case.yaml"
    except InputError as error:
        await respond(update, error.text, edit=False)
        return
    if kind_of(filename) is not None:  # an appeal's text: /import reads it into a draft
        await importing.import_document(update, context, filename)
        return
    if not filename.lower().endswith((".yaml", ".yml")):
        await respond(update, t("To add or update a case, send its case file: a .yaml file "
                                "like those in content/cases.", lang), edit=False)
        return
    if document.file_size and document.file_size > uploads.MAX_UPLOAD_BYTES:
        await respond(update, t("❌ <b>{file}</b> is too large for a case file ({size} bytes; "
                                "at most {limit}).", lang, file=escape(filename),
                                size=document.file_size, limit=uploads.MAX_UPLOAD_BYTES),
                      edit=False)
        return
    telegram_file = await document.get_file()
    content = bytes(await telegram_file.download_as_bytearray())
    scope = await scope_for(svc, user_id_of(update))
    async with svc.db.session() as session:
        upload = await uploads.upload_case(session=session, actor_id=user_id_of(update),
                                           filename=filename, content=content,
                                           now=svc.clock.now(), scope=scope, lang=lang)
    if upload.errors:
        await respond(update, uploads.upload_errors_text(filename, upload.errors, lang),
                      edit=False)
        return
    done = {"created": t("✅ Case added", lang), "updated": t("✅ Case updated", lang),
            "unchanged": t("✅ Nothing changed", lang)}[upload.outcome]
    link = f"https://t.me/{context.bot.username}?start={upload.slug}"
    text = t("{done}: <b>{title}</b> (<code>{slug}</code>).\nSupporters find it under /cases "
             "or follow it with this link: {link}", lang, done=done,
             title=escape(upload.title), slug=escape(upload.slug),
             link=escape(link))
    if upload.kept:
        text += "\n\n" + t("ℹ️ Kept on the timeline although the file no longer lists them, "
                           "because an outcome, a reminder or an alert from chat belongs to "
                           "them: {keys}", lang,
                           keys=", ".join(f"<code>{escape(key)}</code>" for key in upload.kept))
    await respond(update, text, edit=False)
