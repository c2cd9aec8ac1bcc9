"""The letter wizard in chat: /write, [✍️ Write a letter] on a case card, its buttons, and the
texts the person types.

Thin: each handler makes one call to :mod:`bot.wizard_flow` (which decides and stores, in one
transaction) and shows the result. The state lives in the database only, so the next update may
reach another process, or this one after a restart.

Where things appear: the wizard opens in a new message. Its step prompts (case, addressee,
language, signature) change in place; what the person may want to read again — the draft, how
to send it, the thanks — stays, and the next step comes as a new message below. Only the
latest wizard message has live buttons: whenever the wizard moves on, the buttons of the message
it leaves are taken off right after the next message is shown (the thanks keeps its next steps
that are not the wizard's).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import render, report_back
from bot import wizard as wz
from bot import wizard_flow as flow
from bot.fitting import CAPTION_LIMIT, fit_html
from bot.i18n import t
from bot.letters import build_eml, build_pdf, postal_block
from bot.parsing import parse_slug, shown
from bot.services import services
from bot.wizard_notes import deleted_note, stray_text_hint
from handlers import fallback
from handlers import keyboards as kb
from handlers.cases import show_card
from handlers.common import acknowledge, drop_buttons, lang_of, respond
from storage import cases as case_queries
from storage.preferences import protects_content

log = logging.getLogger(__name__)

# Steps whose message holds something to keep (the draft, how to send it, the thanks): the next
# step comes as a new message instead of replacing it.
_KEPT = (wz.DRAFT, wz.SENT)


def _step_markup(view: flow.StepView, lang: str) -> InlineKeyboardMarkup:
    state = view.state
    if state.step == wz.CASE:
        return kb.wizard_case_keyboard(state.nonce, list(view.cases), view.page, view.pages,
                                       lang)
    if state.step == wz.ADDRESSEE:
        return kb.wizard_addressee_keyboard(state.nonce, list(view.addressees), lang)
    if state.step == wz.LANGUAGE:
        return kb.wizard_language_keyboard(state.nonce, view.languages, lang)
    return kb.wizard_signature_keyboard(state.nonce, lang)


def _channels_markup(state: wz.Snapshot, option: wz.AddresseeOption,
                     lang: str) -> InlineKeyboardMarkup:
    return kb.wizard_channels_keyboard(
        state.nonce, [(channel, wz.channel_name(channel, lang)) for channel in option.channels],
        lang)


async def _protect(context: ContextTypes.DEFAULT_TYPE, update: Update) -> bool:
    """The person's /settings choice: letters and drafts that can't be forwarded or saved."""
    async with services(context).db.session() as session:
        return await protects_content(session=session, chat_id=update.effective_chat.id)


def _pressed(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query is not None and query.message is not None else None


async def _leave(update: Update, state: wz.Snapshot | None, message_id: int | None) -> None:
    """The wizard moves on from ``message_id``: its wizard buttons go. The thanks for a letter
    keeps the next steps that are not the wizard's (share, reply, back to the case)."""
    thanks = state is not None and state.step == wz.SENT and state.case_id is not None
    await drop_buttons(update, message_id, kb.after_letter_keyboard(state.case_id,
                                                                    lang_of(update))
                       if thanks else None)


async def _panel(update: Update, context: ContextTypes.DEFAULT_TYPE, state: wz.Snapshot,
                 new_state: wz.Snapshot | None, text: str,
                 markup: InlineKeyboardMarkup | None = None) -> None:
    """Show what follows a press at ``state``: in place of a step prompt, or below a message
    to keep (whose buttons go). ``new_state``: the wizard's state now (None once it ended)."""
    pressed = _pressed(update)
    if state.step in _KEPT or pressed is None:
        message_id = await respond(update, text, markup, edit=False)
        await _leave(update, state, pressed)
    else:
        message_id = await respond(update, text, markup)
    if new_state is not None:
        await flow.remember_message(services(context).db, new_state, message_id)


async def _send_draft(update: Update, context: ContextTypes.DEFAULT_TYPE, state: wz.Snapshot,
                      loaded: flow.Loaded, lang: str) -> None:
    letter, option = flow.letter_of(state, loaded)
    messages = wz.draft_messages(letter, option.authority, lang)
    message_id = None
    protect = await _protect(context, update)
    for index, html in enumerate(messages):
        last = index == len(messages) - 1
        message_id = await respond(update, html, _channels_markup(state, option, lang)
                                   if last else None, edit=False,
                                   protect=protect)
    await flow.remember_message(services(context).db, state, message_id)


