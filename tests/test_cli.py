"""The `appeal-bot` command: content check, settings errors, schema upgrade."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from bot.__main__ import check_content

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
