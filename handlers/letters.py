"""The letter wizard in chat: /write, [✍️ Write a letter] on a case card, its buttons, and the
signature the person types.

Thin: each handler loads the wizard's state and the case from the database, asks
:func:`bot.wizard.decide` what the update means, stores the result (compare-and-set on the
wizard's nonce) and shows it. The state lives in the database only, so the next update may reach
another process, or this one after a restart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import render, report_back
from bot import wizard as wz
from bot.address_checks import AddressCheck, address_check, address_note
from bot.fitting import CAPTION_LIMIT, fit_html
from bot.i18n import t
from bot.letters import Letter, build_eml, build_pdf, languages_for, postal_block, render_letter
from bot.parsing import parse_slug, shown
from bot.services import services
from content.schema import Authority as AuthorityDoc
from content.schema import Case as CaseDoc
from handlers import fallback
from handlers import keyboards as kb
from handlers.cases import show_card
from handlers.common import acknowledge, lang_of
from storage import cases as case_queries
from storage import letters as letter_queries
from storage import wizard as wizard_store
from storage.authorities import get_entries
from storage.models import Case
from storage.preferences import protects_content
from storage.supporters import ensure_supporter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """A case as the wizard needs it: the row, the validated document, the facts, and how
    current each addressee's address is (as of ``today``)."""

    row: Case | None = None
    doc: CaseDoc | None = None
    facts: wz.Facts = field(default_factory=wz.Facts)
    checks: dict[str, AddressCheck] = field(default_factory=dict)
    today: dt.date | None = None

    def note(self, authority: AuthorityDoc, lang: str) -> str | None:
        check = self.checks.get(authority.key)
        if check is None or self.doc is None or self.today is None:
            return None
        return address_note(authority, check, self.doc, self.today, lang)


async def _load_case(session, chat_id: int, case_id: int | None, now: dt.datetime) -> Loaded:
    case_row = (await case_queries.get_case(session=session, case_id=case_id)
                if case_id is not None else None)
    if case_row is None:
        return Loaded()
    doc = CaseDoc.model_validate(case_row.data)
    entries = await get_entries(session=session, keys=list(doc.addressees))
    written = await letter_queries.written_authorities(session=session, chat_id=chat_id,
                                                       case_id=case_row.id)
    options = wz.addressee_options(doc, [entry.authority for entry in entries], written)
    facts = wz.Facts(True, case_row.is_open, options, reports=doc.report_to is not None)
    checks = {entry.authority.key: address_check(entry) for entry in entries}
    return Loaded(case_row, doc, facts, checks, now.date())


