"""The delivery worker: the one place that sends broadcasts.

It drains the outbox (``Delivery`` rows written by :func:`bot.alerts.enqueue_alert`):

- **Claims with a lease.** Pending rows are taken ``batch`` at a time: one conditional UPDATE
  sets ``status='sending'`` and ``claimed_until = now + lease`` (PostgreSQL: ``FOR UPDATE SKIP
  LOCKED``), so two processes never send the same row. While rows are held a heartbeat renews
  their lease every ``lease/4`` s, and a row is only sent while its lease is known to be
  valid; rows of a process that died become pending again when their lease (default 10 s)
  runs out. Only ``batch`` rows are in memory at a time, however many subscribers a case has.
  Leases are timestamps written by each process's clock: hosts sharing one PostgreSQL need
  clocks in sync to well under the lease (NTP gives milliseconds).
- **Paces.** A global token bucket at ``rate`` messages/s (Telegram: ~30/s) and at most one
  message per ``per_chat_interval`` seconds in any one chat, measured from the end of the
  previous send to the next request.
- **Handles Telegram's answers.** ``429 RetryAfter``: every sender pauses for ``retry_after``,
  then the same row is sent again (no attempt counted). ``403`` or "chat not found": the
  delivery is ``blocked`` and the supporter's ``blocked_at`` set (never retried; their other
  queued deliveries are blocked too). ``5xx`` / time-outs / network errors: retried with
  exponential backoff (``next_attempt_at``) up to ``max_attempts``, then ``failed``. Any other
  ``400``: ``failed`` with the error; if the alert itself is malformed (bad HTML, too long) every
  row of it fails at once instead of 100,000 identical errors.
- **Records each result** (group commit: many results per transaction). A sender keeps its
  concurrency slot until its result is committed, so at most ``concurrency`` messages are ever
  sent-but-unrecorded: a process killed at any instant re-sends at most that many after restart.
- **Reports progress** per alert through ``on_progress(alert_id, report)`` at most once per
  ``progress_interval`` seconds and once at the end (``report["pending"] == 0``); the end also
  sets ``Alert.finished_at``, and exactly one worker reports it. Without ``on_progress`` the
  worker edits the coordinator's status message (``Alert.status_chat_id/status_message_id``)
  with :func:`format_report`.

Use::

    worker = DeliveryWorker(bot, db, rate=settings.send_rate, markup_for=...)
    worker.start()
    ...  # after enqueue_alert(...) has committed:
    worker.wake()
    ...
    await worker.stop()
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.fitting import fit_html
from bot.i18n import t
from storage import alerts as q
from storage.db import Database
from storage.models import Alert

log = logging.getLogger(__name__)

MarkupFor = Callable[[Alert], "InlineKeyboardMarkup | None | Awaitable[InlineKeyboardMarkup | None]"]
OnProgress = Callable[[int, dict[str, int]], Awaitable[Any]]

# 400 answers that mean "this person cannot be reached": treated like 403.
UNREACHABLE = ("chat not found", "user not found", "peer_id_invalid", "user is deactivated",
               "bot was blocked", "bot can't initiate conversation", "chat_write_forbidden")
# 400 answers about the message itself: every recipient would get the same one.
MALFORMED = ("can't parse entities", "message is too long", "message text is empty",
             "text must be non-empty", "button_data_invalid", "can't parse inline keyboard",
             "unsupported start tag", "reply markup is too long")


def format_report(report: dict[str, int], lang: str = "en") -> str:
    """The coordinator's status line: '⏳ Sending… 120 of 300' or the final tally."""
    done = report["sent"] + report["blocked"] + report["failed"]
    if report["pending"]:
        text = t("⏳ Sending… {done} of {total}", lang, done=done, total=report["total"])
    else:
        text = t("✅ Delivered to {sent} of {total}", lang, sent=report["sent"],
                 total=report["total"])
    if report["blocked"]:
        text += " · " + t("🚫 {n} blocked the bot", lang, n=report["blocked"])
    if report["failed"]:
        text += " · " + t("⚠️ {n} failed", lang, n=report["failed"])
    return text


