"""A table of Bot API methods: Telegram's name -> the function that answers it.

Each function takes the simulated Telegram and the request (``fn(tg, rq)``) and returns the
call's ``result`` or raises :class:`~bot.sandbox.protocol.ApiError`; it may be async. Names are
matched case-insensitively, like Telegram does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["Method", "MethodTable"]

Method = Callable[..., Any]


class MethodTable:
    def __init__(self, *tables: MethodTable) -> None:
        self._methods: dict[str, tuple[str, Method]] = {}
        for table in tables:
            for name, fn in table.items():
                self._add(name, fn)

    def register(self, name: str) -> Callable[[Method], Method]:
        """``@METHODS.register("sendMessage")`` above the function that answers it."""
        def decorate(fn: Method) -> Method:
            self._add(name, fn)
            return fn
        return decorate

    def _add(self, name: str, fn: Method) -> None:
        if name.lower() in self._methods:
            raise ValueError(f"Bot API method {name} is registered twice")
        self._methods[name.lower()] = (name, fn)

    def get(self, name: str) -> tuple[str, Method] | None:
        """(Telegram's spelling, function) for a method name in any case, or None."""
        return self._methods.get(name.lower())

    def items(self) -> Iterable[tuple[str, Method]]:
        return self._methods.values()

    def __len__(self) -> int:
        return len(self._methods)
