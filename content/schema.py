"""The case library's schema: what a case file and the authority directory must contain.

Every model is strict (unknown fields are errors) so that a typo in a YAML file is reported
with its file and field instead of being silently ignored. Lengths are bounded so that every field
fits the Telegram message that shows it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# A slug doubles as a Telegram deep-link payload: t.me/<bot>?start=<slug>.
SLUG_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
KEY_PATTERN = r"^[a-z0-9_-]{1,48}$"
LANGUAGES = ("en", "ru")

# Deliberately plain: one @, a dot in the domain, no spaces or brackets. Redacted placeholders
# such as "[email protected]" fail it, which is the point.
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_FAX_RE = re.compile(r"^\+?[0-9][0-9 ()-]{5,}[0-9]$")
_TIMEZONE_RE = re.compile(r"^[A-Za-z0-9_+-]{1,30}(/[A-Za-z0-9_+-]{1,30}){0,2}$")

Channel = Literal["email", "fax", "post", "web"]
EventKind = Literal[
    "closure",  # an organisation shut down
    "search",
    "detention",
    "charges",
    "hearing",
    "verdict",
    "appeal",  # an appeal filed or an appeal hearing held
    "appeal_ruling",
    "release",
    "communication",  # e.g. a UN communication sent
    "reply",  # a State's reply received
    "other",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def is_usable_email(value: str) -> bool:
    """True for a real-looking address; False for redactions like ``[email protected]``."""
    return bool(_EMAIL_RE.fullmatch(value)) and "protected" not in value.lower()


class LocalizedText(Strict):
    """A text in each language a letter can be written in. English is required."""

    en: str = Field(min_length=1, max_length=1000)
    ru: str = Field(min_length=1, max_length=1000)


class Authority(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=2, max_length=200)
    name_ru: str | None = Field(default=None, max_length=200)
    role: str = Field(min_length=2, max_length=300)
    country: str | None = Field(default=None, max_length=80)
    salutation: LocalizedText
    emails: list[Annotated[str, Field(max_length=254)]] = Field(default=[], max_length=10)
    faxes: list[Annotated[str, Field(max_length=40)]] = Field(default=[], max_length=10)
    phones: list[Annotated[str, Field(max_length=40)]] = Field(default=[], max_length=10)
    postal_address: str | None = Field(default=None, max_length=600)
    web_form: str | None = Field(default=None, max_length=1000)

    @field_validator("emails")
    @classmethod
    def _emails_are_real(cls, value: list[str]) -> list[str]:
        for email in value:
            if not is_usable_email(email):
                raise ValueError(
                    f"{email!r} is not a usable e-mail address (a redacted address is not an "
                    "address: leave it out and give another channel)"
                )
        return value

    @field_validator("faxes", "phones")
    @classmethod
    def _numbers_look_like_numbers(cls, value: list[str]) -> list[str]:
        for number in value:
            if not _FAX_RE.fullmatch(number):
                raise ValueError(f"{number!r} is not a phone or fax number")
        return value

    @field_validator("web_form")
    @classmethod
    def _web_form_is_http(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s]+$", value):
            raise ValueError(f"{value!r} must be an http(s) URL")
        return value

    def channels(self) -> list[Channel]:
        """The ways a letter can reach this authority, in order of preference."""
        found: list[Channel] = []
        if self.emails:
            found.append("email")
        if self.faxes:
            found.append("fax")
        if self.postal_address:
            found.append("post")
        if self.web_form:
            found.append("web")
        return found


class AuthorityDirectory(Strict):
    authorities: list[Authority]

    @model_validator(mode="after")
    def _keys_unique(self) -> AuthorityDirectory:
        seen: set[str] = set()
        for authority in self.authorities:
            if authority.key in seen:
                raise ValueError(f"authority key {authority.key!r} appears twice")
            seen.add(authority.key)
        return self


class Person(Strict):
    name: str = Field(min_length=2, max_length=120)
    role: str = Field(min_length=2, max_length=300)


class Source(Strict):
    publisher: str = Field(min_length=2, max_length=200)
    title: str = Field(min_length=2, max_length=300)
    date: dt.date | None = None
    url: str | None = Field(default=None, max_length=1000)


class TimelineEntry(Strict):
    # Stable within its case: loading the files again updates this entry instead of adding one.
    key: str = Field(pattern=KEY_PATTERN)
    date: dt.date
    time: dt.time | None = None
    kind: EventKind
    text: str = Field(min_length=3, max_length=600)
    court: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    source: int = Field(ge=0, description="index into the case's sources")


class Case(Strict):
    slug: str = Field(pattern=SLUG_PATTERN)
    codes: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=10)
    title: str = Field(min_length=3, max_length=160)
    country: str = Field(min_length=2, max_length=80)
    people: list[Person] = Field(min_length=1, max_length=20)
    status: Literal["open", "closed"]
    summary: str = Field(min_length=20, max_length=1500)
    timezone: str = "Asia/Almaty"
    timeline: list[TimelineEntry] = []
    requested_actions: list[LocalizedText] = Field(min_length=1)
    addressees: list[str] = Field(min_length=1, max_length=30,
                                  description="keys into authorities.yaml")
    # The appeal also asks supporters to write to Kazakhstan's embassy in their own country.
    write_to_embassy: bool = False
    # Whom a letter is about, as it reads after "concerning" / "в отношении" (Russian genitive).
    letter_about: LocalizedText
    # One sentence: why the writer is concerned.
    letter_concern: LocalizedText
    sources: list[Source] = Field(min_length=1, max_length=20)
    act_before: dt.date | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        # Check the shape first: ZoneInfo() turns odd keys into RecursionError or OSError, which
        # pydantic does not catch (a case file uploaded in chat must never crash the loader).
        if not _TIMEZONE_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not a known time zone (e.g. Asia/Almaty)")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"{value!r} is not a known time zone (e.g. Asia/Almaty)") from None
        return value

    @model_validator(mode="after")
    def _timeline_consistent(self) -> Case:
        keys: set[str] = set()
        for index, entry in enumerate(self.timeline):
            if entry.key in keys:
                raise ValueError(f"timeline[{index}].key {entry.key!r} appears twice")
            keys.add(entry.key)
            if entry.source >= len(self.sources):
                raise ValueError(
                    f"timeline[{index}].source is {entry.source} but the case has "
                    f"{len(self.sources)} sources (numbered from 0)"
                )
        if len(set(self.addressees)) != len(self.addressees):
            raise ValueError("addressees lists an authority twice")
        return self
