"""Attack properties: generated input through every command and every button of one running bot.

Hypothesis drives every command the application registers and forged callback data for every
callback pattern it routes (plus data no pattern takes, and free text), sent by the owner (a
coordinator) and by a supporter, with generated text (control characters, NUL, bidi marks,
emoji, HTML), numbers (huge, negative, Arabic-Indic and full-width digits), dates at the
calendar's edges and UTC offsets. For each input it checks that

* the bot logged no ERROR and no traceback,
* the update got an answer (a message or an edit; for a button, an answerCallbackQuery),
* input the bot refused changed nothing in the database, and accepted input changed only the
  tables that command may change.

One bot runs per test (the ``tg`` fixture), on SQLite and on PostgreSQL; the examples share it,
as the people of a real deployment share one bot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, select
from telegram.ext import CallbackQueryHandler, CommandHandler

from storage.models import (
    Alert,
    Attendance,
    AuditEntry,
    Authority,
    AuthorityReply,
    Case,
    CaseDraft,
    Coordinator,
    CoordinatorCase,
    CoordinatorWalk,
    Delivery,
    DigestItem,
    Event,
    LetterAction,
    PendingBroadcast,
    Preference,
    Referral,
    Reminder,
    ReminderOptOut,
    ReplyWait,
    StaffLabel,
    Subscription,
    Supporter,
    WizardState,
)

# About 15 s per database on the development machine (so the whole suite stays near 10
# minutes); ATTACK_EXAMPLES=500 for a deeper run before a release.
EXAMPLES = int(os.environ.get("ATTACK_EXAMPLES", "60"))
ANSWER_TIMEOUT = 15.0
FUTURE = dt.datetime.now(dt.UTC).year + 2
SUPPORTER_ID = 555_001

# Compared row by row. The delivery worker and the reminder jobs move these on their own
# schedule, whatever the input: only their row counts are compared.
CONTENT_TABLES = (Authority, Case, CaseDraft, Coordinator, AuditEntry, Event, LetterAction,
                  PendingBroadcast, Subscription, Supporter, WizardState, CoordinatorCase,
                  StaffLabel, Preference, ReminderOptOut, ReplyWait, AuthorityReply, Attendance,
                  Referral)
COUNTED_TABLES = (Alert, Delivery, Reminder, DigestItem)
# Not compared: where a coordinator is in a command walked through with buttons. A bare
# command (/appeal) legitimately starts a walk; the walk holds a step and the ids picked, and
# its effects are checked when its last step makes a preview (PendingBroadcast).
STEP_TABLES = (CoordinatorWalk,)
# What /forget deletes with the supporter row (ON DELETE CASCADE).
SUPPORTER_ROWS = {"Supporter", "Subscription", "WizardState", "Delivery", "LetterAction",
                  "Preference", "ReminderOptOut", "ReplyWait", "Attendance", "Referral",
                  "DigestItem"}
COUNTED = {model.__name__ for model in COUNTED_TABLES}

BROADCASTING = {"hearing", "appeal", "postpone", "cancelhearing", "outcome", "news", "closecase",
                "reopencase"}
COORDINATOR_COMMANDS = BROADCASTING | {"upcoming", "stats", "audit", "coordinators",
                                       "addcoordinator", "removecoordinator", "correct",
                                       "replies", "mylabel", "staleaddresses", "import",
                                       "newcase", "editcase", "exportcase", "newauthority"}

# --------------------------------------------------------------------------- generated input
# Weighted: each kind of trouble (NUL, an id past int32, a date at the calendar's edge, a
# non-ASCII digit) turns up every few dozen examples, not once in thousands.


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each about as often as its weight says."""
    return st.one_of([strategy for weight, strategy in choices for _ in range(weight)])


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
NASTY = ["\x00", "\x00", "\x07", "\x1b[31m", "\u202e", "\u200f", "\u200b", "\ufeff", "\u2028",
         "😀", "👩‍⚖️", "🇰🇿", "<b>", "</i>", "<a href='javascript:x'>", "&", "&amp;", "&#0;", "<",
         ">", '"', "'", "\n", "\t", "\r\n", "²", "Ⅻ", "∞", "NaN", "-0", "%s", "{0}", "${x}", "#",
         "'; DROP TABLE event; --", "\\", "/", "@", ":", "lw:", "cc:1"]
