"""Coordinators never publish a wrong fact and find everything with a tap, end to end through
the Bot API server: no outcome for a hearing still to come, previews that name the hearing,
closing and reopening a case, usage examples that work as written, case names in any letter
case with "did you mean" buttons, commands walked through with buttons (surviving a restart),
inert alert buttons in a preview, texts in several languages, and coordinators limited to some
cases with a label of their own in /audit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import OWNER_ID
from sqlalchemy import update
from test_admin import answer, follow, preview, rows

from bot.clock import FakeClock
from bot.services import SERVICES_KEY
from storage.models import Alert, AuditEntry, Case, CaseDraft, Event, PendingBroadcast, Reminder

CASES = Path(__file__).resolve().parent.parent / "content" / "cases"


def clock_of(tg) -> FakeClock:
    """Put the bot on a clock the test moves (now, to the minute)."""
    services = tg.app.bot_data[SERVICES_KEY]
    if not isinstance(services.clock, FakeClock):
        services.clock = FakeClock(dt.datetime.now(dt.UTC).replace(second=0, microsecond=0))
    return services.clock


def ahead(tg, **delta) -> dt.datetime:
    return clock_of(tg).now() + dt.timedelta(**delta)


def typed(moment: dt.datetime) -> str:
    """A UTC moment as a coordinator types it (kharkova is in Asia/Almaty, UTC+05:00)."""
    return f"{moment + dt.timedelta(hours=5):%Y-%m-%d %H:%M}"


async def sent(owner, question) -> str:
    """Press [Send] and wait until the status message settles (delivered, or nobody to tell)."""
    await owner.press("Send", question)
    # the report's last part starts with ✅ (under the alert's heading, when it has one)
    while not owner.message(question.message_id).text.split("\n\n")[-1].startswith("✅"):
        await owner.reply(timeout=10)
    return owner.message(question.message_id).text


async def schedule(tg, owner, slug: str, moment: dt.datetime) -> Event:
    _, question = await preview(owner, f"/hearing {slug} {typed(moment)} Court")
    await sent(owner, question)
    return max(await rows(tg, Event, Event.origin == "coordinator", Event.kind == "hearing"),
               key=lambda event: event.id)


async def pick(user, message, label: str):
    """Press ``label`` in a walk's list, turning its pages until it shows; the next screen."""
    while not message.has_button(label):
        await user.press("Next", message)
        message = await user.reply()
    await user.press(label, message)
    return await user.reply()


# ------------------------------------------------------------------------ never a wrong fact

async def test_no_wrong_fact_outcome_hearing_close_and_reopen(tg):
    owner, alice = tg.owner(), tg.user("Alice")
    await follow(alice)
    clock = clock_of(tg)

    # The usage's examples are a week ahead and work as written; the offset is the case's own.
    await owner.send("/hearing kharkova")
    usage = await owner.reply()
    week = f"{ahead(tg, days=7):%Y-%m-%d}"
    assert f"/hearing kharkova {week} 10:00 Shymkent City Court" in usage.text
    assert f"{week} 10:00+05:00" in usage.text
    alert, question = await preview(owner, f"/hearing kharkova {week} 10:00+05:00 Court")
    assert "10:00 (UTC+05:00)" in alert.text
    await owner.press("Cancel", question)
    await owner.reply()
    async with tg.db.session() as session:
        await session.exec(update(Case).where(Case.slug == "ulasik")
                           .values(timezone="America/New_York"))
    await owner.send("/hearing ulasik tomorrow 10am")
    refusal = (await owner.reply()).text
    assert "could not read" in refusal and "10:00-05:00" in refusal and "+05:00" not in refusal

    # An outcome for a hearing still to come is refused, naming the hearing and the way out.
    hearing = await schedule(tg, owner, "kharkova", ahead(tg, days=3))
    other = await schedule(tg, owner, "kharkova", ahead(tg, days=9))
    await owner.send(f"/outcome {hearing.id} Acquitted")
    refusal = (await owner.reply()).text
    assert "has not started yet" in refusal
    assert f"/postpone {hearing.id}" in refusal and f"/cancelhearing {hearing.id}" in refusal
    assert not await rows(tg, PendingBroadcast, PendingBroadcast.kind == "outcome")
    [still] = await rows(tg, Event, Event.id == hearing.id)
    assert still.status == "scheduled"

    # Every preview acting on a hearing names it: number, case, date, place.
    _, question = await preview(owner, f"/postpone {other.id} {typed(ahead(tg, days=10))}")
    assert f"It is about: #{other.id} · kharkova · Hearing ·" in question.text
    assert "Court" in question.text
    await owner.press("Cancel", question)
    await owner.reply()
    clock.advance(days=3, hours=1)
    alert, question = await preview(owner, f"/outcome {hearing.id} Acquitted")
    assert f"#{hearing.id} · kharkova" in question.text and "Acquitted" in alert.text
    await owner.press("Cancel", question)
    await owner.reply()

    # Closing cancels every scheduled hearing of the case with its reminders.
    assert await rows(tg, Reminder, Reminder.event_id == other.id, Reminder.status == "planned")
    _, question = await preview(owner, "/closecase kharkova The sentence was served.")
    assert "scheduled hearings are cancelled" in question.text
    await sent(owner, question)
    kharkova_hearings = await rows(tg, Event, Event.kind == "hearing",
                                   Event.origin == "coordinator")
    assert kharkova_hearings and all(e.status == "cancelled" for e in kharkova_hearings)
    assert not await rows(tg, Reminder, Reminder.status == "planned")

    # /reopencase: a preview, then Send; audited; only for a case closed from chat.
    await owner.send("/reopencase ulasik")
    assert "is open already" in (await owner.reply()).text
    alert, question = await preview(owner, "/reopencase kharkova A new charge was brought.")
    assert "Case reopened" in alert.text and "A new charge" in alert.text
    await sent(owner, question)
    [case] = await rows(tg, Case, Case.slug == "kharkova")
    assert case.is_open and case.closed_note is None
    assert [e.action for e in await rows(tg, AuditEntry, AuditEntry.action == "reopened")]
    assert any("Case reopened" in m.text for m in alice.messages)
    await owner.send("/reopencase kharkova")
    assert "is open already" in (await owner.reply()).text