async def _send_help(update: Update, context: ContextTypes.DEFAULT_TYPE, state: wz.Snapshot,
                     loaded: flow.Loaded, channel: str, lang: str,
                     protect: bool = False) -> None:
    """Step 6: the file to send (e-mail draft or PDF), then what to copy, and [I sent it]."""
    letter, option = flow.letter_of(state, loaded)
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
    message_id = await respond(
        update, wz.help_text(channel, authority, letter, lang, loaded.note(authority, lang)),
        kb.wizard_help_keyboard(state.nonce, channel, url=url, lang=lang), edit=False,
        protect=protect)
    await _leave(update, state, _pressed(update))
    await flow.remember_message(services(context).db, state, message_id)


async def _send_report(update: Update, state: wz.Snapshot, loaded: flow.Loaded,
                       lang: str) -> None:
    """The report the appeal asks for: an e-mail draft to its contact address, and the same
    text to copy. Nothing about it is recorded."""
    letter = report_back.report(loaded.doc, loaded.facts.options, state.language)
    await update.effective_chat.send_document(
        document=build_eml(letter, loaded.doc.report_to.email),
        filename=wz.document_name(letter, "eml"), parse_mode=ParseMode.HTML,
        caption=t("📨 The report to {name}, ready to send: open it in your mail app.", lang,
                  name=render.escape(loaded.doc.report_to.name)))
    await respond(update, report_back.report_help_text(loaded.doc, letter, lang), edit=False)


def _thanks(pressed: flow.Pressed, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """After [✅ I sent it]: the thanks, and every next step as a button."""
    state, loaded = pressed.state, pressed.loaded
    option = loaded.option(state)
    remaining = [o for o in wz.next_options(loaded.facts.options) if o.key != option.key]
    text = wz.thanks_text(loaded.doc, option.authority, pressed.place, remaining, lang)
    offer = report_back.offer_text(loaded.doc, lang)
    text += f"\n\n{offer}" if offer else ""
    markup = kb.wizard_sent_keyboard(
        pressed.new_state.nonce, state.case_id,
        [(o.key, wz.addressee_label(o)) for o in remaining],
        lang, report=report_back.offer_label(loaded.doc, lang) if offer else None)
    return text, markup


# --------------------------------------------------------------------------- entry points


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE, case_row=None, *,
                 notice: str | None = None) -> None:
    """A new wizard for this chat (replacing any earlier one), in a new message."""
    db = services(context).db
    earlier, view = await flow.start(
        db, chat_id=update.effective_chat.id, lang=lang_of(update),
        case_id=case_row.id if case_row is not None else None,
        now=services(context).clock.now(), notice=notice)
    message_id = await respond(update, view.text, _step_markup(view, lang_of(update)),
                               edit=False)
    if earlier is not None:
        await _leave(update, earlier, earlier.message_id)
    await flow.remember_message(db, view.state, message_id)


async def write_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/write — choose a case; /write <case> — straight to its addressees."""
    lang = lang_of(update)
    if not context.args:
        await _start(update, context)
        return
    typed = context.args[0]
    slug = parse_slug(typed)
    case_row = None
    if slug is not None:
        async with services(context).db.session() as session:
            case_row = await case_queries.get_case_by_slug_ci(session=session, slug=slug)
    if case_row is not None and case_row.is_open:
        await _start(update, context, case_row)
        return
    notice = (t("ℹ️ <b>{title}</b> is closed: no letter is needed any more.", lang,
                title=render.escape(render.case_title(case_row, lang))) if case_row is not None
              else t("I could not find a case called “{slug}”.", lang, slug=shown(typed)))
    await _start(update, context, notice=notice)


async def write_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """[✍️ Write a letter] on a case card or an alert (wr:<case_id>): the case step is
    skipped, and the card stays as it is."""
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
    await _start(update, context, case_row)


# --------------------------------------------------------------------------- the wizard's buttons


async def wizard_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every wizard button (lw:<nonce>:<action>[:<arg>])."""
    lang = lang_of(update)
    press = kb.parse_wizard_data(update.callback_query.data)
    if press is None:
        await acknowledge(update, t(wz.REFUSALS["malformed"], lang), alert=True)
        return
    db = services(context).db
    pressed = await flow.press(db, chat_id=update.effective_chat.id, lang=lang, press=press,
                               now=services(context).clock.now())
    outcome, state, new_state = pressed.outcome, pressed.state, pressed.new_state

    if outcome.kind == "refuse":  # nothing changed; the message pressed stays as it is
        await acknowledge(update, wz.refusal_text(outcome, lang), alert=True)
        if outcome.ends and state is not None:
            await _panel(update, context, state, None, "⚠️ " + wz.refusal_text(outcome, lang))
        return
    if outcome.kind == "end" and state.step == wz.SENT:  # [Done] after a letter
        await acknowledge(update, wz.finished_text(lang))
        await _leave(update, state, _pressed(update))
        return
    await acknowledge(update)
    if outcome.kind == "end":
        await _panel(update, context, state, None, wz.cancelled_text(lang))
    elif outcome.kind == "page":
        message_id = await respond(update, pressed.view.text, _step_markup(pressed.view, lang))
        await flow.remember_message(db, state, message_id)
    elif outcome.kind == "move" and outcome.step == wz.DRAFT:  # signed anonymously
        await respond(update, wz.signed_text(new_state, lang))
        await _send_draft(update, context, new_state, pressed.loaded, lang)
    elif outcome.kind == "move":
        await _panel(update, context, state, new_state, pressed.view.text,
                     _step_markup(pressed.view, lang))
    elif outcome.kind == "help":
        await _send_help(update, context, state, pressed.loaded, outcome.channel, lang,
                         await _protect(context, update))
    elif outcome.kind == "report":
        await _send_report(update, state, pressed.loaded, lang)
    elif outcome.kind == "menu":
        option = pressed.loaded.option(state)
        await _panel(update, context, state, state, wz.channels_menu_text(option.authority, lang),
                     _channels_markup(state, option, lang))
    elif outcome.kind == "record":
        await _panel(update, context, state, new_state, *_thanks(pressed, lang))


