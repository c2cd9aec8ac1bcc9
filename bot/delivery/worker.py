"""The delivery worker: drains the outbox through a transport, and knows no channel.

It sends the ``Delivery`` rows written by :func:`bot.alerts.enqueue_alert`:

- **Claims with a lease.** Pending rows of its transport's channel are taken ``batch`` at a
  time: one conditional UPDATE sets ``status='sending'`` and ``claimed_until = now + lease``
  (PostgreSQL: ``FOR UPDATE SKIP LOCKED``), so two processes never send the same row; higher
  priority alerts first, alerts of one priority sharing each claim and sent round-robin
  (:mod:`storage.fair_claims`). While rows are held a heartbeat renews their lease every
  ``lease/4`` s, and a row is only sent while its lease is known to be valid; rows of a process
  that died become pending again when their lease (default 10 s) runs out. Only ``batch`` rows
  (and ``concurrency`` more) are in memory at a time. Leases are timestamps of each process's
  clock: hosts sharing one PostgreSQL need clocks in sync to well under the lease (NTP: ms).
- **Wakes by itself.** A commit that enqueued an alert through this worker's ``Database``
  wakes it at once (an outbox listener); rows written by other processes are found by polling
  every ``poll_interval`` s.
- **Paces** (:class:`~bot.delivery.pacing.Pacer`): a global token bucket at ``rate``
  messages/s (Telegram: ~30/s) and at most one message per ``per_chat_interval`` seconds in any
  one chat, measured from the end of the previous send to the next request. On PostgreSQL the
  per-chat rule holds across processes too: a claim takes one row per chat, only of chats no
  one holds or answered less than ``per_chat_interval`` ago (``Supporter.send_free_at``).
- **Acts on the transport's answer** (:class:`~bot.delivery.results.SendResult`):
  ``RETRY_AFTER``: every sender pauses for that long, then the same row is sent again (no
  attempt counted). ``BLOCKED``: the delivery is ``blocked`` and the supporter's
  ``blocked_at`` set (never retried; their other queued deliveries are blocked too). ``RETRY``
  (5xx, time-outs, network errors): retried with exponential backoff (``next_attempt_at``)
  for ``retry_budget`` s after the alert was written (:class:`~bot.delivery.retry.
  RetryPolicy`), then ``failed``; many in a row across chats open the circuit breaker
  (:mod:`~bot.delivery.breaker`): everyone waits while one probe tests the channel, and rows
  that failed meanwhile are re-sent without counting an attempt. ``FAILED``: ``failed``.
  ``MALFORMED`` (bad HTML, too long): every row of the alert fails at once.
- **Records** attempts before each request (:mod:`~bot.delivery.attempts`) and each result,
  all in group commits by one writer: each commit takes the attempts waiting, then the results.
  A sender goes on to its next row at once but sends it only once its attempt is committed,
  hence its previous result too: at most ``concurrency`` messages are ever sent-but-unrecorded,
  and a process killed at any instant re-sends at most that many after restart.
- **Reports progress** per alert through ``on_progress(alert_id, report)`` at most once per
  ``progress_interval`` seconds and once at the end (``report["pending"] == 0``); the end also
  sets ``Alert.finished_at``, and exactly one worker reports it.

The wiring (``bot.app._start_delivery``) gives ``text_for``, ``markup_for``
(:mod:`~bot.delivery.messages`), ``on_progress`` (e.g. :class:`~bot.delivery.report.
StatusMessages`) and ``personal_for(rows)`` (once per claim: some rows' own copy of the text);
rows held by quiet hours wait for ``schedule_clock``. Failures are logged as one line per kind
and minute (:mod:`~bot.delivery.tally`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.delivery.attempts import AttemptMarks, answer_flags
from bot.delivery.breaker import CircuitBreaker
from bot.delivery.messages import (
    AlertMessage,
    AlertMessages,
    MarkupFor,
    PersonalFor,
    TextFor,
    send_or_edit,
)
from bot.delivery.pacing import Pacer
from bot.delivery.report import OnProgress, Report
from bot.delivery.results import SendOutcome, SendResult, Transport
from bot.delivery.retry import DEFAULT_BUDGET, RetryPolicy
from bot.delivery.tally import ErrorTally
from storage import alerts as q
from storage.db import Database
from storage.fair_claims import claim_fair
from storage.models import DeliveryStatus

log = logging.getLogger(__name__)

__all__ = ["DeliveryWorker", "MarkupFor", "PersonalFor", "TextFor"]


@dataclass(eq=False)
class _Held:
    """A claimed row this worker is responsible for until its result is committed."""

    row: q.ClaimedDelivery
    deadline: float  # loop time after which our lease may have run out: do not send
    personal: Callable[[str], str] | None = None  # this recipient's own copy of the text
    claimed: float = 0.0  # loop time of the claim (see _blocked_chats)


class DeliveryWorker:
    def __init__(
        self,
        transport: Transport,
        db: Database,
        *,
        rate: float = 30.0,
        per_chat_interval: float = 1.0,
        pacer: Pacer | None = None,
        concurrency: int = 8,
        batch: int = 200,
        max_attempts: int | None = None,
        retry_budget: float = DEFAULT_BUDGET,
        breaker: CircuitBreaker | None = None,
        markup_for: MarkupFor | None = None,
        text_for: TextFor | None = None,
        personal_for: PersonalFor | None = None,
        on_progress: OnProgress | None = None,
        clock: Clock | None = None,
        schedule_clock: Clock | None = None,
        lease: float = 10.0,
        poll_interval: float = 1.0,
        retry_base: float = 2.0,
        retry_cap: float = 600.0,
        progress_interval: float = 1.0,
    ) -> None:
        """``pacer`` shares a send budget (status edits, other processes); without it the
        worker paces itself at ``rate`` and ``per_chat_interval``."""
        if (rate <= 0 or concurrency < 1 or batch < 1 or lease <= 0 or retry_budget <= 0
                or (max_attempts is not None and max_attempts < 1)):
            raise ValueError("rate, concurrency, batch, max_attempts, retry_budget and lease "
                             "must be positive")
        self.transport = transport
        self.db = db
        self.pacer = pacer or Pacer(rate, per_chat_interval)
        # Across processes (PostgreSQL) a chat's next claim waits this long after an answer.
        self._chat_gap = dt.timedelta(seconds=self.pacer.per_chat_interval)
        self.concurrency = concurrency
        self.batch = batch
        self.retry_policy = RetryPolicy(max_attempts, retry_base, retry_cap, retry_budget)
        self.breaker = breaker or CircuitBreaker()
        self.breaker.on_close = self._channel_back
        self.errors = ErrorTally()
        self.messages = AlertMessages(db, markup_for, text_for)
        self.personal_for = personal_for
        self.on_progress = on_progress
        self.clock = clock or Clock()
        self.schedule_clock = schedule_clock or self.clock  # for quiet hours (the bot's)
        self.lease = lease
        self.poll_interval = poll_interval
        self.progress_interval = progress_interval
        self.stats = {"sent": 0, "blocked": 0, "failed": 0, "retried": 0, "rate_limited": 0,
                      "claimed": 0, "held_by_breaker": 0, "commits": 0}

        # (-priority, claim, turn within its alert, seq) → urgent first, then round-robin
        self._queue: asyncio.PriorityQueue[tuple[tuple[int, int, int, int], _Held]] | None = None
        self._claims = 0
        self._held: dict[int, _Held] = {}
        self._held_per_alert: dict[int, int] = {}
        self._last_report: dict[int, float] = {}
        # chat → loop time it answered "blocked"; a row claimed later (they wrote again) goes
        self._blocked_chats: dict[int, float] = {}
        self._outcomes: list[q.Outcome] = []
        # The heartbeat and the recorder update the same held rows: one at a time, or
        # PostgreSQL may find them deadlocked on each other's row locks.
        self._row_writes = asyncio.Lock()
        # Attempts are committed before each request, by the writer of results.
        self._attempts = AttemptMarks(lambda: self._outcomes_ready.set())
        self._dirty: set[int] = set()
        self._sending: set[asyncio.Task] = set()
        self._tasks: list[asyncio.Task] = []
        self._consumers: list[asyncio.Task] = []
        self._wake: asyncio.Event | None = None
        self._need_more: asyncio.Event | None = None
        self._outcomes_ready = asyncio.Event()  # results or attempts wait for the writer
        self._dirty_ready: asyncio.Event | None = None
        self._check_finished = True
        self._stopping = False
        self._final_flush = False
        self._started = False

    # ------------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the background tasks (call inside the running event loop)."""
        if self._started:
            return
        self._started, self._stopping, self._final_flush = True, False, False
        self._queue = asyncio.PriorityQueue()
        self._wake, self._need_more = asyncio.Event(), asyncio.Event()
        self._outcomes_ready, self._dirty_ready = asyncio.Event(), asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._claim_loop(), name="delivery-claim"),
            asyncio.create_task(self._record_loop(), name="delivery-record"),
            asyncio.create_task(self._lease_loop(), name="delivery-lease"),
            asyncio.create_task(self._progress_loop(), name="delivery-progress"),
        ]
        self._consumers = [asyncio.create_task(self._consume(), name=f"delivery-send-{n}")
                           for n in range(self.concurrency)]
        self.db.add_outbox_listener(self.wake)

    def wake(self) -> None:
        """Something was enqueued: look for work now instead of at the next poll. Commits
        through this worker's ``Database`` call it by themselves."""
        self._check_finished = True
        if self._wake is not None:
            self._wake.set()

    @property
    def running(self) -> bool:
        return self._started and not self._stopping

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish the sends in flight, record them, give unsent claimed rows back."""
        if not self._started or self._stopping:
            return
        self._stopping = True
        self.db.remove_outbox_listener(self.wake)
        assert self._wake and self._need_more and self._outcomes_ready
        self._wake.set()
        self._need_more.set()
        claim_task, record_task, *others = self._tasks
        await asyncio.wait([claim_task], timeout=timeout)
        idle = [task for task in self._consumers if task not in self._sending]
        for task in idle:
            task.cancel()
        busy = [task for task in self._consumers if task in self._sending]
        if busy:
            _done, late = await asyncio.wait(busy, timeout=timeout)
            for task in late:
                task.cancel()
        await asyncio.gather(*self._consumers, return_exceptions=True)
        self._final_flush = True
        self._outcomes_ready.set()  # the recorder writes what is left, then returns
        await asyncio.wait([record_task], timeout=timeout)
        for task in [claim_task, record_task, *others]:
            task.cancel()
        _done, stuck = await asyncio.wait(self._tasks, timeout=timeout)
        if stuck:
            log.error("delivery: %s did not stop", ", ".join(t.get_name() for t in stuck))
        self.errors.flush()
        leftovers = list(self._held)
        if leftovers:
            try:
                async with self.db.engine.begin() as conn:
                    await q.release(conn=conn, ids=leftovers,
                                    chat_free_at=self.clock.now() + self._chat_gap)
            except Exception:
                log.warning("could not release %d claimed deliveries", len(leftovers),
                            exc_info=True)
        self._held.clear()
        self._held_per_alert.clear()
        self._started = False

    # ------------------------------------------------------------------------ claiming
    async def _claim_loop(self) -> None:
        assert self._queue and self._wake and self._need_more
        last_finish_check = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping:
            try:
                if self._queue.qsize() > self.concurrency:
                    self._need_more.clear()
                    await self._wait_any(self._need_more, timeout=self.poll_interval)
                    continue
                self._wake.clear()  # before looking: a wake() from now on is not lost
                claimed = await self._claim()
                if claimed:
                    continue
                if self._check_finished or loop.time() - last_finish_check > 5:
                    self._check_finished = False
                    last_finish_check = loop.time()
                    await self._finish(None)
                timeout = self.poll_interval
                async with self.db.engine.begin() as conn:
                    due = await q.next_due_at(conn=conn, channel=self.transport.channel)
                if due is not None:  # a retry waiting for its backoff
                    wait = (due - self.clock.now()).total_seconds()
                    timeout = min(timeout, max(wait, 0.05))
                await self._wait_any(self._wake, timeout=timeout)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery: claiming failed; retrying")
                await asyncio.sleep(self.poll_interval)

    async def _claim(self) -> int:
        assert self._queue
        loop = asyncio.get_running_loop()
        started = loop.time()
        now = self.clock.now()
        async with self.db.engine.begin() as conn:
            rows = await claim_fair(conn=conn, now=now,
                                    lease_until=now + dt.timedelta(seconds=self.lease),
                                    limit=self.batch, channel=self.transport.channel,
                                    held_now=self.schedule_clock.now())
        self._claims += 1
        deadline = started + self.lease * 0.75
        # The hook answers for its own failures (it returns {} and the text goes as it is).
        personal = await self.personal_for(rows) if self.personal_for and rows else {}
        for row in rows:
            if row.id in self._held:  # re-claimed after our own lease lapsed: keep one copy
                self._held[row.id].deadline = deadline
                continue
            held = _Held(row, deadline, personal.get(row.id), started)
            self._hold(held)
            self._queue.put_nowait(((-row.priority, self._claims, row.turn, row.id), held))
        self.stats["claimed"] += len(rows)
        return len(rows)

    async def _wait_any(self, event: asyncio.Event, timeout: float | None) -> None:
        # Not wait_for: on 3.11 it swallows a cancel arriving as the event is set (stop hangs).
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            pass

    def _hold(self, held: _Held) -> None:
        self._held[held.row.id] = held
        alert_id = held.row.alert_id
        self._held_per_alert[alert_id] = self._held_per_alert.get(alert_id, 0) + 1

    def _unhold(self, delivery_id: int) -> None:
        held = self._held.pop(delivery_id, None)
        if held is None:
            return
        alert_id = held.row.alert_id
        left = self._held_per_alert.get(alert_id, 0) - 1
        if left > 0:
            self._held_per_alert[alert_id] = left
        else:
            self._held_per_alert.pop(alert_id, None)

    async def _lease_loop(self) -> None:
        """Heartbeat: renew the leases of held rows; free rows of dead workers."""
        loop = asyncio.get_running_loop()
        first = True
        while True:
            if not first:
                await asyncio.sleep(self.lease / 4)
            first = False
            try:
                started = loop.time()
                now = self.clock.now()
                held = list(self._held.values())
                async with self._row_writes, self.db.engine.begin() as conn:
                    if held:
                        await q.renew_leases(conn=conn, ids=[h.row.id for h in held],
                                             lease_until=now + dt.timedelta(seconds=self.lease))
                    freed = await q.release_expired_leases(conn=conn, now=now)
                for item in held:
                    item.deadline = max(item.deadline, started + self.lease * 0.75)
                if freed:
                    log.warning("delivery: %d deliveries of a stopped worker are pending again",
                                freed)
                    self.wake()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery: lease heartbeat failed")

    # ------------------------------------------------------------------------ sending
    async def _consume(self) -> None:
        assert self._queue
        while True:
            _order, held = await self._queue.get()
            if self._queue.qsize() <= self.concurrency and self._need_more:
                self._need_more.set()
            if self._stopping:
                return
            try:
                await self._deliver(held)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Stop renewing its lease: it runs out and the row is claimed again later.
                log.exception("delivery %s: unexpected error", held.row.id)
                self._unhold(held.row.id)

    async def _deliver(self, held: _Held) -> None:
        row = held.row
        message = await self.messages.get(row.alert_id, row.language)
        if message is None:  # the alert was deleted, its deliveries with it
            self._unhold(row.id)
            return
        if message.broken is not None:
            await self._record(row, DeliveryStatus.FAILED, row.attempts, message.broken)
            return
        if held.claimed <= self._blocked_chats.get(row.chat_id, -1.0):
            await self._record(row, DeliveryStatus.BLOCKED, row.attempts, "blocked the bot")
            return
        async with self.pacer.chat(row.chat_id):
            result = await self._send_paced(held, message)
        if result is None:
            return
        if result.outcome is SendOutcome.MALFORMED:
            await self._fail_alert(row.alert_id, message, result.error or "malformed")
        await self._record(row, *self._settle(row, result, message), result=result)

    async def _send_paced(self, held: _Held, message: AlertMessage) -> SendResult | None:
        """Send one row under the pacer; None if it was not sent (stopping, lease lapsed)."""
        row = held.row
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        marked = False
        while True:
            await self.breaker.admit()
            await self.pacer.turn(row.chat_id)
            if self._stopping:
                self.breaker.neutral()  # if this was to be the probe, another sender probes
                return None  # released at stop, never sent
            if loop.time() > held.deadline:
                self.breaker.neutral()
                log.warning("delivery %s: lease may have lapsed; leaving it to be re-claimed",
                            row.id)
                self._unhold(row.id)
                return None
            self._sending.add(task)
            try:
                if not marked:  # one attempt per try; a 429 before it was answered is not one
                    await self._attempts.mark(row.id)
                    await self.pacer.recheck()  # a 429 may have come while it was recorded
                    marked = True
                result = await send_or_edit(self.transport, row, message, held.personal)
            finally:
                self._sending.discard(task)
                self.pacer.done(row.chat_id)
            if result.outcome is SendOutcome.RETRY:
                if not self.breaker.failure():
                    return result  # one failure among successes: counts as an attempt
                self.stats["held_by_breaker"] += 1
                self.errors.note("held while the channel fails", result.error)
                continue  # the channel is down for everyone: send this row again later
            if result.outcome is not SendOutcome.RETRY_AFTER:
                self.breaker.success()
                return result
            self.breaker.neutral()
            seconds = result.retry_after or 0.0
            self.stats["rate_limited"] += 1
            log.warning("delivery: the channel asks to wait %.0f s; pausing all sends", seconds)
            self.pacer.pause(seconds)

    def _channel_back(self) -> None:
        """The breaker closed: tell what failed during the outage, and bring every status
        message of an alert still in hand up to date at once."""
        self.errors.flush()
        self._dirty.update(alert for alert, held in self._held_per_alert.items() if held)
        self._last_report.clear()
        if self._dirty_ready is not None:
            self._dirty_ready.set()

    def _settle(self, row: q.ClaimedDelivery, result: SendResult,
                message: AlertMessage) -> tuple:
        """What to record for a send's result: (status, attempts, error, next attempt,
        message id)."""
        attempts = row.attempts + 1
        if result.outcome is SendOutcome.SENT:
            self.stats["sent"] += 1
            return DeliveryStatus.SENT, attempts, None, None, result.message_id
        if result.outcome is SendOutcome.BLOCKED:
            self.stats["blocked"] += 1
            if len(self._blocked_chats) > 100_000:
                self._blocked_chats.clear()
            self._blocked_chats[row.chat_id] = asyncio.get_running_loop().time()
            return DeliveryStatus.BLOCKED, attempts, result.error
        if result.outcome is SendOutcome.RETRY:
            now = self.clock.now()
            age = (now - message.created_at).total_seconds() if message.created_at else 0.0
            delay = self.retry_policy.delay(attempts, age)
            self.errors.note("retry" if delay is not None else "failed", result.error)
            if delay is not None:
                self.stats["retried"] += 1
                return (DeliveryStatus.PENDING, attempts, result.error,
                        now + dt.timedelta(seconds=delay))
        elif result.outcome is not SendOutcome.MALFORMED:
            self.errors.note("failed", result.error)
        self.stats["failed"] += 1  # FAILED, MALFORMED, or RETRY past its time budget
        return DeliveryStatus.FAILED, attempts, result.error

    async def _fail_alert(self, alert_id: int, message: AlertMessage, error: str) -> None:
        if message.broken is not None:
            return
        message.broken = error
        log.error("alert %s cannot be sent (%s); failing all its deliveries", alert_id, error)
        async with self.db.engine.begin() as conn:
            await q.fail_open_deliveries(conn=conn, alert_id=alert_id, error=error)

    # ------------------------------------------------------------------------ recording
    async def _record(self, row: q.ClaimedDelivery, status: DeliveryStatus, attempts: int,
                      error: str | None, next_attempt_at: dt.datetime | None = None,
                      message_id: int | None = None, *, result: SendResult | None = None) -> None:
        """Queue the result for the next group commit (the sender's next attempt waits for it,
        see :meth:`_record_loop`)."""
        answered, retryable = answer_flags(status, result)
        self._outcomes.append(q.Outcome(row.id, row.chat_id, status, attempts, error,
                                        next_attempt_at, message_id, answered, retryable,
                                        row.alert_id))
        self._outcomes_ready.set()

    async def _record_loop(self) -> None:
        """The one writer: commits the waiting attempts, then the waiting results, in one
        transaction, again and again while there are any (what arrives during a commit goes in
        the next). Attempts are taken first: a sender's result is queued before its next
        attempt, so once that attempt is committed, so is the result."""
        assert self._outcomes_ready
        while True:
            if not self._outcomes and not self._attempts.waiting:
                if self._final_flush:
                    return
                await self._outcomes_ready.wait()
                self._outcomes_ready.clear()
                continue
            batch: list[q.Outcome] = []
            failures = 0
            while True:
                try:
                    async with (self._row_writes, self._attempts.riding() as marks,
                                self.db.engine.begin() as conn):
                        batch, self._outcomes = batch + self._outcomes, []
                        now = self.clock.now()
                        await q.record_outcomes(conn=conn, outcomes=batch, now=now,
                                                chat_free_at=now + self._chat_gap,
                                                attempts=marks.ids)
                    self.stats["commits"] += 1
                    break
                except asyncio.CancelledError:
                    raise
                except Exception:
                    failures += 1
                    log.exception("delivery: recording %d results failed (try %d)",
                                  len(batch), failures)
                    if self._stopping and failures >= 3:
                        break  # the rows stay leased; the lease runs out and they are re-sent
                    await asyncio.sleep(min(0.2 * 2 ** failures, 5.0))
            if batch:
                self._recorded(batch)

    def _recorded(self, batch: list[q.Outcome]) -> None:
        retried = False
        for outcome in batch:
            self._unhold(outcome.id)
            self._dirty.add(outcome.alert_id)
            retried = retried or outcome.status == DeliveryStatus.PENDING
        if retried:
            self.wake()
        assert self._dirty_ready
        self._dirty_ready.set()

    # ------------------------------------------------------------------------ progress
    async def _progress_loop(self) -> None:
        """Report alerts whose rows changed: at most once per progress_interval while this
        worker still holds rows of the alert; at once when it holds none (the alert may be
        done: then it is finished and its final report sent without waiting)."""
        assert self._dirty_ready
        loop = asyncio.get_running_loop()
        while True:
            timeout = None
            if self._dirty:
                next_due = min(self._last_report.get(alert_id, 0.0) + self.progress_interval
                               for alert_id in self._dirty)
                timeout = max(next_due - loop.time(), 0.01)
            await self._wait_any(self._dirty_ready, timeout=timeout)
            self._dirty_ready.clear()
            for alert_id in sorted(self._dirty):
                throttled = (loop.time() - self._last_report.get(alert_id, -1e9)
                             < self.progress_interval)
                if throttled and self._held_per_alert.get(alert_id):
                    continue
                # Taken out before the awaits below: results recorded meanwhile mark the
                # alert again and are looked at in the next round, not lost.
                self._dirty.discard(alert_id)
                try:
                    async with self.db.engine.begin() as conn:
                        report = await q.alert_report(conn, alert_id)
                    if report["pending"] == 0:
                        await self._finish([alert_id])
                    elif throttled:
                        self._dirty.add(alert_id)  # report once the interval has passed
                    else:
                        self._last_report[alert_id] = loop.time()
                        await self._report(alert_id, report)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("delivery: progress of alert %s failed", alert_id)

    async def _finish(self, alert_ids: list[int] | None) -> None:
        """Mark alerts with nothing left to send finished; report the end of each one once."""
        async with self.db.engine.begin() as conn:
            finished = await q.finish_alerts(conn=conn, now=self.clock.now(),
                                             alert_ids=alert_ids)
        for alert_id in finished:
            async with self.db.engine.begin() as conn:
                report = await q.alert_report(conn, alert_id)
            log.info("alert %s finished: %s", alert_id, report)
            await self._report(alert_id, report)
            self.messages.forget(alert_id)
            self._last_report.pop(alert_id, None)

    async def _report(self, alert_id: int, report: Report) -> None:
        if self.on_progress is None:
            return
        try:
            await self.on_progress(alert_id, report)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("delivery: progress callback for alert %s failed", alert_id,
                        exc_info=True)