# ------------------------------------------------------------------------ find with a tap

async def test_case_names_in_any_case_and_did_you_mean_buttons(tg):
    owner, alice = tg.owner(), tg.user("Alice")
    await alice.send("/start Kharkova")
    assert "subscribed" in (await alice.reply()).text

    await alice.send("/start larisa")
    suggestion = await alice.reply()
    assert "Did you mean" in suggestion.text and suggestion.has_button("Larisa Kharkova")
    await alice.press("Larisa Kharkova", suggestion)
    card = await alice.reply()
    assert "Larisa Kharkova" in card.text and card.has_button("Timeline")

    alert, question = await preview(owner, "/news KHARKOVA Visit allowed.")
    assert "Visit allowed." in alert.text
    await owner.press("Cancel", question)
    await owner.reply()

    # A wrong name: the closest cases by slug, title and people's names, as buttons; the rest
    # of the command is kept.
    await owner.send("/news larisa The family could visit her.")
    offer = await owner.reply()
    assert "There is no case “larisa”. Did you mean: kharkova?" in offer.text
    assert "ulasik" not in offer.text
    await owner.press("kharkova", offer)
    alert, question = await owner.replies(2)
    assert "The family could visit her." in alert.text and question.has_button("Send")
    await owner.send("/hearing sychov")
    assert "Did you mean: sychev" in (await owner.reply()).text


