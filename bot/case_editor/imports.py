"""An appeal's text → the coordinator's draft: read it, match its addressees to the directory,
and note what was found and what was not (notes are message ids and their values, rendered in
the coordinator's language)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.case_editor.document import from_appeal
from bot.i18n import N_
from bot.importing.appeal import read_appeals
from bot.importing.directory import match_all
from bot.importing.found import FoundAppeal
from storage.authorities import all_authorities
from storage.case_drafts import start_draft
from storage.models import Case, CaseDraft

FORMATS = {"observatory": N_("an Observatory (FIDH-OMCT) urgent appeal"),
           "amnesty": N_("an Amnesty International Urgent Action"),
           "unknown": N_("an appeal in a format I do not know: check every field")}
MISSING = {"codes": N_("appeal code"), "title": N_("title"), "country": N_("country"),
           "people": N_("people concerned"), "actions": N_("requested actions"),
           "addressees": N_("addressees"), "act_before": N_("act-before date"),
           "timeline": N_("dated events")}


def notes_for(appeal: FoundAppeal, count: int, index: int) -> list[list]:
    notes: list[list] = [[N_("Read as {format}."), {"format": [FORMATS[appeal.format]]}]]
    if count > 1:
        notes.append([N_("This text holds {count} appeals; this draft is appeal {number}."),
                      {"count": count, "number": index + 1}])
    missing = appeal.missing()
    if missing:
        notes.append([N_("Not found in the text: {fields}."),
                      {"fields": [MISSING[name] for name in missing]}])
    for found in appeal.addressees:
        if found.redacted:
            notes.append([N_("{name}: {count} e-mail address(es) hidden in the source "
                             "(\"[email protected]\") were dropped."),
                          {"name": found.name, "count": found.redacted}])
        if not found.known_key:
            notes.append([N_("{name} is new: it is added to the directory when you publish."),
                          {"name": found.name}])
    known = [found.known_key for found in appeal.addressees if found.known_key]
    if known:
        notes.append([N_("Already in the directory (reused): {keys}."), {"keys": known}])
    if appeal.language == "fr":
        notes.append([N_("The appeal is in French: its texts are copied as written into the "
                         "English fields; translate them before publishing."), {}])
    if appeal.language == "ru":
        notes.append([N_("The appeal is in Russian: its texts went into the Russian fields; "
                         "add the English ones."), {}])
    notes.append([N_("The summary and the letter's wording are yours to write: the draft "
                     "proposes none."), {}])
    return notes


async def draft_from_text(*, session: AsyncSession, user_id: int, text: str, now: dt.datetime,
                          index: int = 0) -> tuple[CaseDraft, int]:
    """The ``index``-th appeal of ``text`` as this coordinator's draft; also how many appeals
    the text holds. The text is kept with the draft so another of its appeals can be opened."""
    appeals = read_appeals(text)
    index = min(max(index, 0), len(appeals) - 1)
    appeal = appeals[index]
    directory = await all_authorities(session=session)
    match_all(appeal.addressees, directory)
    slugs = set((await session.exec(select(Case.slug))).all())
    data, added = from_appeal(appeal, directory, slugs)
    draft = await start_draft(session=session, user_id=user_id, data=data, authorities=added,
                              notes=notes_for(appeal, len(appeals), index), now=now,
                              paste=text if len(appeals) > 1 else None)
    return draft, len(appeals)
