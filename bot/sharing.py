"""Links that bring someone to a case: the deep link, Telegram's share link, a QR code.

A deep link ``https://t.me/<bot>?start=<slug>`` opens the bot and shows (and follows) the case;
Telegram's ``https://t.me/share/url`` opens the person's chat picker with the link and a line
of text ready to send. The QR code (segno, PNG) is the same deep link, for posters and flyers.
"""

from __future__ import annotations

import io
from urllib.parse import quote, urlencode

import segno

# Telegram's share page takes the text as a query parameter; a long one makes an unwieldy URL
# (and a button URL Telegram may refuse), so the text is kept to a line.
SHARE_TEXT_LIMIT = 200


def deep_link(bot_username: str, slug: str) -> str:
    """``https://t.me/<bot>?start=<slug>`` (a slug is ``A-Za-z0-9_-``: safe in a URL)."""
    return f"https://t.me/{quote(bot_username, safe='')}?start={quote(slug, safe='')}"


def share_url(link: str, text: str) -> str:
    """Telegram's share link: the person picks a chat, the link and ``text`` are filled in."""
    return "https://t.me/share/url?" + urlencode(
        {"url": link, "text": text[:SHARE_TEXT_LIMIT]}, quote_via=quote)


def qr_png(link: str, *, scale: int = 10) -> bytes:
    """A PNG QR code of ``link``, with error correction high enough to survive a creased
    flyer (segno raises the level as far as the data allows)."""
    buffer = io.BytesIO()
    segno.make_qr(link, error="m", boost_error=True).save(buffer, kind="png", scale=scale,
                                                           border=4)
    return buffer.getvalue()
