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

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from content.dates import PartialDate, Precision, newest
from content.languages import fallback_chain

# A slug doubles as a Telegram deep-link payload: t.me/<bot>?start=<slug>.
SLUG_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
KEY_PATTERN = r"^[a-z0-9_-]{1,48}$"
# How long a recorded doubt about an addressee may be: it is shown under the address.
CAVEAT_MAX = 400

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


class Translations(Strict):
    """A text per language: English required, Russian and Kazakh optional.

    Readers get the closest language through :meth:`get` (kk → ru → en).
    """

    en: str = Field(min_length=1, max_length=1000)
    ru: str | None = Field(default=None, min_length=1, max_length=1000)
    kk: str | None = Field(default=None, min_length=1, max_length=1000)

    def get(self, lang: str | None) -> str:
        """The text in ``lang``, or in the nearest language it has (ending in English)."""
        for code in fallback_chain(lang):
            value = getattr(self, code, None)
            if value:
                return value
        return self.en


class LocalizedText(Translations):
    """A text in each language a letter can be written in: English and Russian required."""

    ru: str = Field(min_length=1, max_length=1000)


def pick(text: Translations | str | None, lang: str | None) -> str:
    """``text`` for a reader of ``lang``: a Translations' nearest language, a plain str as is."""
    if text is None:
        return ""
    return text if isinstance(text, str) else text.get(lang)


class Title(LocalizedText):
    en: str = Field(min_length=3, max_length=160)
    ru: str = Field(min_length=3, max_length=160)
    kk: str | None = Field(default=None, min_length=3, max_length=160)


class Summary(Translations):
    en: str = Field(min_length=20, max_length=1500)
    ru: str | None = Field(default=None, min_length=20, max_length=1500)
    kk: str | None = Field(default=None, min_length=20, max_length=1500)


class EntryText(Translations):
    en: str = Field(min_length=3, max_length=600)
    ru: str | None = Field(default=None, min_length=3, max_length=600)
    kk: str | None = Field(default=None, min_length=3, max_length=600)


class Caveat(LocalizedText):
    en: str = Field(min_length=3, max_length=CAVEAT_MAX)
    ru: str = Field(min_length=3, max_length=CAVEAT_MAX)
    kk: str | None = Field(default=None, min_length=3, max_length=CAVEAT_MAX)


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
    # The date of the source that lists this authority (and its address).
    as_of: PartialDate
    # When someone last checked that the address still works, and who.
    verified_on: dt.date | None = None
    verified_by: str | None = Field(default=None, min_length=2, max_length=120)
    # A recorded doubt, e.g. that the named official had left office before the source listed
    # them; shown with the address.
    caveat: Caveat | None = None

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

    @field_validator("verified_on")
    @classmethod
    def _verified_after_listed(cls, value: dt.date | None,
                               info: ValidationInfo) -> dt.date | None:
        as_of = info.data.get("as_of")
        if value is not None and as_of is not None and value < as_of.first_day:
            raise ValueError(f"{value} is earlier than as_of {as_of}: an address cannot be "
                             "checked before the source that lists it")
        return value

    @field_validator("verified_by")
    @classmethod
    def _verified_by_needs_a_date(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("verified_on") is None:
            raise ValueError("verified_by needs verified_on (the date it was checked)")
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
    # A title, date or URL only when the source document itself gives it.
    publisher: str = Field(min_length=2, max_length=200)
    title: str | None = Field(default=None, min_length=2, max_length=300)
    date: PartialDate | None = None
    url: str | None = Field(default=None, max_length=1000)


class TimelineEntry(Strict):
    # Stable within its case: loading the files again updates this entry instead of adding one.
    key: str = Field(pattern=KEY_PATTERN)
    # A full date, or only the month or the year when that is all the source gives.
    date: PartialDate
    # Optional: must agree with the date (a partial date is never padded to a day).
    precision: Precision | None = None
    # The date was worked out from the source's words ("ten days later"), not stated in it.
    derived: StrictBool = False  # true or false: "yes" is not read as true
    time: dt.time | None = None
    kind: EventKind
    text: EntryText
    court: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    source: int = Field(ge=0, description="index into the case's sources")

    @field_validator("precision")
    @classmethod
    def _precision_matches_date(cls, value: Precision | None,
                                info: ValidationInfo) -> Precision | None:
        date = info.data.get("date")
        if value is None or date is None:
            return value
        if value == "day" and date.precision != "day":
            raise ValueError(f"precision: day needs a full date (YYYY-MM-DD), but the date is "
                             f"{date}")
        if value != date.precision:
            raise ValueError(f"precision: {value} does not match the date {date} (a "
                             f"{date.precision}); write the date as the source gives it, never "
                             "padded to a day")
        return value

    @field_validator("time")
    @classmethod
    def _time_needs_a_day(cls, value: dt.time | None, info: ValidationInfo) -> dt.time | None:
        date = info.data.get("date")
        if value is not None and date is not None and date.precision != "day":
            raise ValueError(f"a time of day needs a full date, but the date is {date}")
        return value


class ReportTo(Strict):
    """Where the appeal asks supporters to report what they did, quoting its code."""

    email: str
    name: str = Field(min_length=2, max_length=120)

    @field_validator("email")
    @classmethod
    def _email_is_real(cls, value: str) -> str:
        if not is_usable_email(value):
            raise ValueError(f"{value!r} is not a usable e-mail address")
        return value


class Case(Strict):
    slug: str = Field(pattern=SLUG_PATTERN)
    codes: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=10)
    title: Title
    country: str = Field(min_length=2, max_length=80)
    people: list[Person] = Field(min_length=1, max_length=20)
    status: Literal["open", "closed"]
    summary: Summary
    # Omitted: the DEFAULT_TIMEZONE setting applies.
    timezone: str | None = None
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
    report_to: ReportTo | None = None

    @field_validator("report_to")
    @classmethod
    def _report_quotes_a_code(cls, value: ReportTo | None,
                              info: ValidationInfo) -> ReportTo | None:
        # "codes" is missing from info.data when it failed its own check: that error is enough.
        if value is not None and "codes" in info.data and not info.data["codes"]:
            raise ValueError("report_to needs the appeal's code in codes: a report quotes it")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
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

    def newest_source_date(self) -> PartialDate | None:
        return newest([source.date for source in self.sources if source.date is not None])
