"""Reading an urgent appeal's text into a :class:`FoundAppeal`: codes, title, people, actions,
addressees, the act-before date and the dated events. Never raises on odd text; never invents a
date (an event is taken only where the text gives its date, to the day or the month)."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from bot.importing import amnesty, observatory
from bot.importing.channels import emails_in
from bot.importing.dates import first_date, leading_date
from bot.importing.found import FoundAppeal, FoundEvent
from bot.importing.prose import (
    language_of,
    paragraphs,
    sentences,
    squash,
    tidy_item,
    title_case_caps,
)
from bot.importing.sections import (
    ACT_BEFORE,
    EMBASSY,
    actions_part,
    addresses_part,
    list_items,
    narrative_part,
)
from content.dates import PartialDate

MAX_TEXT_CHARS = 200_000  # an appeal is a few pages; more is a mistake
MAX_EVENTS = 40
MAX_PEOPLE = 20
MAX_ACTIONS = 20

CODE_PATTERNS = (
    # Observatory: "KAZ 003 / 1017 / OBS 107" (later updates add ".1")
    re.compile(r"\b[A-Z]{3}\s+\d{3}\s*/\s*\d{4}(?:\.\d)?\s*/\s*OBS\s+\d{2,4}(?:\.\d)?\b"),
    # Amnesty: "UA 123/19", "UA: 123/19", "Further information on UA 123/19"
    re.compile(r"\bUA:?\s*\d{1,3}/\d{2}\b"),
    # Amnesty's document index: "EUR 57/1234/2019"
    re.compile(r"\b(?:AFR|AMR|ASA|EUR|MDE|ACT|IOR|POL)\s+\d{2}/\d{3,4}/\d{4}\b"),
)
# Where one appeal starts: a second one in the same paste starts a second draft.
_APPEAL_START = re.compile(
    r"(?im)^[ \t]*(?:urgent appeal\s*[-–]\s*the observatory|appel urgent\s*[-–]\s*l'observatoire"
    r"|urgent action\b(?!s)|срочн(?:ое|ый) (?:обращение|призыв))")
_HONORIFIC_NAME = re.compile(
    r"\b(?:Mr|Ms|Mrs|Mme|Dr|Messrs|г-н|г-жа)\.?\s+((?:[A-ZА-ЯЁ][\w'’-]+\s+){0,2}[A-ZА-ЯЁ][\w'’-]+)"
    r"(?:,\s*((?:[A-ZА-ЯЁa-z][^,.;()]{2,120})))?")
_PLURAL_NAMES = re.compile(
    r"\bMessrs\.?\s+(?:[A-Z][\w'’-]+\s+)+?(?:[A-Z][\w'’-]+)(?:,[^,]{0,80},)?\s+and\s+"
    r"((?:[A-Z][\w'’-]+\s+){1,2}[A-Z][\w'’-]+)")
# "Erlan Baltabay, a trade union leader from Shymkent, was …" at the start of a paragraph.
_NAME_ROLE = re.compile(
    r"^((?:[A-ZА-ЯЁ][a-zа-яё'’-]+\s+){1,2}[A-ZА-ЯЁ][a-zа-яё'’-]+),\s+(?:an?\s+|the\s+)?"
    r"([a-zа-яё][^,.;]{2,120}),")
_KINDS = (
    ("closure", r"shut down|liquidat|closure of|dissolv|ликвид|ferm"),
    ("appeal_ruling", r"upheld|overturn|on appeal|rejected (?:the|her|his) appeal|оставил"),
    ("release", r"released|libéré|освобо"),
    ("verdict", r"sentenced|convicted|found guilty|verdict|condamn|приговор|осужд"),
    ("appeal", r"appeal|апелляц|appel"),
    ("detention", r"arrested|detained|detention|arrêté|задерж|арест"),
    ("search", r"searched|raid|обыск|perquisition"),
    ("charges", r"criminal case|charged|charges|уголовное дело|обвинен|inculp"),
    ("hearing", r"hearing|\btrial\b|\bcourts?\b|\bсуд|procès|tribunal"),
)


def split_appeals(text: str) -> list[str]:
    """One text per appeal in ``text`` (a paste may hold several)."""
    starts = [match.start() for match in _APPEAL_START.finditer(text)]
    if len(starts) < 2:
        return [text]
    cuts = [0, *starts[1:], len(text)]
    return [text[a:b] for a, b in itertools.pairwise(cuts) if text[a:b].strip()]


def detect_format(text: str) -> str:
    head = text[:5000]
    if re.search(r"(?i)the observatory|l'observatoire|\bOBS\s+\d{2,4}\b|FIDH|OMCT", head):
        return "observatory"
    if re.search(r"(?i)urgent action|amnesty international|\bUA:?\s*\d{1,3}/\d{2}\b", head):
        return "amnesty"
    return "unknown"


def _codes(text: str) -> list[str]:
    found: list[str] = []
    for pattern in CODE_PATTERNS:
        for match in pattern.finditer(text):
            code = " ".join(match.group(0).replace("UA:", "UA ").split())
            code = re.sub(r"\s*/\s*", " / ", code) if "OBS" in code else code
            if code not in found:
                found.append(code)
    return found[:10]


def _title(text: str, fmt: str) -> str | None:
    lines = [squash(line) for line in text.splitlines() if line.strip()]
    if fmt == "amnesty":
        for index, line in enumerate(lines[:-1]):
            if re.fullmatch(r"(?i)urgent action", line):
                headline = lines[index + 1]
                return headline.capitalize() if headline.isupper() else headline
    for line in lines[:3]:
        if ":" in line and 10 <= len(line) <= 200 and not line.isupper():
            return line[:160]
    return None


def _country(title: str | None, text: str) -> str | None:
    if title and ":" in title:
        head = title.split(":", 1)[0].strip()
        if 2 <= len(head) <= 40 and head.replace(" ", "").isalpha() and head[0].isupper():
            return head
    return "Kazakhstan" if re.search(r"Kazakhstan|Казахстан", text) else None


def _people(title: str | None, narrative: str) -> list[tuple[str, str | None]]:
    found: dict[str, str | None] = {}
    first_paragraphs = " ".join(paragraphs(narrative)[:12])
    for source in (title or "", first_paragraphs):
        for match in _HONORIFIC_NAME.finditer(source):
            name = re.sub(r"['’]s$", "", title_case_caps(match.group(1)))
            if " " not in name:
                continue  # a surname alone ("Kharkova's mother") names no one new
            role = match.group(2)
            if role and (role.split()[0].lower() in {"as", "and", "who", "which", "in"}):
                role = None
            if name not in found or (found[name] is None and role):
                found[name] = squash(role) if role else None
    for match in _PLURAL_NAMES.finditer(first_paragraphs):  # "Messrs. A B and C D"
        name = match.group(1)
        if name not in found:
            found[name] = None
    for paragraph in paragraphs(narrative):
        match = _NAME_ROLE.match(paragraph)
        if match and match.group(1) not in found:
            found[match.group(1)] = squash(match.group(2))
    return list(found.items())[:MAX_PEOPLE]


def _kind(sentence: str) -> str:
    lowered = sentence.lower()
    for kind, pattern in _KINDS:
        if re.search(pattern, lowered):
            return kind
    return "other"


def _events(narrative: str, codes: list[str], issued: dt.date | None) -> list[FoundEvent]:
    events: list[FoundEvent] = []
    seen: set[tuple[str, str]] = set()
    for paragraph in paragraphs(narrative):
        if len(paragraph) < 60 or any(code in paragraph for code in codes):
            continue  # a heading, a dateline or the appeal's own header
        for sentence in sentences(paragraph):
            lead = re.sub(r"(?i)^(?:on|in|since|le|en|в|на)\s+", "", sentence)
            date = leading_date(lead)
            if date is None:
                match = re.search(r"(?i)\b(?:on|le)\s+(?=\S)", sentence)
                day = first_date(sentence[match.end():]) if match else None
                if day is None or day != first_date(sentence):
                    continue
                date = PartialDate(day.year, day.month, day.day)
            kind = _kind(sentence)
            if date.first_day == issued and date.precision == "day":
                continue  # the appeal's own date (its dateline), not an event
            if (str(date), kind) in seen or len(sentence) < 25:
                continue
            seen.add((str(date), kind))
            events.append(FoundEvent(date=date, kind=kind, text=sentence[:600]))
    events.sort(key=lambda event: event.date.first_day)
    return events[:MAX_EVENTS]


def _act_before(text: str) -> dt.date | None:
    match = ACT_BEFORE.search(text)
    return first_date(match.group(1)) if match else None


def _report_to(text: str, addressee_emails: set[str]) -> str | None:
    match = re.search(r"(?i)inform us of any action|let us know|сообщите нам|informer de toute action",
                      text)
    if match is None:
        return None
    for email in emails_in(text[match.start():]):
        if email.lower() not in addressee_emails:
            return email
    return None


def read_appeal(text: str) -> FoundAppeal:
    """Every field this one appeal's text gives."""
    text = text[:MAX_TEXT_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    fmt = detect_format(text)
    appeal = FoundAppeal(format=fmt, language=language_of(text))
    appeal.codes = _codes(text)
    appeal.title = _title(text, fmt)
    appeal.country = _country(appeal.title, text)
    narrative = narrative_part(text)
    appeal.people = _people(appeal.title, narrative)
    part = actions_part(text)
    if part is not None:
        items = [tidy_item(item) for item in list_items(part)]
        appeal.actions = [item[:1000] for item in items if len(item) > 3][:MAX_ACTIONS]
    addresses = addresses_part(text)
    if addresses is not None:
        reader = amnesty.addressees if fmt == "amnesty" else observatory.addressees
        appeal.addressees = reader(addresses) or (observatory.addressees(addresses)
                                                  if fmt == "amnesty"
                                                  else amnesty.addressees(addresses))
    appeal.act_before = _act_before(text)
    dates = [date for date in (first_date(line) for line in text.splitlines()[:30]) if date]
    appeal.issued = dates[0] if dates else None
    appeal.events = _events(narrative, appeal.codes, appeal.issued)
    appeal.write_to_embassy = bool(EMBASSY.search(text))
    emails = {email.lower() for addressee in appeal.addressees for email in addressee.emails}
    appeal.report_to = _report_to(text, emails)
    appeal.publisher = {"observatory": "The Observatory for the Protection of Human Rights "
                                       "Defenders (FIDH-OMCT)",
                        "amnesty": "Amnesty International"}.get(fmt)
    return appeal


def read_appeals(text: str) -> list[FoundAppeal]:
    """Each appeal in a paste or a document, read."""
    return [read_appeal(part) for part in split_appeals(text[:MAX_TEXT_CHARS])]


