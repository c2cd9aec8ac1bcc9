"""The case editor in chat: /newcase, /editcase <case>, /exportcase <case>, /newauthority.

A coordinator's draft lives in the database (storage.case_drafts), so it survives a restart.
Each field is set by a button and a typed text, checked with the case files' own schema;
[Publish] stores the case like a case file sent in chat (audited, visible to supporters)."""

from __future__ import annotations

from html import escape

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot.case_editor import authority_form, card, document, fields
from bot.case_editor.publish import Published, directory_with, publish
from bot.coordination.uploads import upload_errors_text
from bot.i18n import t
from bot.importing.appeal import split_appeals
from bot.parsing import InputError, clean_text, parse_slug, shown
from bot.services import Services, services
from content.schema import Case as CaseDoc
from handlers import editor_keyboards as ekb
from handlers.common import acknowledge, lang_of, respond
from handlers.roles import (
    LIMITED_NO_NEW_CASE,
    NOT_YOURS,
    can_coordinate,
    may_add_cases,
    may_work_on,
    user_id_of,
)
from storage import audit
from storage import cases as case_queries
from storage.authorities import all_authorities
from storage.case_drafts import discard, get_draft, save, start_draft
from storage.library_sync import upsert_authority
from storage.models import Case, CaseDraft

TYPED_LIMIT = 4000
NEW_AUTHORITY = "authority"  # CaseDraft.awaiting: the next text is an authority form
PASTE = "paste"  # CaseDraft.awaiting: the next texts are an appeal being pasted


async def show_draft(update: Update, svc: Services, draft: CaseDraft, *,
                     edit: bool = True) -> None:
    lang = lang_of(update)
    async with svc.db.session() as session:
        directory, authority_errors = await directory_with(session, draft)
    _, errors = document.check(draft.data, directory)
    text = card.render(draft.data, draft.authorities, draft.notes, directory,
                       authority_errors + errors, lang, editing=draft.editing)
    markup = ekb.editor_keyboard(
        lang, appeals=len(split_appeals(draft.paste)) if draft.paste else 0,
        new_authorities=[(key, value.get("name") or key)
                         for key, value in draft.authorities.items()])
    await respond(update, text, markup, edit=edit)


def _argument(context: ContextTypes.DEFAULT_TYPE) -> str:
    return " ".join(context.args or []).strip()


async def newcase_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    if not await may_add_cases(svc, user_id_of(update)):
        raise InputError(t(LIMITED_NO_NEW_CASE, lang_of(update)))
    async with svc.db.session() as session:
        draft = await start_draft(session=session, user_id=user_id_of(update),
                                  data=document.new_document(), now=svc.clock.now())
    await show_draft(update, svc, draft, edit=False)


async def _case_named(update: Update, context: ContextTypes.DEFAULT_TYPE,
                     command: str) -> Case:
    """The case a coordinator named after ``/<command>``, one they may work on; else
    InputError saying why."""
    svc, lang, slug = services(context), lang_of(update), _argument(context)
    if not slug:
        raise InputError(t("Which case? Give its slug, e.g. <code>/{command} kharkova</code>.",
                           lang, command=command))
    case = None
    if (parsed := parse_slug(slug)) is not None:  # no case has any other name: no lookup
        async with svc.db.session() as session:
            case = await case_queries.get_case_by_slug_ci(session=session, slug=parsed)
    if case is None:
        raise InputError(t("There is no case <code>{slug}</code>. /cases lists them.", lang,
                           slug=shown(slug)))
    if not await may_work_on(svc, user_id_of(update), case.id):
        raise InputError(t(NOT_YOURS, lang))
    return case


async def editcase_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    case = await _case_named(update, context, "editcase")
    async with svc.db.session() as session:
        draft = await start_draft(session=session, user_id=user_id_of(update),
                                  data=dict(case.data), editing=case.slug, now=svc.clock.now())
    await show_draft(update, svc, draft, edit=False)


async def exportcase_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update)
    case = await _case_named(update, context, "exportcase")
    text = document.export_yaml(CaseDoc.model_validate(case.data))
    await update.effective_chat.send_document(
        InputFile(text.encode(), filename=f"{case.slug}.yaml"),
        caption=t("The case file of {slug}, ready to commit to content/cases/.", lang,
                  slug=case.slug))


async def newauthority_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    if not await may_add_cases(svc, user_id_of(update)):
        raise InputError(t(LIMITED_NO_NEW_CASE, lang_of(update)))
    async with svc.db.session() as session:
        draft = await get_draft(session=session, user_id=user_id_of(update))
        if draft is None:  # an authority on its own: a draft that holds only it
            draft = await start_draft(session=session, user_id=user_id_of(update),
                                      data=document.new_document(), now=svc.clock.now())
        await save(session=session, draft=draft, now=svc.clock.now(), awaiting=NEW_AUTHORITY)
    await _ask_authority(update, authority_form.TEMPLATE, edit=False)


