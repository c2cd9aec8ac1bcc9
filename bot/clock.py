"""Time as a dependency, so tests can move it without sleeping."""

from __future__ import annotations

import datetime as dt


class Clock:
    def now(self) -> dt.datetime:
        """The current time, timezone-aware UTC."""
        return dt.datetime.now(dt.UTC)


class FakeClock(Clock):
    """A clock tests set and advance by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now


class FollowingClock(Clock):
    """Whatever clock ``get()`` returns now (e.g. ``Services.clock``, which a test may swap)."""

    def __init__(self, get) -> None:
        self._get = get

    def now(self) -> dt.datetime:
        return self._get().now()