# --------------------------------------------------------------------------- typed texts


async def signature_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text typed in a private chat. At the signature step it is the signature: read, then
    deleted from the chat. At another step of a wizard it gets an answer that knows the step;
    without a wizard it goes to the fallback answer (PTB runs one handler per group, so this
    one passes it on itself)."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or message.text is None:
        await fallback.free_text(update, context)
        return
    lang = lang_of(update)
    typed = await flow.typed(services(context).db, chat_id=chat.id, text=message.text,
                             now=services(context).clock.now())
    outcome, state = typed.outcome, typed.state
    if outcome.kind == "pass":
        if state is None or state.step == wz.SENT:
            await fallback.free_text(update, context)
        else:
            await _hint(update, context, typed, lang)
        return

    # Typed at the signature step: whatever it is, it may hold the person's name.
    note = deleted_note(await _delete_typed(update), lang)
    if outcome.kind == "refuse" and outcome.ends:
        await _leave(update, state, state.message_id)
        await respond(update, f"⚠️ {wz.refusal_text(outcome, lang)}\n\n{note}", edit=False)
    elif outcome.kind == "refuse":  # the signature cannot be used: say why, ask again
        message_id = await respond(update, f"⚠️ {wz.refusal_text(outcome, lang)}\n\n{note}",
                                   kb.wizard_signature_keyboard(state.nonce, lang), edit=False)
        await _leave(update, state, state.message_id)
        await flow.remember_message(services(context).db, state, message_id)
    else:
        await _show_signed(update, state, typed.new_state, lang, note)
        await _send_draft(update, context, typed.new_state, typed.loaded, lang)


async def _delete_typed(update: Update) -> bool:
    """Delete the person's message from the chat; False if Telegram refused (too old …)."""
    try:
        return bool(await update.effective_message.delete())
    except TelegramError as error:
        log.info("could not delete a typed signature: %s", error)
        return False


async def _show_signed(update: Update, old: wz.Snapshot, new: wz.Snapshot, lang: str,
                       note: str) -> None:
    """Turn the signature prompt into a note of how the letter is signed, and whether the
    typed message is gone (as a new message if the prompt cannot be changed)."""
    text = fit_html(f"{wz.signed_text(new, lang)}\n\n{note}")
    if old.message_id is not None:
        try:
            await update.get_bot().edit_message_text(
                text, chat_id=update.effective_chat.id, message_id=old.message_id,
                parse_mode=ParseMode.HTML)
            return
        except BadRequest as error:
            log.debug("could not update the signature prompt: %s", error)
    await respond(update, text, edit=False)


async def _hint(update: Update, context: ContextTypes.DEFAULT_TYPE, typed: flow.Typed,
                lang: str) -> None:
    """A text typed where the wizard waits for a button: say where the person is, and show
    that step's buttons again under the answer (the earlier ones go)."""
    state, loaded = typed.state, typed.loaded
    option = loaded.option(state)
    if state.step != wz.CASE and not loaded.facts.case_exists:
        await respond(update, "⚠️ " + t(wz.REFUSALS["case_gone"], lang), edit=False)
        return
    if state.step in (wz.LANGUAGE, wz.DRAFT) and option is None:
        await respond(update, "⚠️ " + t(wz.REFUSALS["addressee_gone"], lang), edit=False)
        return
    text = stray_text_hint(
        state.step, lang, who=wz.who(option.authority) if option is not None else "",
        title=render.case_title(loaded.row, lang) if loaded.row is not None else "")
    if state.step == wz.DRAFT:
        markup = _channels_markup(state, option, lang)
    else:
        markup = _step_markup(await flow.current_view(services(context).db, state, loaded, lang),
                              lang)
    message_id = await respond(update, text, markup, edit=False)
    await _leave(update, state, state.message_id)
    await flow.remember_message(services(context).db, state, message_id)
