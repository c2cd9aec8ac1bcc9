"""Routine trouble gets one log line per kind per minute, with a count — not a flood.

A 409 Conflict, an unreachable database or a Bot API 5xx repeat for as long as the condition
lasts; what an operator needs is that it started, that it goes on (and how often), and that it
ended. :func:`routine` logs the first occurrence of a kind at once and then at most one line per
``WINDOW`` seconds saying how many happened since the last line; :func:`recovered` says once
that a kind stopped. :class:`ThrottleFilter` does the same for lines libraries log themselves
(PTB's polling errors, APScheduler's "maximum number of running instances reached").
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

WINDOW = 60.0


@dataclass
class _Kind:
    last_logged: float
    suppressed: int = 0


class Throttle:
    """Decides whether an occurrence of a kind is logged; counts the ones that are not."""

    def __init__(self, window: float = WINDOW, clock=time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._kinds: dict[str, _Kind] = {}
        self._lock = threading.Lock()

    def admit(self, kind: str) -> int | None:
        """None: stay quiet. Otherwise log now; the number is how many occurrences (this one
        included) the line stands for."""
        now = self.clock()
        with self._lock:
            state = self._kinds.get(kind)
            if state is None:
                self._kinds[kind] = _Kind(last_logged=now)
                return 1
            if now - state.last_logged < self.window:
                state.suppressed += 1
                return None
            count, state.suppressed, state.last_logged = state.suppressed + 1, 0, now
            return count

    def clear(self, kind: str) -> int | None:
        """The condition ended: None if it was not active, else occurrences not yet logged."""
        with self._lock:
            state = self._kinds.pop(kind, None)
        return None if state is None else state.suppressed

    def active(self, kind: str) -> bool:
        return kind in self._kinds


THROTTLE = Throttle()


def routine(logger: logging.Logger, kind: str, message: str, *, level: int = logging.WARNING,
            **fields: object) -> None:
    """Log a routine condition (never with a traceback), at most once per minute per kind."""
    count = THROTTLE.admit(kind)
    if count is None:
        return
    logger.log(level, message, extra={"kind": kind, "count": count, **fields})


def recovered(logger: logging.Logger, kind: str, message: str, **fields: object) -> None:
    """Say once that a routine condition is over (nothing if it was not going on)."""
    unlogged = THROTTLE.clear(kind)
    if unlogged is not None:
        logger.info(message, extra={"kind": kind + "_recovered", "unlogged": unlogged, **fields})


# Lines that libraries log for routine conditions: (logger name prefix, text in the message,
# kind). They lose their traceback and are throttled like ours.
LIBRARY_ROUTINES: tuple[tuple[str, str, str], ...] = (
    ("apscheduler", "maximum number of running instances reached", "job_still_running"),
    ("telegram.ext", "Exception happened while polling for updates", "polling_error"),
    ("telegram.ext", "Network Retry Loop", "polling_error"),
)


def routine_kind(error: BaseException) -> str | None:
    """The routine condition an exception stands for, or None if it is a bug."""
    from telegram.error import Conflict, NetworkError

    from bot.db_faults import database_unavailable

    if isinstance(error, Conflict):
        return "polling_conflict"
    if isinstance(error, NetworkError):  # includes time-outs and Bot API 5xx (BadGateway)
        return "telegram_unavailable"
    if database_unavailable(error):
        return "database_unreachable"
    return None


class ThrottleFilter(logging.Filter):
    """Throttles routine lines whoever logs them: known library lines, and any line whose
    exception is routine (the database or Telegram out of reach) — without its traceback."""

    def __init__(self, throttle: Throttle = THROTTLE) -> None:
        super().__init__()
        self.throttle = throttle

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "kind", None):
            return True  # from routine(): already throttled
        error = record.exc_info[1] if record.exc_info else None
        kind = routine_kind(error) if error is not None else None
        if kind is None:
            kind = next((k for prefix, text, k in LIBRARY_ROUTINES
                         if record.name.startswith(prefix) and text in str(record.msg)), None)
        if kind is None:
            return True
        count = self.throttle.admit(kind)
        if count is None:
            return False
        record.exc_info, record.exc_text = None, None
        record.kind, record.count = kind, count
        if error is not None:
            record.error = type(error).__name__
        return True