async def _ask_authority(update: Update, form: str, *, edit: bool = True) -> None:
    lang = lang_of(update)
    await respond(update, t("Send the authority as a form, one field per line (copy, fill in "
                            "and send back; an empty line is left out):", lang)
                  + f"\n\n<code>{escape(form)}</code>", ekb.back_keyboard(lang), edit=edit)


async def editor_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc, lang, user_id = services(context), lang_of(update), user_id_of(update)
    parsed = ekb.parse_editor(update.callback_query.data)
    if not await can_coordinate(svc, user_id) or parsed is None:
        await acknowledge(update, t("This button is no longer valid.", lang), alert=True)
        return
    action, arg, extra = parsed
    async with svc.db.session() as session:
        draft = await get_draft(session=session, user_id=user_id)
        if draft is None:
            await acknowledge(update)
            await respond(update, t("There is no draft any more. /newcase starts one, /import "
                                    "makes one from an appeal.", lang), edit=False)
            return
        now = svc.clock.now()
        if action == "x":
            await discard(session=session, user_id=user_id)
        elif action == "p":
            filename = f"{draft.data.get('slug') or 'draft'}.yaml"
            published = await publish(session=session, draft=draft, actor_id=user_id, now=now)
        elif action == "e":
            data = dict(draft.data)
            data["write_to_embassy"] = not data.get("write_to_embassy")
            await save(session=session, draft=draft, now=now, data=data)
        elif action == "t" and arg:
            await save(session=session, draft=draft, now=now,
                       data=fields.toggle_addressee(draft.data, arg))
        elif action == "r" and arg and arg.isdigit():
            await save(session=session, draft=draft, now=now,
                       data=fields.remove_timeline_entry(draft.data, int(arg)))
        elif action == "f" and arg in fields.FIELDS and not fields.FIELDS[arg].per_language:
            await save(session=session, draft=draft, now=now, awaiting=f"{arg}")
        elif action == "l" and arg in fields.FIELDS and extra in fields.LANGUAGES:
            await save(session=session, draft=draft, now=now, awaiting=f"{arg}:{extra}")
        elif action in {"n", "w"}:
            await save(session=session, draft=draft, now=now, awaiting=NEW_AUTHORITY)
        elif action == "v":
            await save(session=session, draft=draft, now=now, awaiting=None)
        directory = await all_authorities(session=session) if action in {"a", "t"} else {}
    await acknowledge(update)
    if action == "x":
        await respond(update, t("🗑 The draft is discarded.", lang))
    elif action == "p":
        await _published(update, context, published, filename, lang)
    elif action == "f" and arg in fields.FIELDS and fields.FIELDS[arg].per_language:
        await respond(update, t("<b>{field}</b>: in which language?", lang,
                                field=t(fields.FIELDS[arg].label, lang)),
                      ekb.language_keyboard(arg, lang))
    elif action == "f" and arg in fields.FIELDS:
        await _prompt(update, draft, arg, None, lang)
    elif action == "l" and arg in fields.FIELDS:
        await _prompt(update, draft, arg, extra, lang)
    elif action in {"a", "t"}:
        await _picker(update, draft, directory, int(arg) if action == "a" and arg
                      and arg.isdigit() else 0, lang)
    elif action == "n":
        await _ask_authority(update, authority_form.TEMPLATE)
    elif action == "w" and arg in draft.authorities:
        await _ask_authority(update, authority_form.render(draft.authorities[arg]))
    else:
        await show_draft(update, svc, draft)


async def _prompt(update: Update, draft: CaseDraft, name: str, lang_code: str | None,
                  lang: str) -> None:
    field = fields.FIELDS[name]
    text = f"<b>{t(field.label, lang)}</b>" + (f" ({lang_code})" if lang_code else "")
    text += "\n" + t(field.prompt, lang) + "\n" + t("Send <code>-</code> to clear it.", lang)
    if name == "timeline":
        entries = draft.data.get("timeline") or []
        text += "\n\n" + "\n".join(f"{index + 1}. {escape(str(e.get('date')))} "
                                   f"{escape(str(e.get('kind')))}"
                                   for index, e in enumerate(entries[:40]))
        await respond(update, text, ekb.timeline_keyboard(len(entries), lang))
        return
    await respond(update, text, ekb.back_keyboard(lang))


