"""The `appeal-bot` command: content check, settings errors, schema upgrade."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.__main__ import check_content
from bot.config import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "DATABASE_", "ADMIN_", "LOG_"))}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, check=False,
                          env=environment, cwd=cwd or ROOT, timeout=120)


def test_check_content_passes_on_what_ships():
    result = run_cli("check-content")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Content is valid" in result.stdout


def test_bad_setting_gives_one_line_and_exit_2(tmp_path):
    for name, value in (("ADMIN_IDS", "alice,bob"), ("DEFAULT_TIMEZONE", "Mars/Olympus"),
                        ("DATABASE_URL", "mysql://x"), ("TELEGRAM_BOT_TOKEN", "nonsense"),
                        ("SEND_RATE", "-3")):
        result = run_cli("db", "upgrade", env={name: value}, cwd=tmp_path)
        assert result.returncode == 2, (name, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0], result.stderr
        assert "Traceback" not in result.stderr


def test_delivery_and_startup_timings_keep_their_defaults_and_refuse_nonsense(monkeypatch):
    """The timings tests shorten (tests/conftest.py, the process tests): production keeps
    Telegram's pace and the crash-safe lease unless told otherwise."""
    monkeypatch.chdir(ROOT / "tests")  # no .env here
    defaults = load_settings()
    assert (defaults.send_chat_interval, defaults.delivery_poll_interval,
            defaults.delivery_lease, defaults.startup_retry_delay) == (1.0, 1.0, 10.0, 0.5)
    for name, value in (("SEND_CHAT_INTERVAL", "-1"), ("DELIVERY_POLL_INTERVAL", "0"),
                        ("DELIVERY_LEASE", "0"), ("STARTUP_RETRY_DELAY", "never")):
        monkeypatch.setenv(name, value)
        with pytest.raises(SettingsError, match=f"Setting {name} is invalid"):
            load_settings()
        monkeypatch.delenv(name)
    monkeypatch.setenv("DELIVERY_LEASE", "4")
    assert load_settings().delivery_lease == 4.0


def test_db_upgrade_creates_the_schema(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    result = run_cli("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    import sqlite3

    tables = {row[0] for row in sqlite3.connect(tmp_path / "x.db").execute(
        "select name from sqlite_master where type='table'")}
    assert {"case", "supporter", "subscription", "event", "alert", "delivery"} <= tables
    assert "alembic_version" in tables


def test_check_content_lists_problems_and_missing_translations(tmp_path, capsys):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    case = tmp_path / "content" / "cases" / "kharkova.yaml"
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    data["timeline"][0].update(date="2016-12", precision="day")
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert check_content(str(tmp_path / "content")) == 1
    out = capsys.readouterr().out
    assert "kharkova.yaml: timeline[0].precision: precision: day needs a full date" in out

    data["timeline"][0].update(date="2016-12", precision="month")
    data["summary"] = {"en": data["summary"]["en"]}
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert check_content(str(tmp_path / "content")) == 0
    out = capsys.readouterr().out
    assert "warning: content/cases/kharkova.yaml: no Russian text yet" in out
    assert "summary.ru" in out and "Content is valid" in out
