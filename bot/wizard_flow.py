"""The letter wizard's database work: what one press, one typed text or one start does to the
stored wizard, in one transaction each.

The handlers (handlers/letters.py) translate a Telegram update into one call here and show what
it returns; :mod:`bot.wizard` decides what the update means. Every change of step is a
compare-and-set on the wizard's nonce (storage/wizard.py), so a double tap or two processes
racing on one chat change the state at most once, and the next update may reach another process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot import render
from bot import wizard as wz
from bot.address_checks import AddressCheck, address_check, address_note
from bot.letters import Letter, languages_for, render_letter
from content.schema import Authority as AuthorityDoc
from content.schema import Case as CaseDoc
from storage import cases as case_queries
from storage import letters as letter_queries
from storage import wizard as wizard_store
from storage.authorities import get_entries
from storage.db import Database
from storage.models import Case
from storage.supporters import ensure_supporter


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

    def option(self, state: wz.Snapshot) -> wz.AddresseeOption | None:
        return self.facts.option(state.authority_key)


@dataclass(frozen=True)
class StepView:
    """What a step shows: its text, and what its buttons offer (the handler builds them)."""

    state: wz.Snapshot
    text: str
    cases: tuple[tuple[int, str], ...] = ()  # case step: (id, title) on this page
    page: int = 0
    pages: int = 1
    addressees: tuple[tuple[str, str], ...] = ()  # addressee step: (key, label)
    languages: dict[str, str] = field(default_factory=dict)  # language step: code → name


@dataclass(frozen=True)
class Pressed:
    """A wizard button's result: the decision, the state before and after, the case, the step
    to show (for ``move`` and ``page``) and, after [I sent it], the letter's place in the
    count."""

    outcome: wz.Outcome
    state: wz.Snapshot | None
    new_state: wz.Snapshot | None
    loaded: Loaded
    view: StepView | None = None
    place: int = 0


@dataclass(frozen=True)
class Typed:
    """A text the person typed: the decision (``pass`` if no wizard of theirs is waiting),
    the state before and after, and the case."""

    outcome: wz.Outcome
    state: wz.Snapshot | None
    new_state: wz.Snapshot | None
    loaded: Loaded


async def load_case(session, chat_id: int, case_id: int | None, now: dt.datetime) -> Loaded:
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


async def step_view(session, state: wz.Snapshot, loaded: Loaded, lang: str, *, page: int = 0,
                    notice: str | None = None) -> StepView:
    """The case, addressee, language or signature step as it is now."""
    if state.step == wz.CASE:
        rows = await case_queries.list_open_cases(session=session)
        pages = max(1, -(-len(rows) // render.LIST_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        shown = rows[page * render.LIST_PAGE_SIZE:(page + 1) * render.LIST_PAGE_SIZE]
        return StepView(
            state, wz.case_step_text(page, pages, bool(rows), lang, notice),
            cases=tuple((row.id, render.shorten(render.case_title(row, lang), 60))
                        for row in shown), page=page, pages=pages)
    options = loaded.facts.options
    if state.step == wz.ADDRESSEE:
        return StepView(state, wz.addressee_step_text(loaded.doc, options, lang),
                        addressees=tuple((o.key, wz.addressee_label(o)) for o in options))
    authority = loaded.option(state).authority
    if state.step == wz.LANGUAGE:
        return StepView(state, wz.language_step_text(authority, lang, loaded.note(authority,
                                                                                    lang)),
                        languages=languages_for(lang))
    country = loaded.doc.country if loaded.doc is not None else ""
    return StepView(state, wz.signature_step_text(authority, state.language, lang, country))


def letter_of(state: wz.Snapshot, loaded: Loaded) -> tuple[Letter, wz.AddresseeOption]:
    option = loaded.option(state)
    return render_letter(loaded.doc, option.authority, state.language, wz.signer_of(state)), option


async def start(db: Database, *, chat_id: int, lang: str, case_id: int | None,
                now: dt.datetime,
                notice: str | None = None) -> tuple[wz.Snapshot | None, StepView]:
    """A new wizard for this chat (replacing any earlier one), at the case step or, with a
    case, at its addressees. Returns the earlier wizard (its message's buttons are to go) and
    the first step."""
    async with db.session() as session:
        await wizard_store.purge_stale(session=session, before=now - wz.WIZARD_TTL)
        await ensure_supporter(session=session, chat_id=chat_id, language=lang)
        row = await wizard_store.get_state(session=session, chat_id=chat_id)
        earlier = wz.Snapshot.of(row) if row is not None else None
        row = await wizard_store.start_state(
            session=session, chat_id=chat_id, now=now,
            step=wz.ADDRESSEE if case_id is not None else wz.CASE, case_id=case_id)
        state = wz.Snapshot.of(row)
        loaded = await load_case(session, chat_id, state.case_id, now)
        return earlier, await step_view(session, state, loaded, lang, notice=notice)


async def press(db: Database, *, chat_id: int, lang: str, press: wz.Press,
                now: dt.datetime) -> Pressed:
    """Apply one wizard button: decide, then store the result (compare-and-set)."""
    place = 0
    async with db.session() as session:
        row = await wizard_store.get_state(session=session, chat_id=chat_id,
                                           fresh_after=now - wz.WIZARD_TTL)
        state = wz.Snapshot.of(row) if row is not None else None
        loaded = await load_case(session, chat_id, wz.case_id_of(state, press), now)
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
            view = await step_view(session, new_state, loaded, lang, page=outcome.page)
    return Pressed(outcome, state, new_state, loaded, view, place)


async def typed(db: Database, *, chat_id: int, text: str, now: dt.datetime) -> Typed:
    """A text typed in this chat: the signature if the wizard waits for one (stored, or the
    reason it cannot be used); ``pass`` when no wizard is in progress."""
    async with db.session() as session:
        row = await wizard_store.get_state(session=session, chat_id=chat_id,
                                           fresh_after=now - wz.WIZARD_TTL)
        state = wz.Snapshot.of(row) if row is not None else None
        if state is None:
            return Typed(wz.Outcome("pass"), None, None, Loaded())
        loaded = await load_case(session, chat_id, state.case_id, now)
        if state.step != wz.SIGNATURE:
            return Typed(wz.Outcome("pass"), state, state, loaded)
        outcome = wz.decide_signature(state, text, loaded.facts)
        new_state = state
        if outcome.kind == "refuse" and outcome.ends:
            await wizard_store.clear_state(session=session, chat_id=chat_id,
                                           expect_nonce=state.nonce)
        elif outcome.kind == "move":
            nonce = await wizard_store.advance(session=session, chat_id=chat_id,
                                               expect_nonce=state.nonce, now=now,
                                               step=outcome.step, **outcome.changes)
            if nonce is None:
                outcome = wz.Outcome("refuse", reason="stale", ends=True)
            else:
                new_state = state.moved(outcome.step, nonce, outcome.changes)
    return Typed(outcome, state, new_state, loaded)


async def current_view(db: Database, state: wz.Snapshot, loaded: Loaded,
                       lang: str) -> StepView:
    """The step the wizard is at, shown again (under an answer to a stray text)."""
    async with db.session() as session:
        return await step_view(session, state, loaded, lang)


async def remember_message(db: Database, state: wz.Snapshot, message_id: int | None) -> None:
    """Note the message that now carries the wizard's buttons (the next move takes them off)."""
    if message_id is None:
        return
    async with db.session() as session:
        await wizard_store.set_message_id(session=session, chat_id=state.chat_id,
                                          nonce=state.nonce, message_id=message_id)