async def _picker(update: Update, draft: CaseDraft, directory: dict, page: int,
                  lang: str) -> None:
    chosen = set(draft.data.get("addressees") or [])
    everyone = sorted([(key, authority.name) for key, authority in directory.items()]
                      + [(key, doc.get("name") or key) for key, doc in draft.authorities.items()
                         if key not in directory], key=lambda item: (item[0] not in chosen,
                                                                      item[1].lower()))
    pages = max(1, -(-len(everyone) // ekb.PAGE_SIZE))
    page = min(page, pages - 1)
    items = [(key, name, key in chosen)
             for key, name in everyone[page * ekb.PAGE_SIZE:(page + 1) * ekb.PAGE_SIZE]]
    await respond(update, t("📮 <b>Addressees</b>: tap to add or remove ({count} chosen).",
                            lang, count=len(chosen)),
                  ekb.addressee_keyboard(items, page, pages, lang))


async def _published(update: Update, context: ContextTypes.DEFAULT_TYPE, published: Published,
                     filename: str, lang: str) -> None:
    if published.renamed:
        await respond(update, t("❌ A published case keeps its slug <code>{slug}</code>: links "
                                "to it are already shared. Set the slug back, or make a new "
                                "case with /newcase.", lang, slug=escape(published.slug)),
                      edit=False)
        return
    if published.taken:
        await respond(update, t("❌ A case with the slug <code>{slug}</code> already exists. "
                                "Change the draft's slug, or edit that case with /editcase.",
                                lang, slug=escape(published.slug)), edit=False)
        return
    if published.errors:
        await respond(update, upload_errors_text(filename, published.errors, lang), edit=False)
        return
    done = {"created": t("✅ Case added", lang), "updated": t("✅ Case updated", lang),
            "unchanged": t("✅ Nothing changed", lang)}[published.outcome]
    link = f"https://t.me/{context.bot.username}?start={published.slug}"
    await respond(update, t("{done}: <b>{title}</b> (<code>{slug}</code>).\nSupporters find it "
                            "under /cases or follow it with this link: {link}", lang, done=done,
                            title=escape(published.title), slug=escape(published.slug),
                            link=escape(link)))


async def typed_text(update: Update, context: ContextTypes.DEFAULT_TYPE,
                     draft: CaseDraft) -> None:
    """A text for the draft's field (``draft.awaiting``) or an authority form."""
    svc, user_id = services(context), user_id_of(update)
    lang = lang_of(update)
    try:
        text = clean_text(update.effective_message.text or "", lang, limit=TYPED_LIMIT)
    except InputError as error:
        await respond(update, error.text, edit=False)
        return
    if draft.awaiting == NEW_AUTHORITY:
        await _typed_authority(update, svc, draft, text, lang)
        return
    name, _, lang_code = draft.awaiting.partition(":")
    if name not in fields.FIELDS:
        return
    async with svc.db.session() as session:
        draft = await get_draft(session=session, user_id=user_id)
        directory, _ = await directory_with(session, draft)
        data, errors = fields.apply(draft.data, name, lang_code or None, text, directory)
        if not errors:
            await save(session=session, draft=draft, now=svc.clock.now(), data=data,
                       awaiting=None)
    if errors:
        lines = [t("❌ Not changed:", lang)] + [
            f"• <code>{escape(error.field)}</code>: {card.problem(error, lang)}" for error in errors]
        await respond(update, "\n".join(lines) + "\n" + t("Type it again, or go back.", lang),
                      ekb.back_keyboard(lang), edit=False)
        return
    await show_draft(update, svc, draft, edit=False)


async def _typed_authority(update: Update, svc: Services, draft: CaseDraft, text: str,
                           lang: str) -> None:
    form, unknown = authority_form.parse(text)
    authority, errors = document.check_authority(form)
    if unknown or authority is None:
        lines = [t("❌ The authority was not saved:", lang)]
        lines += [t("• unknown line: {label}", lang, label=escape(label)) for label in unknown]
        lines += [f"• <code>{escape(error.field)}</code>: {card.problem(error, lang)}"
                  for error in errors]
        await respond(update, "\n".join(lines), ekb.back_keyboard(lang), edit=False)
        return
    # A completed authority goes into the directory now (audited), so any case can use it.
    async with svc.db.session() as session:
        draft = await get_draft(session=session, user_id=draft.user_id)
        if await upsert_authority(session=session, authority=authority):
            await audit.record(session=session, actor_id=draft.user_id, action="add_authority",
                               detail=authority.key, now=svc.clock.now())
        added = {key: value for key, value in draft.authorities.items() if key != authority.key}
        data = dict(draft.data)
        if authority.key not in (data.get("addressees") or []):
            data["addressees"] = [*(data.get("addressees") or []), authority.key]
        await save(session=session, draft=draft, now=svc.clock.now(), authorities=added,
                   data=data, awaiting=None)
    await respond(update, t("✅ <b>{name}</b> is in the directory as <code>{key}</code> and "
                            "among the draft's addressees.", lang, name=escape(authority.name),
                            key=escape(authority.key)), edit=False)
    await show_draft(update, svc, draft, edit=False)
