"""Each recipient's copy of an alert, in their language, rendered when it is sent.

An alert stores what its kind renders from (``Alert.payload``): a coordinator alert keeps its
draft's payload and is rendered through the broadcast-kind registry's pure ``render(payload,
lang)`` — the same function the coordinator's preview used, so each subscriber gets exactly what
the preview showed in their language; a reminder keeps its text per language (rendered from the
facts checked when it fell due). A language without its own text gets the closest one by the
fallback chain (kk → ru → en). An alert without a payload (queued before alerts had one) is sent
as its ``text``.
"""

from __future__ import annotations

import logging

from bot.coordination.registry import BROADCAST_KINDS
from bot.digest import render_digest
from content.languages import fallback_chain
from storage.digest import DIGEST_KIND
from storage.models import Alert

log = logging.getLogger(__name__)


def render_alert(alert: Alert, lang: str) -> str:
    """The alert's Telegram HTML for a recipient whose interface language is ``lang``."""
    payload = alert.payload
    if not payload:
        return alert.text
    if alert.kind == DIGEST_KIND:
        return render_digest(payload, lang)
    texts = payload.get("texts")
    if isinstance(texts, dict):
        return next((texts[code] for code in fallback_chain(lang)
                     if isinstance(texts.get(code), str) and texts[code]), alert.text)
    kind = BROADCAST_KINDS.get(alert.kind)
    if kind is None:
        return alert.text
    try:
        return kind.render(payload, lang)
    except (KeyError, TypeError, ValueError) as error:  # a payload of an older shape
        log.warning("alert %s cannot be rendered in %s (%s); sending its stored text",
                    alert.id, lang, type(error).__name__)
        return alert.text
