"""The text of an appeal sent as a document: plain text, a web page (BeautifulSoup) or a PDF
(pypdf). Anything else, too large or unreadable is refused with a reason, never a crash."""

from __future__ import annotations

import io
import logging

from bs4 import BeautifulSoup

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 2_000_000  # an appeal is a few pages; its PDF well under a megabyte
MAX_PDF_PAGES = 40
KINDS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".pdf": "pdf"}


class UnreadableDocument(Exception):
    """Why a document gave no text: ``reason`` is one of the keys of ``REASONS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def kind_of(filename: str) -> str | None:
    """text, html or pdf by the file's extension; None for any other file."""
    name = filename.lower()
    return next((kind for suffix, kind in KINDS.items() if name.endswith(suffix)), None)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def _html_text(content: bytes) -> str:
    soup = BeautifulSoup(content, "html.parser")
    for tag in soup(["script", "style", "noscript", "head"]):
        tag.decompose()
    for tag in soup.find_all(["br"]):
        tag.replace_with("\n")
    for tag in soup.find_all(["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "table", "ul",
                              "ol"]):
        # Block elements end a paragraph, and a list item keeps a mark the parser knows.
        if tag.name == "li":
            tag.insert(0, "\n• ")
        tag.append("\n\n" if tag.name in {"p", "div", "h1", "h2", "h3", "h4", "table"}
                   else "\n")
    # Addresses hidden from spam bots by the web page ("[email protected]") stay visible as such.
    return soup.get_text()


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader  # imported here: only PDFs need it
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise UnreadableDocument("encrypted")
        pages = reader.pages[:MAX_PDF_PAGES]
        return "\n\n".join(page.extract_text() or "" for page in pages)
    except UnreadableDocument:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        log.info("unreadable PDF: %s", type(error).__name__)
        raise UnreadableDocument("broken") from None


def extract_text(content: bytes, filename: str) -> str:
    """The document's text. Raises :class:`UnreadableDocument` with the reason it has none."""
    kind = kind_of(filename)
    if kind is None:
        raise UnreadableDocument("kind")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise UnreadableDocument("size")
    if kind == "pdf":
        text = _pdf_text(content)
    elif kind == "html":
        text = _html_text(content)
    else:
        text = _decode(content)
    if not text.strip():
        raise UnreadableDocument("empty")
    return text.replace("\x00", "")
