"""Every table the bot keeps, in one module.

Times are timezone-aware UTC datetimes (SQLModel's UTCDateTime stores them the same way on SQLite
and PostgreSQL); code converts to a case's local time only when it renders a message. Telegram ids need 64-bit integers.

Supporters may be in danger: a supporter row holds the chat id and what the bot needs to talk to
them (language, when they joined, whether they blocked the bot) and nothing else.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel


# Statuses are StrEnums: stored as their plain string values, compared like strings.
class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


class DeliveryChannel(StrEnum):
    """Where a delivery goes; each channel has its own transport in ``bot.delivery``."""

    TELEGRAM = "telegram"


class ReminderStatus(StrEnum):
    PLANNED = "planned"
    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    CANCELLED = "cancelled"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _chat_fk(target: str, ondelete: str = "CASCADE", nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(BigInteger, ForeignKey(target, ondelete=ondelete), nullable=nullable,
                         index=True),
    )


class Supporter(SQLModel, table=True):
    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # The interface language: the person's choice if they made one with /language, otherwise
    # the one their Telegram client reports (kept in step with it until they choose).
    language: str = Field(default="en", max_length=8)
    language_chosen: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    joined_at: dt.datetime = Field(default_factory=utcnow)
    blocked_at: dt.datetime | None = None  # set when Telegram says the person blocked the bot
    # PostgreSQL: no delivery worker of any process may claim this chat's next message before
    # then (Telegram's 1 msg/s per chat; storage.alerts.claim_due). None: at once.
    send_free_at: dt.datetime | None = None


class Case(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    title: str = Field(max_length=200)
    status: str = Field(default="open", max_length=16)  # from the case file
    # None: the file names no time zone, so the DEFAULT_TIMEZONE setting applies.
    timezone: str | None = Field(default=None, max_length=64)
    # The validated case document (content.schema.Case, JSON mode). Owned by the files.
    data: dict = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    origin: str = Field(default="content", max_length=16)  # content | upload
    # Owned by coordinators; never touched by loading the files.
    closed_at: dt.datetime | None = None
    closed_note: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)

    @property
    def is_open(self) -> bool:
        return self.status == "open" and self.closed_at is None


class Authority(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=48)
    data: dict = Field(sa_column=Column(JSON, nullable=False))  # content.schema.Authority
    content_hash: str = Field(max_length=64)
    # A coordinator's "still current" check from chat; loading the files never touches it.
    verified_at: dt.datetime | None = None
    verified_by: int | None = Field(default=None, sa_type=BigInteger)


class Event(SQLModel, table=True):
    """A timeline entry: history from the files, or a hearing/outcome/news from a coordinator."""

    __table_args__ = (
        UniqueConstraint("case_id", "content_key", name="uq_event_case_content_key"),
        Index("ix_event_status_starts", "status", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=Column(ForeignKey("case.id", ondelete="CASCADE"),
                                          nullable=False, index=True))
    kind: str = Field(max_length=32)
    date: dt.date
    time: dt.time | None = None
    starts_at: dt.datetime | None = None  # UTC, for scheduled hearings with a time
    text: str = ""
    court: str | None = None
    city: str | None = None
    place: str | None = None
    origin: str = Field(default="content", max_length=16)  # content | coordinator
    content_key: str | None = Field(default=None, max_length=64)  # key in the case file
    # held (history) | scheduled | cancelled
    status: str = Field(default=EventStatus.HELD, max_length=16)
    parent_id: int | None = Field(default=None, foreign_key="event.id")  # outcome → hearing
    # Raised on each postponement or cancellation: a calendar file's SEQUENCE (bot/ics.py).
    sequence: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Subscription(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("supporter_id", "case_id", name="uq_subscription"),)

    id: int | None = Field(default=None, primary_key=True)
    supporter_id: int = _chat_fk("supporter.chat_id")
    case_id: int = Field(sa_column=Column(ForeignKey("case.id", ondelete="CASCADE"),
                                          nullable=False, index=True))
    created_at: dt.datetime = Field(default_factory=utcnow)


class WizardState(SQLModel, table=True):
    """Where a supporter is in the letter wizard; kept here so any process can continue it."""

    chat_id: int = Field(sa_column=Column(BigInteger, ForeignKey("supporter.chat_id",
                                                                 ondelete="CASCADE"),
                                          primary_key=True, autoincrement=False))
    step: str = Field(max_length=16)
    case_id: int | None = Field(default=None, foreign_key="case.id", ondelete="CASCADE")
    authority_key: str | None = Field(default=None, max_length=48)
    language: str | None = Field(default=None, max_length=8)
    # Only while the wizard runs; cleared when it ends.
    signer_name: str | None = None
    signer_city: str | None = None
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    nonce: str = Field(default="", max_length=16)  # ties buttons to this wizard run
    updated_at: dt.datetime = Field(default_factory=utcnow)


class LetterAction(SQLModel, table=True):
    """A letter someone said they sent. Never the text, never the signature."""

    __table_args__ = (Index("ix_letter_case_authority", "case_id", "authority_key"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=Column(ForeignKey("case.id", ondelete="CASCADE"),
                                          nullable=False))
    authority_key: str = Field(max_length=48)
    channel: str = Field(max_length=8)
    language: str = Field(max_length=8)
    # Set NULL by /forget: the count stays, the link to the person goes.
    supporter_id: int | None = _chat_fk("supporter.chat_id", ondelete="SET NULL", nullable=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Coordinator(SQLModel, table=True):
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    added_by: int = Field(sa_type=BigInteger)
    added_at: dt.datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(sa_type=BigInteger, index=True)
    action: str = Field(max_length=32)
    detail: str = ""
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)


class Alert(SQLModel, table=True):
    """One message to every subscriber of a case; delivered through Delivery rows (the outbox)."""

    __table_args__ = (Index("ix_alert_open_priority", "finished_at", "priority"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=Column(ForeignKey("case.id", ondelete="CASCADE"),
                                          nullable=False, index=True))
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="SET NULL")
    kind: str = Field(max_length=32)
    text: str  # Telegram HTML in the default language (what an unknown recipient gets)
    # What the alert's kind renders from, per recipient language (see bot.alert_render); None:
    # everyone gets ``text``.
    payload: dict | None = Field(default=None,
                                 sa_column=Column(JSON(none_as_null=True), nullable=True))
    # Makes an alert idempotent, e.g. "reminder:<event>:<offset>:<due>"; NULL for one-offs.
    dedupe_key: str | None = Field(default=None, max_length=128, unique=True)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    created_at: dt.datetime = Field(default_factory=utcnow)
    recipients: int = 0
    # The coordinator's progress message, edited as delivery proceeds.
    status_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    status_message_id: int | None = Field(default=None, sa_type=BigInteger)
    finished_at: dt.datetime | None = None
    # Higher goes first (bot.alert_priority): a hearing within a day, a correction.
    priority: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Delivery(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("alert_id", "supporter_id", name="uq_delivery_alert_supporter"),
        Index("ix_delivery_status_due", "status", "next_attempt_at"),
        Index("ix_delivery_alert_status_due", "alert_id", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(sa_column=Column(ForeignKey("alert.id", ondelete="CASCADE"),
                                           nullable=False, index=True))
    supporter_id: int = _chat_fk("supporter.chat_id")
    channel: str = Field(default=DeliveryChannel.TELEGRAM, max_length=16,
                         sa_column_kwargs={"server_default": DeliveryChannel.TELEGRAM.value})
    status: str = Field(default=DeliveryStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(default_factory=utcnow)
    claimed_until: dt.datetime | None = None  # a worker's lease while it sends
    sent_at: dt.datetime | None = None
    # The message as the channel knows it (Telegram's message_id), so it can be edited later.
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    error: str | None = Field(default=None, max_length=300)
    # Held back until then by the recipient's settings (quiet hours), set at fan-out; measured
    # on the bot's scheduling clock. None: send as soon as due.
    not_before: dt.datetime | None = None
    # A correction's row edits this message (the original copy) instead of sending a new one.
    edit_message_id: int | None = Field(default=None, sa_type=BigInteger)
    # Attempts are counted before each request; answers when the channel answered. More
    # attempts than answers: a request whose answer was lost may have been delivered.
    answers: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Failed for a reason that may have passed (network, 5xx, time-out): may be re-sent.
    retryable: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class SendBudget(SQLModel, table=True):
    """The next free send slot of one bot, shared by the delivery workers of every process
    (storage.send_budget)."""

    __tablename__ = "send_budget"

    name: str = Field(primary_key=True, max_length=64)
    next_slot_at: dt.datetime


class Reminder(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("event_id", "offset_minutes", "due_at", name="uq_reminder"),
        Index("ix_reminder_status_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=Column(ForeignKey("event.id", ondelete="CASCADE"),
                                           nullable=False))
    offset_minutes: int
    due_at: dt.datetime
    status: str = Field(default=ReminderStatus.PLANNED, max_length=16)
    alert_id: int | None = Field(default=None, foreign_key="alert.id", ondelete="SET NULL")


class PendingBroadcast(SQLModel, table=True):
    """A coordinator's message shown as a preview, waiting for [Send] or [Cancel]."""

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(sa_type=BigInteger)
    case_id: int = Field(sa_column=Column(ForeignKey("case.id", ondelete="CASCADE"),
                                          nullable=False))
    kind: str = Field(max_length=32)
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default=BroadcastStatus.DRAFT, max_length=16)
    alert_id: int | None = Field(default=None, foreign_key="alert.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=utcnow)


class CoordinatorCase(SQLModel, table=True):
    """A case a limited coordinator may work on; a coordinator without rows here may work on
    every case (owners always may)."""

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    case_id: int = Field(sa_column=Column(ForeignKey("case.id", ondelete="CASCADE"),
                                          primary_key=True))


class StaffLabel(SQLModel, table=True):
    """The name a coordinator or owner chose to be shown by in /audit and /coordinators."""

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    label: str = Field(max_length=32)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class CoordinatorWalk(SQLModel, table=True):
    """Where a coordinator is in a command given without its arguments (pick a case, pick a
    hearing, type the rest), or which text version of a preview they are typing. One per
    person; ``nonce`` changes at every step, so a button of an earlier step is recognised."""

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    command: str = Field(max_length=32)
    step: str = Field(max_length=16)
    nonce: str = Field(max_length=16)
    data: dict = Field(sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow)


class CaseDraft(SQLModel, table=True):
    """A coordinator's case in the chat editor (/newcase, /editcase, /import): one per person,
    kept here so it survives a restart and any process can continue it."""

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # The case document being written (content.schema.Case fields, maybe incomplete).
    data: dict = Field(sa_column=Column(JSON, nullable=False))
    # Authorities the draft adds to the directory on publishing (key → Authority document).
    authorities: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # What the import found and could not find, shown with the draft.
    notes: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    editing: str | None = Field(default=None, max_length=64)  # slug of the case edited, if any
    awaiting: str | None = Field(default=None, max_length=48)  # what the next text is for
    paste: str | None = None  # /import: the appeal's text collected until [Done]
    updated_at: dt.datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------- supporter settings (0009)
# Each row exists only once the person chose something in /settings (or asked for a referral
# link, or said whether they attend a hearing); /forget deletes them with the supporter row.
class Preference(SQLModel, table=True):
    """What a supporter chose in /settings; no row: the defaults (everything as it comes)."""

    supporter_id: int = Field(sa_column=Column(BigInteger, ForeignKey(
        "supporter.chat_id", ondelete="CASCADE"), primary_key=True, autoincrement=False))
    timezone: str | None = Field(default=None, max_length=64)  # None: DEFAULT_TIMEZONE
    quiet_start: int | None = None  # local hour 0–23; both set or both None
    quiet_end: int | None = None
    news_digest: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    protect_content: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class ReminderOptOut(SQLModel, table=True):
    """A reminder offset (minutes before a hearing) this supporter turned off."""

    supporter_id: int = Field(sa_column=Column(BigInteger, ForeignKey(
        "supporter.chat_id", ondelete="CASCADE"), primary_key=True, autoincrement=False))
    offset_minutes: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})


