"""Attempts counted before their requests go out, group-committed with the results.

A sender asks :meth:`AttemptMarks.mark` for its row and waits; every row waiting at that moment
gets its ``attempts + 1`` in the worker's next group commit (:meth:`AttemptMarks.riding`, in
the recorder's transaction, together with the results waiting then), and then they all go. So
an attempt is durable before its request leaves, and a process killed mid-request leaves an
attempt without an answer: the recipient may have got it (see ``Delivery.answers``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.delivery.results import SendOutcome, SendResult
from storage.models import DeliveryStatus


def answer_flags(status: DeliveryStatus, result: SendResult | None) -> tuple[bool, bool]:
    """(answered, retryable) of a recorded result: whether a request went out and its answer
    came back, and whether a failure may pass (it ran out of ``RETRY`` attempts)."""
    answered = result is not None and not result.uncertain
    retryable = (status == DeliveryStatus.FAILED and result is not None
                 and result.outcome is SendOutcome.RETRY)
    return answered, retryable


class _Batch:
    def __init__(self, waiting: list[tuple[int, asyncio.Future]]) -> None:
        self.waiting = waiting

    @property
    def ids(self) -> list[int]:
        """The rows to count an attempt on (``record_outcomes(attempts=…)``)."""
        return [item[0] for item in self.waiting]

    def settle(self, error: BaseException | None) -> None:
        for _id, future in self.waiting:
            if future.done():
                continue
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error if isinstance(error, Exception)
                                     else RuntimeError("attempt not recorded"))


class AttemptMarks:
    def __init__(self, on_waiting) -> None:
        self._on_waiting = on_waiting  # wakes the writer that takes the marks along
        self._waiting: list[tuple[int, asyncio.Future]] = []

    @property
    def waiting(self) -> bool:
        return bool(self._waiting)

    async def mark(self, delivery_id: int) -> None:
        """Return once this row's attempt is committed; raise if it could not be (the sender
        then gives its row up, to be claimed again when its lease runs out)."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((delivery_id, future))
        self._on_waiting()
        await asyncio.shield(future)

    @asynccontextmanager
    async def riding(self) -> AsyncIterator[_Batch]:
        """Inside the writer's transaction: write ``batch.ids``' attempts there; the waiting
        senders go once it has committed."""
        batch, self._waiting = _Batch(self._waiting), []
        try:
            yield batch
        except BaseException as error:
            batch.settle(error)
            raise
        batch.settle(None)