def retry_after_seconds(error: RetryAfter) -> float:
    value = getattr(error, "_retry_after", None)  # a timedelta in PTB 22; avoids a deprecation
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class _Pacer:
    """Global pace: one send slot every 1/rate s (no bursts), and a shared pause for 429s."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_slot = 0.0
        self.paused_until = 0.0

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if now < self.paused_until:
                await asyncio.sleep(self.paused_until - now)
                continue
            slot = max(now, self.next_slot)
            self.next_slot = slot + self.interval
            if slot > now:
                await asyncio.sleep(slot - now)
            if loop.time() >= self.paused_until:
                return
            # a 429 arrived while we waited for our slot: wait out the pause, take a new slot

    def pause(self, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + seconds
        self.paused_until = max(self.paused_until, until)
        self.next_slot = max(self.next_slot, self.paused_until)


@dataclass(eq=False)
class _Held:
    """A claimed row this worker is responsible for until its result is committed."""

    row: q.ClaimedDelivery
    deadline: float  # loop time after which our lease may have run out: do not send


@dataclass(eq=False)
class _AlertInfo:
    text: str
    markup: InlineKeyboardMarkup | None
    status_chat_id: int | None
    status_message_id: int | None
    broken: str | None = None  # the alert itself cannot be sent (malformed)


@dataclass(eq=False)
class _Pending:
    outcome: q.Outcome
    alert_id: int
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop()
                                 .create_future())


class DeliveryWorker:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        rate: float = 30.0,
        per_chat_interval: float = 1.0,
        concurrency: int = 8,
        batch: int = 200,
        max_attempts: int = 5,
        markup_for: MarkupFor | None = None,
        on_progress: OnProgress | None = None,
        clock: Clock | None = None,
        lease: float = 10.0,
        poll_interval: float = 1.0,
        retry_base: float = 2.0,
        retry_cap: float = 600.0,
        progress_interval: float = 1.0,
    ) -> None:
        if rate <= 0 or concurrency < 1 or batch < 1 or max_attempts < 1 or lease <= 0:
            raise ValueError("rate, concurrency, batch, max_attempts and lease must be positive")
        self.bot = bot
        self.db = db
        self.rate = rate
        self.per_chat_interval = per_chat_interval
        self.concurrency = concurrency
        self.batch = batch
        self.max_attempts = max_attempts
        self.markup_for = markup_for
        self.on_progress = on_progress
        self.clock = clock or Clock()
        self.lease = lease
        self.poll_interval = poll_interval
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.progress_interval = progress_interval
        #: counters for logs and benchmarks (this process only)
        self.stats = {"sent": 0, "blocked": 0, "failed": 0, "retried": 0, "rate_limited": 0,
                      "claimed": 0}

        self._pacer = _Pacer(rate)
        self._queue: asyncio.Queue[_Held] | None = None
        self._held: dict[int, _Held] = {}
        self._held_per_alert: dict[int, int] = {}
        self._last_report: dict[int, float] = {}
        self._chat_ready: dict[int, float] = {}
        self._chat_locks: dict[int, tuple[asyncio.Lock, int]] = {}  # lock, users
        self._blocked_chats: set[int] = set()
        self._alerts: dict[int, _AlertInfo] = {}
        self._alert_loading: dict[int, asyncio.Task] = {}
        self._outcomes: list[_Pending] = []
        self._dirty: set[int] = set()
        self._sending: set[asyncio.Task] = set()
        self._tasks: list[asyncio.Task] = []
        self._consumers: list[asyncio.Task] = []
        self._wake: asyncio.Event | None = None
        self._need_more: asyncio.Event | None = None
        self._outcomes_ready: asyncio.Event | None = None
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
        self._queue = asyncio.Queue()
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

    def wake(self) -> None:
        """Something was enqueued: look for work now instead of at the next poll."""
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
        await asyncio.gather(*self._tasks, return_exceptions=True)
        leftovers = list(self._held)
        if leftovers:
            try:
                async with self.db.engine.begin() as conn:
                    await q.release(conn=conn, ids=leftovers)
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
                    due = await q.next_due_at(conn=conn)
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
            rows = await q.claim_due(conn=conn, now=now,
                                     lease_until=now + dt.timedelta(seconds=self.lease),
                                     limit=self.batch)
        deadline = started + self.lease * 0.75
        for row in rows:
            if row.id in self._held:  # re-claimed after our own lease lapsed: keep one copy
                self._held[row.id].deadline = deadline
                continue
            held = _Held(row, deadline)
            self._hold(held)
            self._queue.put_nowait(held)
        self.stats["claimed"] += len(rows)
        return len(rows)

    async def _wait_any(self, event: asyncio.Event, timeout: float | None) -> None:
        try:
            await asyncio.wait_for(event.wait(), timeout=timeout)
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
                async with self.db.engine.begin() as conn:
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
            held = await self._queue.get()
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
        info = await self._alert_info(row.alert_id)
        if info is None:  # the alert was deleted, its deliveries with it
            self._unhold(row.id)
            return
        if info.broken is not None:
            await self._record(row, q.FAILED, row.attempts, info.broken)
            return
        if row.chat_id in self._blocked_chats:
            await self._record(row, q.BLOCKED, row.attempts, "blocked the bot")
            return
        # One sender per chat at a time (two alerts may queue the same person).
        lock, users = self._chat_locks.get(row.chat_id) or (asyncio.Lock(), 0)
        self._chat_locks[row.chat_id] = (lock, users + 1)
        try:
            async with lock:
                result = await self._send_paced(held, info)
        finally:
            lock, users = self._chat_locks[row.chat_id]
            if users <= 1:
                del self._chat_locks[row.chat_id]
            else:
                self._chat_locks[row.chat_id] = (lock, users - 1)
        if result is not None:
            await self._record(row, *result)

    async def _send_paced(self, held: _Held, info: _AlertInfo) -> tuple | None:
        """Send one row under both paces; the outcome as (status, attempts, error[, next])."""
        row = held.row
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        while True:
            ready = self._chat_ready.get(row.chat_id, 0.0)
            if ready > loop.time():
                await asyncio.sleep(ready - loop.time())
            await self._pacer.acquire()
            if self._stopping:
                return None  # released at stop, never sent
            if loop.time() > held.deadline:
                log.warning("delivery %s: lease may have lapsed; leaving it to be re-claimed",
                            row.id)
                self._unhold(row.id)
                return None
            self._sending.add(task)
            try:
                await self.bot.send_message(row.chat_id, fit_html(info.text),
                                            parse_mode=ParseMode.HTML, reply_markup=info.markup)
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                self.stats["rate_limited"] += 1
                log.warning("delivery: Telegram asks to wait %.0f s; pausing all sends", seconds)
                self._pacer.pause(seconds)
                continue
            except Forbidden as error:
                return self._blocked(row, str(error))
            except BadRequest as error:
                message = str(error).lower()
                if any(text in message for text in UNREACHABLE):
                    return self._blocked(row, str(error))
                if any(text in message for text in MALFORMED):
                    await self._fail_alert(row.alert_id, info, str(error))
                self.stats["failed"] += 1
                return q.FAILED, row.attempts + 1, str(error)
            except NetworkError as error:  # 5xx, time-outs, connection trouble
                return self._retry_or_fail(row, f"{type(error).__name__}: {error}")
            except TelegramError as error:
                self.stats["failed"] += 1
                return q.FAILED, row.attempts + 1, f"{type(error).__name__}: {error}"
            except Exception as error:  # noqa: BLE001 — e.g. the HTTP client failed: retry
                log.warning("delivery %s: %r", row.id, error)
                return self._retry_or_fail(row, f"{type(error).__name__}: {error}")
            finally:
                self._sending.discard(task)
                self._mark_chat(row.chat_id, loop.time())
            self.stats["sent"] += 1
            return q.SENT, row.attempts + 1, None

    def _mark_chat(self, chat_id: int, now: float) -> None:
        self._chat_ready[chat_id] = now + self.per_chat_interval
        if len(self._chat_ready) > 4 * max(self.batch, 1000):
            for key in [k for k, v in self._chat_ready.items() if v <= now]:
                del self._chat_ready[key]

    def _blocked(self, row: q.ClaimedDelivery, error: str) -> tuple:
        self.stats["blocked"] += 1
        if len(self._blocked_chats) > 100_000:
            self._blocked_chats.clear()
        self._blocked_chats.add(row.chat_id)
        return q.BLOCKED, row.attempts + 1, error

    def _retry_or_fail(self, row: q.ClaimedDelivery, error: str) -> tuple:
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            self.stats["failed"] += 1
            return q.FAILED, attempts, error
        self.stats["retried"] += 1
        delay = min(self.retry_base * 2 ** (attempts - 1), self.retry_cap)
        return q.PENDING, attempts, error, self.clock.now() + dt.timedelta(seconds=delay)

    async def _fail_alert(self, alert_id: int, info: _AlertInfo, error: str) -> None:
        if info.broken is not None:
            return
        info.broken = error
        log.error("alert %s cannot be sent (%s); failing all its deliveries", alert_id, error)
        async with self.db.engine.begin() as conn:
            await q.fail_open_deliveries(conn=conn, alert_id=alert_id, error=error)

    async def _alert_info(self, alert_id: int) -> _AlertInfo | None:
        info = self._alerts.get(alert_id)
        if info is not None:
            return info
        loading = self._alert_loading.get(alert_id)
        if loading is None:
            loading = asyncio.ensure_future(self._load_alert(alert_id))
            self._alert_loading[alert_id] = loading
            loading.add_done_callback(lambda _t: self._alert_loading.pop(alert_id, None))
        return await asyncio.shield(loading)

    async def _load_alert(self, alert_id: int) -> _AlertInfo | None:
        async with self.db.session() as session:
            alert = await session.get(Alert, alert_id)
        if alert is None:
            return None
        markup = None
        if self.markup_for is not None:
            markup = self.markup_for(alert)
            if inspect.isawaitable(markup):
                markup = await markup
        info = _AlertInfo(alert.text, markup, alert.status_chat_id, alert.status_message_id)
        self._alerts[alert_id] = info
        return info

    # ------------------------------------------------------------------------ recording
    async def _record(self, row: q.ClaimedDelivery, status: str, attempts: int,
                      error: str | None, next_attempt_at: dt.datetime | None = None) -> None:
        """Queue the result for the next group commit and wait until it is durable."""
        assert self._outcomes_ready
        pending = _Pending(q.Outcome(row.id, row.chat_id, status, attempts, error,
                                     next_attempt_at), row.alert_id)
        self._outcomes.append(pending)
        self._outcomes_ready.set()
        await asyncio.shield(pending.done)

    async def _record_loop(self) -> None:
        assert self._outcomes_ready
        while True:
            if not self._outcomes:
                if self._final_flush:
                    return
                await self._outcomes_ready.wait()
                self._outcomes_ready.clear()
                continue
            batch, self._outcomes = self._outcomes, []
            failures = 0
            while True:
                try:
                    async with self.db.engine.begin() as conn:
                        await q.record_outcomes(conn=conn,
                                                outcomes=[p.outcome for p in batch],
                                                now=self.clock.now())
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
            retried = False
            for pending in batch:
                self._unhold(pending.outcome.id)
                self._dirty.add(pending.alert_id)
                retried = retried or pending.outcome.status == q.PENDING
                if not pending.done.done():
                    pending.done.set_result(None)
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
                try:
                    async with self.db.engine.begin() as conn:
                        report = await q.alert_report(conn, alert_id)
                    if report["pending"] == 0:
                        self._dirty.discard(alert_id)
                        await self._finish([alert_id])
                    elif not throttled:
                        self._dirty.discard(alert_id)
                        self._last_report[alert_id] = loop.time()
                        await self._report(alert_id, report)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    self._dirty.discard(alert_id)
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
            self._alerts.pop(alert_id, None)
            self._last_report.pop(alert_id, None)

    async def _report(self, alert_id: int, report: dict[str, int]) -> None:
        try:
            if self.on_progress is not None:
                await self.on_progress(alert_id, report)
            else:
                await self.edit_status_message(alert_id, report)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("delivery: progress callback for alert %s failed", alert_id,
                        exc_info=True)

    async def edit_status_message(self, alert_id: int, report: dict[str, int]) -> None:
        """The default progress: edit the coordinator's status message with format_report."""
        info = self._alerts.get(alert_id) or await self._load_alert(alert_id)
        if info is None or info.status_chat_id is None or info.status_message_id is None:
            return
        await self._pacer.acquire()
        try:
            await self.bot.edit_message_text(format_report(report),
                                             chat_id=info.status_chat_id,
                                             message_id=info.status_message_id,
                                             parse_mode=ParseMode.HTML)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise


# ---------------------------------------------------------------------------- app wiring
async def start_delivery(application: Any) -> DeliveryWorker:
    """post_init: start the worker for this Application; ``services.extras["delivery"]``.

    Rate from ``settings.send_rate``; alert buttons from ``handlers.keyboards.alert_keyboard``;
    progress edits the coordinator's status message unless ``services.extras
    ["delivery_on_progress"]`` (an ``async (alert_id, report)`` callable) is set. Leases and
    backoff run on the real clock (operational time), not ``Services.clock``, so a FakeClock
    that drives reminders in a test cannot make a live lease look expired.

    The worker sends through its own ``Bot`` (its own connection pool), so broadcasts never
    queue behind the bot's answers to people, and it can finish in-flight sends after the
    Application has shut its own ``Bot`` down.
    """
    from telegram.request import HTTPXRequest

    from bot.services import SERVICES_KEY
    from handlers.keyboards import alert_keyboard
    from storage.models import Case

    services = application.bot_data[SERVICES_KEY]
    settings = services.settings
    concurrency = 8
    bot = Bot(application.bot.token, base_url=settings.telegram_api_base_url,
              request=HTTPXRequest(connection_pool_size=concurrency + 2))
    await bot.initialize()

    async def markup_for(alert: Alert) -> InlineKeyboardMarkup:
        async with services.db.session() as session:
            case = await session.get(Case, alert.case_id)
        return alert_keyboard(alert.case_id, case_open=case is not None and case.is_open)

    async def on_progress(alert_id: int, report: dict[str, int]) -> None:
        # A feature may take over progress reporting by setting this extra at any time.
        custom = services.extras.get("delivery_on_progress")
        if custom is not None:
            await custom(alert_id, report)
        else:
            await worker.edit_status_message(alert_id, report)

    worker = DeliveryWorker(bot, services.db, rate=settings.send_rate, concurrency=concurrency,
                            markup_for=markup_for, on_progress=on_progress)
    worker.start()
    services.extras["delivery"] = worker
    services.extras["delivery_bot"] = bot
    return worker


async def stop_delivery(application: Any) -> None:
    """post_shutdown: finish in-flight sends, give back claimed rows, close the connections."""
    from bot.services import SERVICES_KEY

    extras = application.bot_data[SERVICES_KEY].extras
    worker = extras.pop("delivery", None)
    if worker is not None:
        await worker.stop()
    bot = extras.pop("delivery_bot", None)
    if bot is not None:
        await bot.shutdown()
