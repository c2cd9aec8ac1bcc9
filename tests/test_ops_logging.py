"""Operability without processes: throttled routine log lines, key=value and JSON lines that
never carry the token, and the start-up errors of `appeal-bot web`."""

from __future__ import annotations

import io
import json
import logging

from sqlalchemy.exc import OperationalError
from telegram.error import Conflict, NetworkError
from test_cli import run_cli

from bot.db_faults import database_unavailable
from bot.log_throttle import Throttle, ThrottleFilter, routine_kind
from bot.logging_setup import JsonFormatter, KeyValueFormatter, RedactingFilter

TOKEN = "123456:ABCdefGHIjklMNOpqr"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttle_one_line_per_kind_per_minute_with_a_count():
    clock = FakeClock()
    throttle = Throttle(clock=clock)
    admitted = []
    for second in range(181):  # three minutes of one occurrence a second
        clock.now = float(second)
        admitted.append((second, throttle.admit("database_unreachable")))
    logged = [(second, count) for second, count in admitted if count is not None]
    assert logged == [(0, 1), (60, 60), (120, 60), (180, 60)]
    assert throttle.admit("polling_conflict") == 1  # another kind has its own minute
    assert throttle.clear("database_unreachable") == 0
    assert throttle.clear("database_unreachable") is None  # it was over already


def _logger(formatter: logging.Formatter, throttle: Throttle) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(ThrottleFilter(throttle))
    handler.addFilter(RedactingFilter([TOKEN]))
    logger = logging.getLogger(f"test.ops.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_routine_exceptions_lose_their_traceback_and_are_throttled():
    logger, stream = _logger(KeyValueFormatter(), Throttle(clock=FakeClock()))
    refused = OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "refused"))
    for _ in range(50):
        try:
            raise refused
        except OperationalError:
            logger.exception("delivery: lease heartbeat failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "kind=database_unreachable" in lines[0] and "count=1" in lines[0]
    assert "Traceback" not in stream.getvalue()
    try:
        raise KeyError("a bug")
    except KeyError:
        logger.exception("a bug keeps its traceback")
    assert "Traceback" in stream.getvalue()


def test_key_value_and_json_lines_carry_fields_and_never_the_token():
    logger, stream = _logger(KeyValueFormatter(), Throttle())
    logger.info("alert finished", extra={"alert_id": 42, "note": f"url /bot{TOKEN}/send"})
    line = stream.getvalue().strip()
    assert "alert_id=42" in line and 'msg="alert finished"' in line
    assert TOKEN not in line and "level=INFO" in line
    logger, stream = _logger(JsonFormatter(), Throttle())
    logger.warning("sent %s", TOKEN, extra={"alert_id": 7})
    record = json.loads(stream.getvalue())
    assert record["alert_id"] == 7 and record["level"] == "WARNING"
    assert TOKEN not in stream.getvalue()


def test_what_counts_as_routine():
    assert routine_kind(Conflict("terminated by other getUpdates request")) == "polling_conflict"
    assert routine_kind(NetworkError("Bad Gateway")) == "telegram_unavailable"
    assert routine_kind(TimeoutError()) == "database_unreachable"
    assert routine_kind(ValueError("bug")) is None
    # a Telegram network error caused by an OSError is Telegram's trouble, not the database's
    try:
        try:
            raise ConnectionResetError()
        except ConnectionResetError as cause:
            raise NetworkError("httpx.ReadError") from cause
    except NetworkError as error:
        assert not database_unavailable(error)


def test_web_needs_its_webhook_settings(tmp_path):
    token = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    result = run_cli("web", env=token, cwd=tmp_path)
    assert result.returncode == 2 and "WEBHOOK_URL" in result.stderr, result.stderr
    result = run_cli("web", env={**token, "WEBHOOK_URL": "https://bot.example.org/tg"},
                     cwd=tmp_path)
    assert result.returncode == 2 and "WEBHOOK_SECRET" in result.stderr, result.stderr
    result = run_cli("web", env={**token, "WEBHOOK_URL": "https://bot.example.org/tg",
                                 "WEBHOOK_SECRET": "has spaces!"}, cwd=tmp_path)
    assert result.returncode == 2 and "WEBHOOK_SECRET" in result.stderr
    assert all("Traceback" not in r for r in (result.stderr,))


def test_a_skipped_job_run_is_one_line_a_minute():
    """A reminder sweep still running on a slow database: APScheduler skips the next runs with
    a warning each; the operator sees one line a minute with the count."""
    clock = FakeClock()
    logger, stream = _logger(KeyValueFormatter(), Throttle(clock=clock))
    scheduler = logging.getLogger("apscheduler.scheduler")
    scheduler.handlers[:] = logger.handlers
    scheduler.propagate = False
    try:
        for second in range(0, 120, 5):
            clock.now = float(second)
            scheduler.warning('Execution of job "reminder-sweep" skipped: maximum number of '
                              'running instances reached (1)')
    finally:
        scheduler.handlers[:] = []
        scheduler.propagate = True
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "kind=job_still_running" in lines[0], lines
    assert "count=12" in lines[1]