async def test_commands_walk_through_buttons_and_survive_a_restart(tg):
    owner = tg.owner()
    clock = clock_of(tg)
    await owner.send("/hearing")
    cases = await owner.reply()
    assert "/hearing: pick the case." in cases.text
    assert not cases.has_button("zhagiparov")  # closed: nothing to schedule for it
    prompt = await pick(owner, cases, "kharkova")
    week = f"{ahead(tg, days=7):%Y-%m-%d}"
    assert "Type the date and time" in prompt.text and week in prompt.text
    await owner.send("next tuesday")  # bad input: explained, and the walk waits on
    retry = await owner.reply()
    assert "could not read" in retry.text and retry.has_button("Stop")
    await owner.send(f"{week} 10:00 Shymkent City Court")
    alert, question = await owner.replies(2)
    assert "Shymkent City Court" in alert.text and question.has_button("Send")
    await sent(owner, question)
    [first] = await rows(tg, Event, Event.origin == "coordinator")
    second = await schedule(tg, owner, "kharkova", ahead(tg, days=20))

    # A stale button of a finished walk gets a clear answer and changes nothing.
    pressed = await owner.press_data(cases.callback_data("kharkova") or "wk:AAAAAAAA:c:1", cases)
    assert "out of date" in (await answer(tg, owner, pressed)).text

    # /postpone: pick the case, then one of its scheduled hearings; a restart in between.
    await owner.send("/postpone")
    hearings = await pick(owner, await owner.reply(), "kharkova")
    assert "pick the hearing" in hearings.text
    assert hearings.has_button(f"#{first.id} ") and hearings.has_button(f"#{second.id} ")
    await owner.press(f"#{first.id} ", hearings)
    prompt = await owner.reply()
    assert "Type the new date" in prompt.text
    await tg.restart()
    tg.app.bot_data[SERVICES_KEY].clock = clock
    await owner.send(typed(ahead(tg, days=8)))
    alert, question = await owner.replies(2)
    assert "postponed" in alert.text and f"#{first.id} · kharkova" in question.text
    await sent(owner, question)

    # /outcome offers only hearings that have started; /cancelhearing only ones to come.
    clock.advance(days=9)
    await owner.send("/outcome")
    cases = await owner.reply()
    hearings = await pick(owner, cases, "kharkova")
    assert hearings.has_button(f"#{first.id} ") and not hearings.has_button(f"#{second.id} ")
    await owner.press(f"#{first.id} ", hearings)
    assert "Type what happened" in (await owner.reply()).text
    await owner.send("The court adjourned the case.")
    alert, question = await owner.replies(2)
    assert "Outcome" in alert.text and "adjourned" in alert.text
    await sent(owner, question)
    [held] = await rows(tg, Event, Event.id == first.id)
    assert held.status == "held"
    await owner.send("/cancelhearing")
    hearings = await pick(owner, await owner.reply(), "kharkova")
    assert not hearings.has_button(f"#{first.id} ")
    await owner.press(f"#{second.id} ", hearings)
    alert, question = await owner.replies(2)
    assert "cancelled" in alert.text and f"#{second.id} · kharkova" in question.text

    # /help shows coordinators each command's syntax.
    await owner.send("/help")
    help_text = (await owner.reply()).text
    assert "/hearing <case> <YYYY-MM-DD HH:MM> [place…] — Schedule a hearing" in help_text
    assert "/outcome <event id> <what happened>" in help_text


# ---------------------------------------------------------- previews and several languages

async def test_a_russian_version_reaches_each_reader_in_their_language(tg):
    owner = tg.owner()
    ivan, aigul, jane = (tg.user("Ivan", language_code="ru"),
                         tg.user("Aigul", language_code="kk"),
                         tg.user("Jane", language_code="en"))
    for person in (ivan, aigul, jane):
        await person.send("/start kharkova")
        await person.reply()

    alert, question = await preview(owner, "/news kharkova The court allowed a family visit.")
    # The preview's alert buttons are inert: the preview stays as it is.
    pressed = await owner.press("Unsubscribe", alert)
    assert "This is a preview" in (await answer(tg, owner, pressed)).text
    assert owner.message(alert.message_id).text == alert.text
    assert len(await rows(tg, Event, Event.kind == "news")) == 0

    assert question.has_button("Add a Russian version") and question.has_button("Kazakh")
    await owner.press("Add a Russian version", question)
    prompt = await owner.reply()
    assert "Russian version" in prompt.text and "family visit" in prompt.text
    await owner.send("Суд разрешил свидание с семьёй.")
    shown = await owner.replies(4)  # the old question loses its buttons; two previews; question
    assert not owner.message(question.message_id).has_button("Send")
    english, russian, question = shown[1:]
    assert "family visit" in english.text and "News" in english.text
    assert "Суд разрешил" in russian.text and "Новости" in russian.text
    assert "English: 1 recipient" in question.text and "Русский: 2 recipients" in question.text
    assert question.has_button("Kazakh") and not question.has_button("Russian")
    await sent(owner, question)

    def alert_of(person) -> str:
        return person.messages[-1].text  # the alert: the last message of each chat

    assert "Суд разрешил" in alert_of(ivan) and "Новости" in alert_of(ivan)
    assert "Суд разрешил" in alert_of(aigul) and "Жаңалықтар" in alert_of(aigul)
    assert "family visit" in alert_of(jane) and "News" in alert_of(jane)

    # A hearing's place in Kazakh: Kazakh readers get it; Russian ones fall back to English.
    week = f"{ahead(tg, days=7):%Y-%m-%d}"
    _, question = await preview(owner, f"/hearing kharkova {week} 10:00 Shymkent City Court")
    await owner.press("Add a Kazakh version", question)
    assert "Shymkent City Court" in (await owner.reply()).text
    await owner.send("Шымкент қалалық соты")
    *_, question = await owner.replies(4)
    assert "English: 2 recipients" in question.text and "Қазақша: 1 recipient" in question.text
    await sent(owner, question)
    assert "Шымкент қалалық соты" in alert_of(aigul)
    assert "Shymkent City Court" in alert_of(ivan) and "Назначено судебное заседание" in alert_of(ivan)
    assert "Shymkent City Court" in alert_of(jane)

    # A version typed after its preview was cancelled is refused, and the wait ends.
    _, question = await preview(owner, "/news kharkova Later.")
    await owner.press("Add a Kazakh version", question)
    await owner.reply()
    await owner.press("Cancel", question)
    await owner.reply()
    await owner.send("Кейінірек.")
    assert "cancelled or has expired" in (await owner.reply()).text
    await owner.send("Кейінірек.")
    assert "commands and buttons" in (await owner.reply()).text  # no longer waited for
    assert not await rows(tg, PendingBroadcast, PendingBroadcast.status == "draft")