async def _step_view(session, state: wz.Snapshot, loaded: Loaded, lang: str, *, page: int = 0,
                     notice: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """Text and buttons of the case, addressee, language or signature step."""
    if state.step == wz.CASE:
        rows = await case_queries.list_open_cases(session=session)
        pages = max(1, -(-len(rows) // kb.PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        shown = rows[page * kb.PAGE_SIZE:(page + 1) * kb.PAGE_SIZE]
        text = wz.case_step_text(page, pages, bool(rows), lang, notice)
        markup = kb.wizard_case_keyboard(
            state.nonce, [(row.id, render.shorten(render.case_title(row, lang), 60))
                          for row in shown], page, pages, lang)
        return text, markup
    options = loaded.facts.options
    if state.step == wz.ADDRESSEE:
        text = wz.addressee_step_text(loaded.doc, options, lang)
        markup = kb.wizard_addressee_keyboard(
            state.nonce, [(option.key, wz.addressee_label(option)) for option in options], lang)
        return text, markup
    authority = loaded.facts.option(state.authority_key).authority
    if state.step == wz.LANGUAGE:
        return (wz.language_step_text(authority, lang, loaded.note(authority, lang)),
                kb.wizard_language_keyboard(state.nonce, languages_for(lang), lang))
    return (wz.signature_step_text(authority, state.language, lang),
            kb.wizard_signature_keyboard(state.nonce, lang))


# --------------------------------------------------------------------------- sending


async def _send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None, *,
                protect: bool = False) -> int:
    message = await update.effective_chat.send_message(
        fit_html(text), parse_mode=ParseMode.HTML, reply_markup=markup,
        disable_web_page_preview=True, protect_content=protect)
    return message.message_id


async def _protect(context: ContextTypes.DEFAULT_TYPE, update: Update) -> bool:
    """The person's /settings choice: letters and drafts that can't be forwarded or saved."""
    async with services(context).db.session() as session:
        return await protects_content(session=session, chat_id=update.effective_chat.id)


async def _edit_or_send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None,
                        *, edit: bool = True) -> int:
    """Edit the pressed message (when ``edit``) or send a new one; the message's id."""
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(fit_html(text), parse_mode=ParseMode.HTML,
                                          reply_markup=markup, disable_web_page_preview=True)
            return query.message.message_id
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return query.message.message_id
            log.info("could not edit the wizard message, sending a new one: %s", error)
    return await _send(update, text, markup)


async def _drop_buttons(update: Update, message_id: int | None) -> None:
    """Take the buttons off one of the wizard's earlier messages (best effort)."""
    if message_id is None:
        return
    try:
        await update.get_bot().edit_message_reply_markup(
            chat_id=update.effective_chat.id, message_id=message_id, reply_markup=None)
    except BadRequest as error:
        log.debug("could not remove old wizard buttons: %s", error)


async def _replace_panel(update: Update, state: wz.Snapshot, text: str,
                         markup: InlineKeyboardMarkup | None = None) -> int:
    """Show the next step in place of the pressed message — unless that message holds the
    draft (kept for copying) or the thanks for a letter: then its buttons go and the step comes
    as a new message."""
    query = update.callback_query
    pressed = query.message.message_id if query and query.message else None
    keep = state.step == wz.SENT or (state.step == wz.DRAFT and pressed == state.message_id)
    if pressed is not None and keep:
        await _drop_buttons(update, pressed)
        return await _send(update, text, markup)
    return await _edit_or_send(update, text, markup)


async def _remember_message(context: ContextTypes.DEFAULT_TYPE, state: wz.Snapshot,
                            message_id: int) -> None:
    async with services(context).db.session() as session:
        await wizard_store.set_message_id(session=session, chat_id=state.chat_id,
                                          nonce=state.nonce, message_id=message_id)


def _letter(state: wz.Snapshot, loaded: Loaded) -> tuple[Letter, wz.AddresseeOption]:
    option = loaded.facts.option(state.authority_key)
    letter = render_letter(loaded.doc, option.authority, state.language, wz.signer_of(state))
    return letter, option


async def _send_draft(update: Update, context: ContextTypes.DEFAULT_TYPE, state: wz.Snapshot,
                      loaded: Loaded, lang: str) -> None:
    letter, option = _letter(state, loaded)
    messages = wz.draft_messages(letter, option.authority, lang)
    markup = kb.wizard_channels_keyboard(
        state.nonce, [(channel, wz.channel_name(channel, lang)) for channel in option.channels],
        lang)
    message_id = 0
    protect = await _protect(context, update)
    for index, html in enumerate(messages):
        message_id = await _send(update, html, markup if index == len(messages) - 1 else None,
                                 protect=protect)
    await _remember_message(context, state, message_id)


async def _send_help(update: Update, state: wz.Snapshot, loaded: Loaded, channel: str,
                     lang: str, protect: bool = False) -> None:
    """Step 6: the file to send (e-mail draft or PDF), then what to copy, and [I sent it]."""
    letter, option = _letter(state, loaded)
    authority = option.authority
    document: tuple[bytes, str] | None = None
    if channel == "email":
        document = (build_eml(letter, wz.usable_emails(authority)[0]),
                    wz.document_name(letter, "eml"))
    elif channel in ("fax", "post"):
        pdf = await asyncio.to_thread(build_pdf, letter, recipient_block=postal_block(authority))
        document = (pdf, wz.document_name(letter, "pdf"))
    if document is not None:
        await update.effective_chat.send_document(
            document=document[0], filename=document[1], parse_mode=ParseMode.HTML,
            caption=fit_html(wz.document_caption(channel, authority, lang), CAPTION_LIMIT),
            protect_content=protect)
    url = wz.web_form_url(authority) if channel == "web" else None
    await _send(update, wz.help_text(channel, authority, letter, lang,
                                     loaded.note(authority, lang)),
                kb.wizard_help_keyboard(state.nonce, channel, url=url, lang=lang), protect=protect)


async def _send_report(update: Update, state: wz.Snapshot, loaded: Loaded, lang: str) -> None:
    """The report the appeal asks for: an e-mail draft to its contact address, and the same
    text to copy. Nothing about it is recorded."""
    letter = report_back.report(loaded.doc, loaded.facts.options, state.language)
    await update.effective_chat.send_document(
        document=build_eml(letter, loaded.doc.report_to.email),
        filename=wz.document_name(letter, "eml"), parse_mode=ParseMode.HTML,
        caption=t("📨 The report to {name}, ready to send: open it in your mail app.", lang,
                  name=render.escape(loaded.doc.report_to.name)))
    await _send(update, report_back.report_help_text(loaded.doc, letter, lang))


# --------------------------------------------------------------------------- entry points


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE, case_row: Case | None, *,
                 edit: bool, notice: str | None = None) -> None:
    """A new wizard for this chat (replacing any earlier one), at the case or addressee step."""
    lang = lang_of(update)
    chat_id = update.effective_chat.id
    now = services(context).clock.now()
    async with services(context).db.session() as session:
        await wizard_store.purge_stale(session=session, before=now - wz.WIZARD_TTL)
        await ensure_supporter(session=session, chat_id=chat_id, language=lang)
        row = await wizard_store.start_state(
            session=session, chat_id=chat_id, now=now,
            step=wz.ADDRESSEE if case_row is not None else wz.CASE,
            case_id=case_row.id if case_row is not None else None)
        state = wz.Snapshot.of(row)
        loaded = await _load_case(session, chat_id, state.case_id, now)
        text, markup = await _step_view(session, state, loaded, lang, notice=notice)
    message_id = await _edit_or_send(update, text, markup, edit=edit)
    await _remember_message(context, state, message_id)