class ReplyWait(SQLModel, table=True):
    """A supporter agreed to share an authority's answer and the bot waits for it."""

    chat_id: int = Field(sa_column=Column(BigInteger, ForeignKey(
        "supporter.chat_id", ondelete="CASCADE"), primary_key=True, autoincrement=False))
    case_id: int = Field(sa_column=Column(ForeignKey("case.id", ondelete="CASCADE"),
                                          nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow)


class AuthorityReply(SQLModel, table=True):
    """An authority's answer to a letter, as a supporter shared it: never who shared it."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=Column(ForeignKey("case.id", ondelete="CASCADE"),
                                          nullable=False, index=True))
    kind: str = Field(max_length=8)  # text | photo | document
    text: str | None = None  # the text, or a file's caption
    file_id: str | None = Field(default=None, max_length=256)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Attendance(SQLModel, table=True):
    """One answer per person per hearing: attend in person (a) or follow online (o)."""

    event_id: int = Field(sa_column=Column(ForeignKey("event.id", ondelete="CASCADE"),
                                           primary_key=True))
    supporter_id: int = Field(sa_column=Column(BigInteger, ForeignKey(
        "supporter.chat_id", ondelete="CASCADE"), primary_key=True, autoincrement=False))
    mode: str = Field(max_length=1)


class Referral(SQLModel, table=True):
    """A supporter's personal link code and how many people joined through it (counts only)."""

    code: str = Field(primary_key=True, max_length=16)
    supporter_id: int = Field(sa_column=Column(BigInteger, ForeignKey(
        "supporter.chat_id", ondelete="CASCADE"), nullable=False, unique=True))
    joined: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class DigestItem(SQLModel, table=True):
    """A news alert kept for a supporter's daily digest instead of being sent on its own."""

    supporter_id: int = Field(sa_column=Column(BigInteger, ForeignKey(
        "supporter.chat_id", ondelete="CASCADE"), primary_key=True, autoincrement=False))
    alert_id: int = Field(sa_column=Column(ForeignKey("alert.id", ondelete="CASCADE"),
                                           primary_key=True))
    due_at: dt.datetime = Field(index=True)  # when the digest with it goes out (UTC)


class WorkerHeartbeat(SQLModel, table=True):
    """A running worker process says it is alive (``/healthz`` reads the newest)."""

    worker_id: str = Field(primary_key=True, max_length=128)  # host:pid:random
    role: str = Field(max_length=16)
    started_at: dt.datetime = Field(default_factory=utcnow)
    seen_at: dt.datetime = Field(default_factory=utcnow, index=True)