# --------------------------------------------------------------------------------- roles

async def test_a_limited_coordinator_sees_and_changes_only_their_cases(tg):
    owner, carol = tg.owner(), tg.user("Carol")
    theirs = await schedule(tg, owner, "kharkova", ahead(tg, days=5))
    others = await schedule(tg, owner, "ulasik", ahead(tg, days=6))
    await owner.send(f"/addcoordinator {carol.id} Kharkova")
    assert "only these cases: kharkova" in (await owner.reply()).text

    await carol.send("/news ulasik Hello")
    refusal = (await carol.reply()).text
    assert "You coordinate only some cases" in refusal and "kharkova" in refusal
    later = typed(ahead(tg, days=8))
    for command in (f"/outcome {others.id} Done", f"/postpone {others.id} {later}",
                    f"/cancelhearing {others.id}"):
        await carol.send(command)
        assert f"There is no event #{others.id}" in (await carol.reply()).text, command
    await carol.send("/upcoming")
    upcoming = (await carol.reply()).text
    assert f"#{theirs.id}" in upcoming and f"#{others.id}" not in upcoming
    await carol.send("/cancelhearing")
    cases = await carol.reply()
    assert cases.has_button("kharkova") and not cases.has_button("ulasik")
    await carol.send("/stats ulasik")
    assert "only some cases" in (await carol.reply()).text
    await carol.send("/stats")
    assert "Statistics — kharkova" in (await carol.reply()).text
    _, question = await preview(carol, "/news kharkova Hello")
    await sent(carol, question)
    await carol.send_document("ulasik.yaml", (CASES / "ulasik.yaml").read_bytes())
    assert "not one of them" in (await carol.reply()).text
    await carol.send_document("kharkova.yaml", (CASES / "kharkova.yaml").read_bytes())
    assert "kharkova" in (await carol.reply()).text

    # The case editor, exports, corrections and re-sends keep to her cases too; adding new
    # cases is for coordinators of every case.
    [alert] = await rows(tg, Alert, Alert.case_id == others.case_id, Alert.kind == "hearing")
    for command in ("/editcase ulasik", "/exportcase ulasik", f"/correct {alert.id} Fixed"):
        await carol.send(command)
        assert "not one of yours" in (await carol.reply()).text, command
    for command in ("/newcase", "/import", "/newauthority"):
        await carol.send(command)
        assert "Adding a new case is for coordinators" in (await carol.reply()).text, command
    assert not await rows(tg, CaseDraft)
    await carol.send("/editcase kharkova")
    assert "Editing the case kharkova" in (await carol.reply()).text

    # A label of her own in /audit, escaped; bad labels are refused.
    await carol.send("/mylabel " + "x" * 40)
    assert "1 to 32 characters" in (await carol.reply()).text
    await carol.send("/mylabel Carol <K>")
    assert "Carol <K>" in (await carol.reply()).text
    await owner.send("/audit")
    log = await owner.reply()
    assert "Carol <K> · news" in log.text and "&lt;K&gt;" in log.html
    await carol.send("/audit")  # hers only: other cases' work is not hers to see
    mine = (await carol.reply()).text
    assert "news" in mine and "add_coordinator" not in mine
    await owner.send("/coordinators")
    assert "only: kharkova" in (await owner.reply()).text
    assert OWNER_ID not in {entry.actor_id for entry in await rows(
        tg, AuditEntry, AuditEntry.action == "set_label")}
