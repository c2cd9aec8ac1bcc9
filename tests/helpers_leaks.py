"""Finding English in what the bot says to someone who reads Russian or Kazakh.

:class:`Transcript` records every message the bot sends or edits and every answer to a button
press (through the Bot API server's event listener, so a text later edited away is still seen).
:func:`english_runs` finds the English sentences in a text: three or more consecutive words in
Latin letters, once code spans, URLs, e-mail addresses, commands and the allow-list are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.sandbox.models import ChatEvent, SimMessage
from content.loader import load_library

# Entities whose text is never a sentence of the interface: what to type or copy.
_LITERAL_ENTITIES = {"code", "pre", "url", "email", "bot_command", "mention", "phone_number",
                     "hashtag", "cashtag"}
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_COMMAND = re.compile(r"/[a-z0-9_]+\b")
_WORD = r"[A-Za-z][A-Za-z'’\-]*"
# words separated by spaces or the punctuation inside a sentence
_RUN = re.compile(rf"\b{_WORD}(?:[ \t,;:()\"«»]+{_WORD}){{2,}}")

# Names and fixed strings that stay in Latin letters in every language: the bot's name, and the
# names of people, offices and publications the case files give (a source's title is the title
# it was published under).
NAMES = ("Appeal Bot",)


def library_names() -> tuple[str, ...]:
    library, _ = load_library()
    names = [authority.name for authority in library.authorities.values()]
    for case in library.cases.values():
        names += [person.name for person in case.people]
        names += [text for source in case.sources for text in (source.publisher, source.title)
                  if text]
    return tuple(names)


def untranslatable_content() -> tuple[str, ...]:
    """Case-file texts the content schema has no Russian or Kazakh field for yet (people's and
    offices' roles, courts, cities, postal addresses): shown as the files give them."""
    library, _ = load_library()
    texts = [text for authority in library.authorities.values()
             for text in (authority.role, authority.postal_address) if text]
    for case in library.cases.values():
        texts += [person.role for person in case.people]
        texts += [text for entry in case.timeline for text in (entry.court, entry.city) if text]
    return tuple(texts)


# Known gaps, listed so that nothing else can pass: the audit log shows the summaries recorded
# (in English) when each action was taken, and a case file's YAML error is the parser's own text.
RECORDED = ("cancelled; alert to", "dropped, nothing sent", "postponed from", "alert to",
            "YAML syntax error at line")

ALLOWED = (*NAMES, *library_names(), *untranslatable_content(), *RECORDED)


def _without_literals(message: SimMessage) -> str:
    """The message's text with code, URLs and the like blanked out (entity offsets are UTF-16)."""
    encoded = bytearray(message.text.encode("utf-16-le"))
    for entity in message.entities:
        if entity.get("type") in _LITERAL_ENTITIES:
            start, length = entity["offset"] * 2, entity["length"] * 2
            encoded[start:start + length] = " \x00".encode("latin-1") * entity["length"]
    return encoded.decode("utf-16-le")


def english_runs(text: str, allowed: tuple[str, ...] = ALLOWED) -> list[str]:
    text = _COMMAND.sub(" ", _URL.sub(" ", text))
    for phrase in sorted(allowed, key=len, reverse=True):
        text = text.replace(phrase, " ")
    # what is left of an allowed text that was shortened to fit a button ("…") is allowed too
    return [run for run in (match.group(0) for match in _RUN.finditer(text))
            if not any(run in phrase for phrase in allowed)]


@dataclass
class Transcript:
    """What the bot showed one person: texts, button labels and answers to presses."""

    chat_id: int
    texts: list[str] = field(default_factory=list)

    def __call__(self, event: ChatEvent) -> None:
        if event.chat_id != self.chat_id:
            return
        message = event.message
        if event.type in {"message", "edit"} and message is not None and message.from_bot:
            self.texts.append(_without_literals(message))
            self.texts.extend(message.button_texts)
            if message.keyboard:
                self.texts.extend(label for row in message.keyboard for label in row)
        elif event.type == "callback_answer" and event.data.get("text"):
            self.texts.append(event.data["text"])

    def leaks(self, allowed: tuple[str, ...] = ALLOWED) -> list[tuple[str, str]]:
        return [(run, text) for text in self.texts for run in english_runs(text, allowed)]