async def write_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/write — choose a case; /write <case> — straight to its addressees."""
    lang = lang_of(update)
    if not context.args:
        await _start(update, context, None, edit=False)
        return
    typed = context.args[0]
    slug = parse_slug(typed)
    case_row = None
    if slug is not None:
        async with services(context).db.session() as session:
            case_row = await case_queries.get_case_by_slug_ci(session=session, slug=slug)
    if case_row is not None and case_row.is_open:
        await _start(update, context, case_row, edit=False)
        return
    notice = (t("ℹ️ <b>{title}</b> is closed: no letter is needed any more.", lang,
                title=render.escape(render.case_title(case_row, lang))) if case_row is not None
              else t("I could not find a case called “{slug}”.", lang, slug=shown(typed)))
    await _start(update, context, None, edit=False, notice=notice)


async def write_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """[✍️ Write a letter] on a case card (wr:<case_id>): the case step is skipped."""
    lang = lang_of(update)
    case_id = kb.parse_case_id(update.callback_query.data, kb.WRITE)
    case_row = None
    if case_id is not None:
        async with services(context).db.session() as session:
            case_row = await case_queries.get_case(session=session, case_id=case_id)
    if case_row is None:
        await acknowledge(update, t(wz.REFUSALS["case_gone"], lang), alert=True)
        return
    if not case_row.is_open:
        await acknowledge(update, t(wz.REFUSALS["case_closed"], lang), alert=True)
        await show_card(update, context, case_row,
                        notice="🔒 " + t(wz.REFUSALS["case_closed"], lang))
        return
    await acknowledge(update)
    await _start(update, context, case_row, edit=True)


# --------------------------------------------------------------------------- the wizard's buttons


async def wizard_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every wizard button (lw:<nonce>:<action>[:<arg>])."""
    lang = lang_of(update)
    press = kb.parse_wizard_data(update.callback_query.data)
    if press is None:
        await acknowledge(update, t(wz.REFUSALS["malformed"], lang), alert=True)
        return
    chat_id = update.effective_chat.id
    now = services(context).clock.now()
    place = 0
    async with services(context).db.session() as session:
        row = await wizard_store.get_state(session=session, chat_id=chat_id,
                                           fresh_after=now - wz.WIZARD_TTL)
        state = wz.Snapshot.of(row) if row is not None else None
        loaded = await _load_case(session, chat_id, wz.case_id_of(state, press), now)
        outcome = wz.decide(state, press, loaded.facts)
        new_state = state
        if outcome.kind == "end" or (outcome.kind == "refuse" and outcome.ends):
            if not await wizard_store.clear_state(session=session, chat_id=chat_id,
                                                  expect_nonce=state.nonce):
                outcome = wz.Outcome("refuse", reason="stale")
        elif outcome.kind in ("move", "record"):
            if outcome.kind == "record":
                await ensure_supporter(session=session, chat_id=chat_id, language=lang)
            nonce = await wizard_store.advance(session=session, chat_id=chat_id,
                                               expect_nonce=state.nonce, now=now,
                                               step=outcome.step, **outcome.changes)
            if nonce is None:  # another tap or process moved the wizard on first
                outcome = wz.Outcome("refuse", reason="stale")
            else:
                new_state = state.moved(outcome.step, nonce, outcome.changes)
                if outcome.kind == "record":
                    action = await letter_queries.record_letter(
                        session=session, chat_id=chat_id, case_id=state.case_id,
                        authority_key=state.authority_key, channel=outcome.channel,
                        language=state.language)
                    place = await letter_queries.count_letters(
                        session=session, case_id=state.case_id,
                        authority_key=state.authority_key, up_to_id=action.id)
        view = None
        if outcome.kind == "page" or (outcome.kind == "move" and outcome.step != wz.DRAFT):
            view = await _step_view(session, new_state, loaded, lang, page=outcome.page)

    if outcome.kind == "refuse":
        await acknowledge(update, wz.refusal_text(outcome, lang), alert=True)
        if outcome.ends and state is not None:
            await _replace_panel(update, state, "⚠️ " + wz.refusal_text(outcome, lang))
        return
    if outcome.kind == "end" and state.step == wz.SENT:  # [Done] after a letter
        await acknowledge(update, wz.finished_text(lang))
        await _drop_buttons(update, update.callback_query.message.message_id
                            if update.callback_query.message else None)
        return
    await acknowledge(update)
    if outcome.kind == "end":
        await _replace_panel(update, state, wz.cancelled_text(lang))
    elif outcome.kind == "page":
        await _edit_or_send(update, *view)
    elif outcome.kind == "move" and outcome.step == wz.DRAFT:  # signed anonymously
        await _edit_or_send(update, wz.signed_text(new_state, lang))
        await _send_draft(update, context, new_state, loaded, lang)
    elif outcome.kind == "move":
        message_id = await _replace_panel(update, state, *view)
        await _remember_message(context, new_state, message_id)
    elif outcome.kind == "help":
        await _send_help(update, state, loaded, outcome.channel, lang,
                         await _protect(context, update))
    elif outcome.kind == "report":
        await _send_report(update, state, loaded, lang)
    elif outcome.kind == "menu":
        option = loaded.facts.option(state.authority_key)
        await _edit_or_send(update, wz.channels_menu_text(option.authority, lang),
                            kb.wizard_channels_keyboard(
                                state.nonce, [(channel, wz.channel_name(channel, lang))
                                              for channel in option.channels], lang))
    elif outcome.kind == "record":
        option = loaded.facts.option(state.authority_key)
        remaining = [o for o in wz.next_options(loaded.facts.options) if o.key != option.key]
        text = wz.thanks_text(loaded.doc, option.authority, place, remaining, lang)
        offer = report_back.offer_text(loaded.doc, lang)
        text += f"\n\n{offer}" if offer else ""
        markup = kb.wizard_sent_keyboard(
            new_state.nonce, state.case_id, [(o.key, wz.addressee_label(o)) for o in remaining],
            lang, report=report_back.offer_label(loaded.doc, lang) if offer else None)
        message_id = await _replace_panel(update, state, text, markup)
        await _remember_message(context, new_state, message_id)