EDGES = [2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 10**19, 10**30]


def pick(pool: list) -> st.SearchStrategy:
    """An element of a pool read from the database. Drawn as an index, so that each example
    draws the same kind of data however the pool has grown (Hypothesis replays draws)."""
    return st.integers(0, 2**16).map(lambda index: pool[index % len(pool)])


def dirty(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value with something nasty stuck to it."""
    nasty = weighted((1, st.just("\x00")), (3, st.sampled_from(NASTY)))
    return st.tuples(strategy, nasty, st.booleans()).map(
        lambda t: t[0] + t[1] if t[2] else t[1] + t[0])


free_text = weighted(
    (2, st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60)),
    (2, st.lists(st.sampled_from(NASTY) | st.text(max_size=4), min_size=1, max_size=10).map(
        "".join).filter(bool)),
    (1, dirty(st.text(max_size=12))),
    (1, st.text(alphabet="ab <&>\n😀", min_size=2900, max_size=3200)),  # the alert's limit
)
near_edges = st.sampled_from(EDGES).flatmap(lambda n: st.integers(n - 2, n + 2))
numbers = weighted(
    (3, near_edges.map(str)),
    (1, st.integers(-(2**70), 2**70).map(str)),
    (1, st.integers(-3, 60).map(str)),
    (1, (near_edges | st.integers(0, 60)).map(lambda n: str(n).translate(ARABIC_INDIC))),
    (1, (near_edges | st.integers(0, 60)).map(lambda n: str(n).translate(FULL_WIDTH))),
    (1, st.sampled_from(["0", "-1", "#1", "#2147483648", "1e9", "0x10", "1_000", "²", "٣"])),
)
dates = weighted(
    (2, st.sampled_from(["0001-01-01", "9999-12-31", "2024-02-29", "2023-02-29", "2026-13-01",
                         "2026-00-10", "10000-01-01", f"{FUTURE}-1-1", f"{FUTURE}-03-29",
                         f"{FUTURE}-10-25"])),
    (1, st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")),  # 0001 … 9999
    (2, st.dates(dt.date(FUTURE, 1, 1), dt.date(FUTURE + 1, 12, 31)).map(str)),
    (1, st.dates(dt.date(FUTURE, 1, 1), dt.date(FUTURE, 12, 31)).map(
        lambda d: str(d).translate(ARABIC_INDIC))),
)
offsets = weighted(
    (2, st.sampled_from(["", "Z", "UTC", "z", "+14:00", "-12:00", "+14:01", "-14:00", "+99:99",
                         "+05", "+0530", "-00:00", "+5:30"])),
    (1, st.integers(-16 * 60, 16 * 60).map(lambda m: f"{'+' if m >= 0 else '-'}"
                                                   f"{abs(m) // 60:02d}:{abs(m) % 60:02d}")),
)
times = st.tuples(
    weighted((1, st.times().map(lambda t: t.strftime("%H:%M"))),
             (1, st.sampled_from(["24:00", "23:60", "99:99", "0:00", "23:59", "00:00",
                                  "١٠:٠٠", "１０:００"]))),
    offsets,
).map("".join)
moments = st.tuples(dates, st.sampled_from([" ", "T", "t", "  "]), times).map("".join)


@dataclass(frozen=True)
class World:
    """What exists right now, so generated input can also name real things."""

    slugs: list[str]
    case_ids: list[int]
    event_ids: list[int]
    draft_ids: list[int]
    nonces: list[str]
    commands: list[str]
    patterns: list[str]
    bot_username: str

    def slug(self) -> st.SearchStrategy[str]:
        real = pick(self.slugs)
        return weighted((3, real), (1, dirty(real)), (1, free_text))

    def event(self) -> st.SearchStrategy[str]:
        return weighted((2, pick(self.event_ids).map(str)), (2, numbers))

    def any_arg(self) -> st.SearchStrategy[str]:
        return st.one_of(free_text, numbers, dates, times, moments, self.slug(), self.event())


def command_text(world: World, names: list[str]) -> st.SearchStrategy[str]:
    """``/<name> <arguments>``: arguments in the shape the command expects, or anything."""
    def structured(name: str) -> st.SearchStrategy[list[str]]:
        slug, event = world.slug(), world.event()
        shapes = {
            "hearing": st.tuples(slug, moments, free_text), "appeal": st.tuples(slug, moments),
            "postpone": st.tuples(event, moments), "cancelhearing": st.tuples(event),
            "outcome": st.tuples(event, free_text), "news": st.tuples(slug, free_text),
            "closecase": st.tuples(slug, free_text), "start": st.tuples(slug),
            "write": st.tuples(slug), "unsubscribe": st.tuples(slug), "stats": st.tuples(slug),
            "addcoordinator": st.tuples(numbers), "removecoordinator": st.tuples(numbers),
        }
        return shapes.get(name, st.tuples(world.any_arg())).map(list)

    def build(name: str) -> st.SearchStrategy[str]:
        args = weighted((3, structured(name)), (1, st.lists(world.any_arg(), max_size=5)))
        return st.tuples(args, st.sampled_from([" ", "  ", "\n", " \t"]),
                         st.sampled_from(["", "", "@" + world.bot_username])).map(
            lambda t: f"/{name}{t[2]}" + (t[1] + " ".join(t[0]) if t[0] else ""))

    return st.sampled_from(names).flatmap(build)


def _fit_64_bytes(text: str) -> str:
    while len(text.encode()) > 64:
        text = text[:-1]
    return text


def callback_data(world: World) -> st.SearchStrategy[str]:
    """Forged data: for every routed pattern, in its shape with bad values, or anything."""
    prefixes = sorted({p.lstrip("^").split("(")[0].replace("\\", "") for p in world.patterns})
    wizard_arg = weighted(
        (1, st.none()), (2, numbers), (1, world.slug()),
        (1, st.sampled_from(["en", "ru", "email", "fax", "post", "web", "kz-president"])),
        (1, pick(world.case_ids).map(str)))
    forged = weighted(
        (2, st.one_of([st.from_regex(pattern) for pattern in world.patterns])),
        (3, st.tuples(st.sampled_from(prefixes), numbers).map(":".join)),
        (1, st.tuples(st.sampled_from(prefixes), free_text).map(":".join)),
        (1, st.tuples(st.sampled_from(prefixes), pick(world.case_ids).map(str)).map(
            ":".join)),
        (2, st.tuples(pick(world.draft_ids).map(str) | numbers,
                      st.sampled_from(["send", "cancel", "Send", ""])).map(
            lambda t: f"bc:{t[0]}:{t[1]}")),
        (2, st.tuples(pick(world.nonces)
                      | st.from_regex(r"[A-Za-z0-9_-]{4,16}", fullmatch=True),
                      st.sampled_from(list("pcalnhdbxqz")), wizard_arg).map(
            lambda t: f"lw:{t[0]}:{t[1]}" + (f":{t[2]}" if t[2] is not None else ""))),
        (1, st.sampled_from(["fg:yes", "fg:no", "fg:", "fg", "my", "my:1", "cl:-1", "cl:٣"])),
        (1, free_text),
    )
    return forged.map(_fit_64_bytes).filter(bool)


# --------------------------------------------------------------------------- what may change

@dataclass(frozen=True)
class Expect:
    """What an input may change: these tables, and only if its answer shows it was accepted."""

    tables: frozenset[str] = frozenset()
    accepted: Callable[[list, object | None], bool] = lambda messages, answer: False


def _said(*needles: str) -> Callable[[list, object | None], bool]:
    return lambda messages, answer: any(n in m.text for m in messages for n in needles)


def _shows_button(label: str) -> Callable[[list, object | None], bool]:
    return lambda messages, answer: any(m.has_button(label) for m in messages)


def _not_refused(messages: list, answer) -> bool:
    return answer is not None and not answer.show_alert


def _always(messages: list, answer) -> bool:
    return True


def expect_command(command: str, *, owner: bool) -> Expect:
    name = command[1:].split("@")[0].split()[0] if len(command) > 1 else ""
    if name in COORDINATOR_COMMANDS and not owner:
        return Expect()  # "not available", nothing else
    if name in BROADCASTING:  # a preview waiting for [Send]
        return Expect(frozenset({"PendingBroadcast"}), _shows_button("Send"))
    if name in ("addcoordinator", "removecoordinator"):
        return Expect(frozenset({"Coordinator", "AuditEntry"}), _said("✅"))
    if name == "mylabel":  # the name /audit shows
        return Expect(frozenset({"StaffLabel", "AuditEntry"}), _said("✅"))
    if name == "correct":  # a correction's draft: asks for the text, or previews it
        return Expect(frozenset({"PendingBroadcast"}), _said("Correct alert", "Preview"))
    if name == "start":  # a deep link to an open case subscribes (and counts a referral)
        return Expect(frozenset({"Supporter", "Subscription", "Referral"}),
                      _shows_button("Timeline"))
    if name == "mystats":  # makes the person's referral code when they follow a case
        return Expect(frozenset({"Referral"}), _always)
    if name == "write":  # always (re)starts the letter wizard
        return Expect(frozenset({"Supporter", "WizardState"}), _always)
    if name in ("newcase", "import", "newauthority") and owner:  # a new draft
        return Expect(frozenset({"CaseDraft"}), _always)
    if name == "editcase" and owner:  # a draft of an existing case
        return Expect(frozenset({"CaseDraft"}), _said("✏️"))
    if name == "unsubscribe":
        return Expect(frozenset({"Subscription", "Delivery"}), _said("no longer follow"))
    return Expect()


CALLBACK_TABLES = {
    "cs": {"Supporter", "Subscription"},
    "cu": {"Subscription", "Delivery"},
    "wr": {"Supporter", "WizardState"},
    "lw": {"Supporter", "WizardState", "LetterAction"},
    "bc": {"PendingBroadcast", "Event", "Case", "Alert", "Delivery", "Reminder", "AuditEntry",
           "DigestItem"},
    "st": {"Supporter", "Preference", "ReminderOptOut"},
    "rp": {"Supporter", "ReplyWait"},
    "at": {"Supporter", "Attendance"},
    # the case editor (its [Publish] stores a case like an upload) and the importer
    "ce": {"CaseDraft", "Case", "Event", "Authority", "AuditEntry"},
    "ci": {"CaseDraft"},
    "lg": {"Supporter"},  # /language's choice
    "au": {"Subscription", "Delivery"},  # 🔕 under an alert
    "uz": {"Supporter", "Subscription"},  # ↩️ Undo
    # under an alert's report: [Correct] drafts, [Retry N failed] queues again; and a
    # correction's [Edit N copies] / [Cancel]
    "al": {"PendingBroadcast", "Alert", "Delivery", "AuditEntry"},
    "cx": {"PendingBroadcast", "Alert", "Delivery", "AuditEntry"},
    "sa": {"Authority", "AuditEntry"},  # an address marked verified
    "bv": {"PendingBroadcast"},  # a preview's version in another language
    "wk": {"PendingBroadcast"},  # a walk's last step makes the preview
}


def expect_callback(data: str, *, owner: bool) -> Expect:
    prefix = data.split(":")[0]
    if data == "fg:yes":  # /forget confirmed
        return Expect(frozenset(SUPPORTER_ROWS), _not_refused)
    if prefix == "bc" and not owner:
        return Expect()
    return Expect(frozenset(CALLBACK_TABLES.get(prefix, ())), _not_refused)


# --------------------------------------------------------------------------- the running bot

async def snapshot(tg) -> dict[str, list]:
    """Every table's rows (plain tuples, sorted)."""
    async with tg.db.session() as session:
        return {model.__name__: sorted((tuple(row) for row in (await session.exec(
                    select(*model.__table__.columns))).all()), key=repr)
                for model in CONTENT_TABLES + COUNTED_TABLES}


def fingerprint(rows: dict[str, list]) -> dict[str, object]:
    """What must not change: the rows, but only the number of the worker-owned ones."""
    return {name: len(found) if name in COUNTED else hashlib.sha256(
        repr(found).encode()).hexdigest() for name, found in rows.items()}


def world_of(tg, rows: dict[str, list]) -> World:
    def column(model: type[SQLModel], name: str) -> list:
        index = list(model.__table__.columns.keys()).index(name)
        return [row[index] for row in rows[model.__name__]]

    handlers = [h for group in tg.app.handlers.values() for h in group]
    return World(
        slugs=column(Case, "slug"), case_ids=column(Case, "id"), event_ids=column(Event, "id"),
        draft_ids=column(PendingBroadcast, "id") or [1],
        nonces=column(WizardState, "nonce") or ["n0nce123"],
        commands=sorted({c for h in handlers if isinstance(h, CommandHandler) for c in h.commands}),
        patterns=sorted({h.pattern.pattern for h in handlers
                         if isinstance(h, CallbackQueryHandler) and h.pattern is not None}),
        bot_username=tg.app.bot.username,
    )


async def prepare(tg) -> None:
    """Once per test: a follower, a scheduled hearing, a preview waiting, a letter begun."""
    if getattr(tg, "attack_ready", False):
        return
    owner, supporter = tg.owner(), tg.user("Supporter", user_id=SUPPORTER_ID)
    await supporter.send("/start kharkova")
    await supporter.reply()
    await owner.send(f"/hearing kharkova {FUTURE}-11-01 10:00 Court")
    _alert, question = await owner.replies(2)
    await owner.press("Send", question)
    await owner.send("/news kharkova A preview nobody sends")
    await owner.replies(2)
    await supporter.send("/write kharkova")
    await supporter.reply()
    await tg.idle()
    tg.attack_ready = True


async def answers_since(tg, user, seq: int, query_id: str | None) -> tuple[list, object | None]:
    """Wait for the answer to one update: the button's answerCallbackQuery, or for a message
    the first message or edit; then let the bot finish. (new messages, the button's answer)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ANSWER_TIMEOUT

    def answered() -> bool:
        if query_id is not None:
            return any(a.query_id == query_id for a in user.callback_answers)
        return any(e.chat_id == user.id and e.type in ("message", "edit") and e.message
                   and e.message.from_bot for e in tg.server.events_since(seq))

    while not answered():
        assert loop.time() < deadline, f"no answer within {ANSWER_TIMEOUT}s\n{user.dump()}"
        await tg.server.wait_events(tg.server.last_event_seq, 0.2)
    # The handler's work, not the worker's: what is compared is written by handlers (of the
    # worker's tables only the rows are counted, and handlers add those).
    await tg.settled(timeout=ANSWER_TIMEOUT)
    ids = {e.message.message_id for e in tg.server.events_since(seq)
           if e.chat_id == user.id and e.message is not None and e.message.from_bot}
    messages = [user.message(i) for i in sorted(ids)]
    answer = next((a for a in user.callback_answers if a.query_id == query_id), None)
    return messages, answer


def bad_records(caplog, start: int) -> list[str]:
    """ERROR records and tracebacks since ``start``, each with its exception in short."""
    return [f"{r.levelname} {r.name}: {r.getMessage()}"
            + (f" [{type(r.exc_info[1]).__name__}: {str(r.exc_info[1])[:160]}]"
               if r.exc_info and r.exc_info[1] else "")
            for r in caplog.records[start:] if r.levelno >= logging.ERROR or r.exc_info]


# Who sends what, weighted: the owner's coordinator commands parse the most input.
PLANS = (["owner coordinator command"] * 6 + ["owner command"] * 2 + ["supporter command"] * 3
         + ["owner button"] * 2 + ["supporter button"] * 3 + ["owner text", "supporter text"])


async def attack_once(tg, caplog, data) -> list[str]:
    """Draw one input, send it, and list what went wrong (nothing, if all is well)."""
    await prepare(tg)
    before_rows = await snapshot(tg)
    world = world_of(tg, before_rows)
    plan = data.draw(st.sampled_from(PLANS), label="plan")
    owner, kind = plan.startswith("owner"), plan.split()[-1]
    user = tg.owner() if owner else tg.user("Supporter", user_id=SUPPORTER_ID)
    if kind == "command":
        names = sorted(COORDINATOR_COMMANDS) if "coordinator" in plan else (
            world.commands + ["nosuchcommand", "Start", "start_", "help2"])
        sent = data.draw(command_text(world, names), label="command")
        expect = expect_command(sent, owner=owner)
    elif kind == "button":
        sent = data.draw(callback_data(world), label="callback data")
        expect = expect_callback(sent, owner=owner)
    else:
        sent = data.draw(free_text.filter(lambda t: t.strip() and not t.startswith("/")),
                         label="text")
        # maybe a signature, a draft's field, a pasted appeal, or an authority's answer the
        # person agreed to share
        expect = Expect(frozenset({"WizardState", "CaseDraft", "ReplyWait", "AuthorityReply"}),
                        _always)

    before = fingerprint(before_rows)
    start_log = len(caplog.records)
    seq = tg.server.last_event_seq
    query_id = await user.press_data(sent) if kind == "button" else None
    if kind != "button":
        await user.send(sent)
    try:
        messages, answer = await answers_since(tg, user, seq, query_id)
    except AssertionError as error:
        return [f"no answer: {str(error).splitlines()[0]}"] + bad_records(caplog, start_log)
    after = fingerprint(await snapshot(tg))
    accepted = expect.accepted(messages, answer)
    event(f"{kind} {'accepted' if accepted else 'refused'} ({'owner' if owner else 'supporter'})")

    problems = bad_records(caplog, start_log)
    changed = {name for name in before if before[name] != after[name]}
    allowed = expect.tables if accepted else frozenset()
    if not changed <= allowed:
        problems.append(f"{'accepted' if accepted else 'refused'} input changed "
                        f"{sorted(changed - allowed)}; answers: {[m.text[:120] for m in messages]}"
                        f" {answer.text if answer else ''}")
    return problems


# Hypothesis warns that a function-scoped fixture is not reset between examples. That is the
# point here: one running bot (and its database) serves every example, as in production.
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(data=st.data())
async def test_generated_input_never_breaks_the_bot(tg, caplog, data):
    caplog.set_level(logging.WARNING)
    assert await attack_once(tg, caplog, data) == []


def test_every_command_and_pattern_is_covered():
    """The strategies read the commands and patterns from the running application; this pins
    that they find them (a renamed handler table would otherwise quietly shrink the attack)."""
    from bot.app import register_handlers

    class Recorder:
        def __init__(self) -> None:
            self.handlers: list = []
            self.bot_data: dict = {}  # where the wiring installs the command table

        def add_handler(self, handler, group: int = 0) -> None:
            self.handlers.append(handler)

        def add_handlers(self, handlers, group: int = 0) -> None:
            self.handlers += list(handlers)

        def add_error_handler(self, callback) -> None:
            pass

    app = Recorder()
    register_handlers(app)
    commands = {c for h in app.handlers if isinstance(h, CommandHandler) for c in h.commands}
    assert commands >= {"start", "cases", "write", "hearing", "outcome", "addcoordinator"}
    assert COORDINATOR_COMMANDS <= commands
    patterns = [h.pattern for h in app.handlers if isinstance(h, CallbackQueryHandler)]
    assert len([p for p in patterns if p is not None]) >= 11 and None in patterns
    # Process bookkeeping no update can touch: worker heartbeats and the shared send budget.
    assert SQLModel.metadata.tables.keys() == {
        m.__tablename__ for m in CONTENT_TABLES + COUNTED_TABLES + STEP_TABLES} | {
        "workerheartbeat", "send_budget"}


# ----- what the attack found outside the parsers' own causes, pinned -------------------------

async def test_a_button_whose_handler_fails_is_still_answered(tg, monkeypatch, caplog):
    async def broken(**_kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr("storage.cases.get_case", broken)
    alice = tg.user("Alice")
    await alice.send("/cases")
    await alice.reply()
    seq = tg.server.last_event_seq
    query_id = await alice.press_data("cc:1")
    messages, answer = await answers_since(tg, alice, seq, query_id)
    assert answer is not None  # the spinner stops
    assert any(m.text.startswith("Sorry") for m in messages)
    assert any("injected failure" in str(r.exc_info) for r in caplog.records if r.exc_info)


async def test_unsubscribe_with_a_nul_in_the_case_is_refused_cleanly(tg, caplog):
    supporter = tg.user("Supporter", user_id=SUPPORTER_ID)
    await supporter.send("/start kharkova")
    await supporter.reply()
    before = fingerprint(await snapshot(tg))
    await supporter.send("/unsubscribe kharkova\x00")
    assert "You do not follow a case called" in (await supporter.reply()).text
    assert fingerprint(await snapshot(tg)) == before
    assert bad_records(caplog, 0) == []
