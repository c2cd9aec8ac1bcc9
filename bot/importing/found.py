"""What an import found in an appeal's text, field by field, and what it could not find."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from content.dates import PartialDate


@dataclass
class FoundAddressee:
    name: str
    role: str | None = None
    postal_address: str | None = None
    faxes: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    web_form: str | None = None
    salutation: str | None = None
    redacted: int = 0  # e-mails hidden in the source ("[email protected]"): dropped
    known_key: str | None = None  # the directory's authority this one is (set by directory.py)

    @property
    def has_channel(self) -> bool:
        return bool(self.faxes or self.emails or self.postal_address or self.web_form)


@dataclass(frozen=True)
class FoundEvent:
    date: PartialDate
    kind: str  # one of content.schema.EventKind
    text: str


@dataclass
class FoundAppeal:
    format: str  # observatory | amnesty | unknown
    language: str  # en | fr | ru: the language the appeal is written in
    codes: list[str] = field(default_factory=list)
    title: str | None = None
    country: str | None = None
    people: list[tuple[str, str | None]] = field(default_factory=list)  # (name, role)
    actions: list[str] = field(default_factory=list)
    addressees: list[FoundAddressee] = field(default_factory=list)
    act_before: dt.date | None = None
    issued: dt.date | None = None
    events: list[FoundEvent] = field(default_factory=list)
    write_to_embassy: bool = False
    report_to: str | None = None  # the e-mail the appeal asks supporters to report to
    publisher: str | None = None

    @property
    def redacted(self) -> int:
        return sum(addressee.redacted for addressee in self.addressees)

    def missing(self) -> list[str]:
        """The fields this appeal's text did not give (names as the editor shows them)."""
        checks = {"codes": self.codes, "title": self.title, "country": self.country,
                  "people": self.people, "actions": self.actions,
                  "addressees": self.addressees, "act_before": self.act_before,
                  "timeline": self.events}
        return [name for name, value in checks.items() if not value]