# --------------------------------------------------------------------------- the typed signature


async def signature_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text from a person whose wizard waits for a signature; anyone else's goes to the
    fallback answer (PTB runs one handler per group, so this one passes it on itself)."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or message.text is None:
        await fallback.free_text(update, context)
        return
    lang = lang_of(update)
    now = services(context).clock.now()
    async with services(context).db.session() as session:
        row = await wizard_store.get_state(session=session, chat_id=chat.id,
                                           fresh_after=now - wz.WIZARD_TTL)
        state = wz.Snapshot.of(row) if row is not None else None
        outcome = wz.Outcome("pass")
        loaded, new_state = Loaded(), state
        if state is not None and state.step == wz.SIGNATURE:
            loaded = await _load_case(session, chat.id, state.case_id, now)
            outcome = wz.decide_signature(state, message.text, loaded.facts)
        if outcome.kind == "refuse" and outcome.ends:
            await wizard_store.clear_state(session=session, chat_id=chat.id,
                                           expect_nonce=state.nonce)
        elif outcome.kind == "move":
            nonce = await wizard_store.advance(session=session, chat_id=chat.id,
                                               expect_nonce=state.nonce, now=now,
                                               step=outcome.step, **outcome.changes)
            if nonce is None:
                outcome = wz.Outcome("refuse", reason="stale", ends=True)
            else:
                new_state = state.moved(outcome.step, nonce, outcome.changes)

    if outcome.kind == "pass":
        await fallback.free_text(update, context)
    elif outcome.kind == "refuse" and outcome.ends:
        await _send(update, "⚠️ " + wz.refusal_text(outcome, lang))
    elif outcome.kind == "refuse":  # the signature cannot be used: say why, ask again
        message_id = await _send(update, "⚠️ " + wz.refusal_text(outcome, lang),
                                 kb.wizard_signature_keyboard(state.nonce, lang))
        await _drop_buttons(update, state.message_id)
        await _remember_message(context, state, message_id)
    else:
        await _show_signed(update, state, new_state, lang)
        await _send_draft(update, context, new_state, loaded, lang)


async def _show_signed(update: Update, old: wz.Snapshot, new: wz.Snapshot, lang: str) -> None:
    """Turn the signature prompt into a note of how the letter is signed (best effort)."""
    if old.message_id is None:
        return
    try:
        await update.get_bot().edit_message_text(
            fit_html(wz.signed_text(new, lang)), chat_id=update.effective_chat.id,
            message_id=old.message_id, parse_mode=ParseMode.HTML)
    except BadRequest as error:
        log.debug("could not update the signature prompt: %s", error)
