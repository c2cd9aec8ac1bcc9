"""Ways to reach an authority as appeals write them: e-mails, fax and phone numbers, web forms."""

from __future__ import annotations

import re

from content.schema import is_usable_email

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# What web pages leave of an address hidden from spam bots.
REDACTED_RE = re.compile(r"\[\s*email\s*(?:&#160;|\s)*protected\s*\]|\[e-?mail protected\]",
                         re.IGNORECASE)
URL_RE = re.compile(r"https?://[^\s<>\"')]+")
# "+7 7172 74 56 31", "(+32) 2 374 50 91", "+41 (0) 22 788 66 02", "+ 33 (0) 1 43 55 25 18".
NUMBER_RE = re.compile(r"\(?\+?\s?\d[\d\s().-]{5,}\d")
_FAX_RE = re.compile(r"^\+?[0-9][0-9 ()-]{5,}[0-9]$")  # content.schema's rule for numbers


def emails_in(text: str) -> list[str]:
    found: list[str] = []
    for email in EMAIL_RE.findall(text):
        email = email.rstrip(".")
        if is_usable_email(email) and email not in found:
            found.append(email)
    return found


def redactions_in(text: str) -> int:
    return len(REDACTED_RE.findall(text))


def _tidy_number(raw: str) -> str:
    number = " ".join(raw.replace("(+", "+").replace(")", ") ").split())
    number = number.replace("( ", "(").replace(" )", ")").replace("+ ", "+")
    number = re.sub(r"^\+(\d+)\)", r"+\1", number)  # "(+32) 2 …" → "+32 2 …"
    return number.strip(" .-")


def numbers_in(text: str) -> list[str]:
    """Phone or fax numbers; "+7 7172 74 56 31 / 74 56 67" gives both numbers in full (the
    second borrows the first's country and area code)."""
    numbers: list[str] = []
    for part in re.split(r"\s/\s|;|,(?=\s*\+)", text):
        for raw in NUMBER_RE.findall(part):
            number = _tidy_number(raw)
            if not _FAX_RE.fullmatch(number):
                continue
            if not number.startswith("+") and numbers and numbers[-1].startswith("+"):
                head = numbers[-1].split()
                tail = number.split()
                if len(head) > len(tail):
                    number = " ".join(head[: len(head) - len(tail)] + tail)
            if number not in numbers:
                numbers.append(number)
    return numbers


def digits(number: str) -> str:
    """A number's digits with a trunk "(0)" dropped, for comparing two spellings of it."""
    return re.sub(r"\D", "", number.replace("(0)", ""))


def urls_in(text: str) -> list[str]:
    return [url.rstrip(".,;") for url in URL_RE.findall(text)]
