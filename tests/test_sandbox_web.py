"""`appeal-bot sandbox`: the real bot, the project's Bot API server and the web chat, in-process
and as the command; the web chat's JSON API end to end with the real bot; the sandbox never
touches the production database.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from helpers_cases import CASE_PAGES
from telegram.ext import CommandHandler

from bot.config import Settings
from bot.sandbox.run import (
    ALICE_ID,
    BOB_ID,
    COORDINATOR_ID,
    Sandbox,
    SandboxRefused,
    run_sandbox,
    same_database,
)

ROOT = Path(__file__).resolve().parents[1]


def sandbox_settings(tmp_path: Path, **overrides) -> Settings:
    values = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'production.db'}",
        "sandbox_database_url": f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}",
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def has_command(app, name: str) -> bool:
    return any(isinstance(handler, CommandHandler) and name in handler.commands
               for handlers in app.handlers.values() for handler in handlers)


class Chat:
    """The web chat's JSON API, as the page uses it."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self.after = 0

    async def get(self, path: str, status: int = 200, **params) -> dict:
        async with self.session.get(self.url + path, params=params) as response:
            assert response.status == status, (path, response.status, await response.text())
            return await response.json()

    async def post(self, path: str, status: int = 200, **body) -> dict:
        async with self.session.post(self.url + path, json=body) as response:
            assert response.status == status, (path, response.status, await response.text())
            return await response.json()

    async def send(self, person: int, text: str) -> dict:
        return (await self.post(f"/api/people/{person}/send", text=text))["message"]

    async def press(self, person: int, message: dict, label: str) -> None:
        button = next(b for row in message["buttons"] for b in row if label in b["text"])
        await self.post(f"/api/people/{person}/press", message_id=message["message_id"],
                        callback_data=button["callback_data"])

    async def next_event(self, predicate, timeout: float = 10.0) -> dict:
        """Long-poll /api/events (as the page does) until an event matches."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = await self.get("/api/events", after=self.after, timeout=2)
            for event in reply["events"]:
                self.after = event["seq"]
                if predicate(event):
                    return event
            self.after = reply["last"]
        raise AssertionError("no matching event arrived")

    async def bot_says(self, person: int, contains: str, kind: str = "message") -> dict:
        event = await self.next_event(
            lambda e: e["type"] == kind and e["chat_id"] == person
            and e["message"]["from_bot"] and contains in e["message"]["text"])
        return event["message"]


@pytest.fixture
async def sandbox(tmp_path):
    async with Sandbox(sandbox_settings(tmp_path), port=0, poll_timeout=1) as running:
        yield running


@pytest.fixture
async def chat(sandbox):
    async with aiohttp.ClientSession() as session:
        client = Chat(session, sandbox.url)
        client.after = (await client.get("/api/info"))["last_event"]
        yield client


# --------------------------------------------------------------------------- the page


async def test_page_and_its_files_are_served_locally(chat):
    async with chat.session.get(chat.url + "/") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
        csp = response.headers["Content-Security-Policy"]
    assert "SANDBOX" in page and "Nothing here reaches Telegram" in page
    # Everything the page loads comes from this server: no CDN, no other origin.
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "http" not in csp
    assert re.findall(r'(?:src|href)="([^"]+)"', page) == [
        "/favicon.ico", "/static/style.css", "/static/app.js"]
    for name, kind in (("app.js", "javascript"), ("style.css", "text/css")):
        async with chat.session.get(f"{chat.url}/static/{name}") as response:
            assert response.status == 200 and kind in response.content_type
            body = await response.text()
            assert not re.search(r"""(fetch|import|url)\s*\(\s*['"`]?(https?:)?//|@import""",
                                 body), name
    for bad in ("/static/..%2Frun.py", "/static/.hidden", "/static/nope.js"):
        async with chat.session.get(chat.url + bad) as response:
            assert response.status == 404, bad


async def test_info_names_the_people_and_the_owner(sandbox, chat):
    info = await chat.get("/api/info")
    assert info["sandbox"] is True and info["bot_ready"] is True
    assert [(p["id"], p["first_name"], p["owner"]) for p in info["people"]] == [
        (COORDINATOR_ID, "Coordinator", True), (ALICE_ID, "Alice", False), (BOB_ID, "Bob", False)]
    assert info["bot"]["username"] == sandbox.server.bot_username
    # The first person is an owner of the sandboxed bot, and only of it.
    assert COORDINATOR_ID in sandbox.settings.admin_ids
    assert COORDINATOR_ID not in sandbox.base_settings.admin_ids
    assert sandbox.settings.database_url == sandbox.base_settings.sandbox_database_url
    assert sandbox.settings.telegram_api_base_url == sandbox.server.base_url


# --------------------------------------------------------------------------- chatting


async def test_send_press_and_live_events_with_the_real_bot(chat):
    sent = await chat.send(ALICE_ID, "/start")
    assert sent["text"] == "/start" and not sent["from_bot"]
    welcome = await chat.bot_says(ALICE_ID, "Welcome to Appeal Bot")
    assert "<b>Welcome to Appeal Bot.</b>" in welcome["html"]
    assert welcome["parse_mode"] == "HTML"

    mark = chat.after
    await chat.press(ALICE_ID, welcome, "Browse cases")
    listing = await chat.bot_says(ALICE_ID, "page 1 of", kind="edit")
    assert listing["message_id"] == welcome["message_id"] and listing["edited"] >= 1
    happened = (await chat.get("/api/events", after=mark, timeout=0))["events"]
    assert [e["type"] for e in happened if e["type"] in ("callback_query", "callback_answer")
            ] == ["callback_query", "callback_answer"]

    for _ in range(CASE_PAGES):  # turn the pages until the case shows
        if any("Larisa Kharkova" in b["text"] for row in listing["buttons"] for b in row):
            break
        await chat.press(ALICE_ID, listing, "Next")
        listing = await chat.bot_says(ALICE_ID, "page", kind="edit")
    await chat.press(ALICE_ID, listing, "Larisa Kharkova")
    card = await chat.bot_says(ALICE_ID, "Larisa Kharkova", kind="edit")
    await chat.press(ALICE_ID, card, "Subscribe")
    card = await chat.bot_says(ALICE_ID, "You follow this case", kind="edit")
    assert any("Unsubscribe" in b["text"] for row in card["buttons"] for b in row)

    # The chat as the page loads it: every message once, edits applied in place.
    messages = (await chat.get(f"/api/people/{ALICE_ID}/messages"))["messages"]
    assert [m["message_id"] for m in messages] == [sent["message_id"], welcome["message_id"]]
    assert "You follow this case" in messages[-1]["text"]
    # Other people's chats are their own.
    assert (await chat.get(f"/api/people/{BOB_ID}/messages"))["messages"] == []


async def test_bad_requests_get_clear_answers(chat):
    await chat.send(ALICE_ID, "/start")
    welcome = await chat.bot_says(ALICE_ID, "Welcome")
    errors = [
        await chat.post(f"/api/people/{ALICE_ID}/send", 400, text="  "),
        await chat.post(f"/api/people/{ALICE_ID}/press", 409,
                        message_id=welcome["message_id"], callback_data="cl:99"),
        await chat.post(f"/api/people/{ALICE_ID}/press", 404, message_id=999, callback_data="x"),
        await chat.post(f"/api/people/{ALICE_ID}/press", 400, callback_data="x"),
        await chat.post("/api/people/424242/send", 404, text="hi"),
        await chat.post("/api/people", 400, first_name=" "),
    ]
    assert all(error["ok"] is False and error["error"] for error in errors)
    reset = await chat.get("/api/events", after=10**9, timeout=0)
    assert reset["reset"] is True and reset["last"] < 10**9


async def test_a_new_person_can_be_added_and_talk(chat):
    person = (await chat.post("/api/people", first_name="Dana  Writer"))["person"]
    assert person["first_name"] == "Dana Writer" and person["owner"] is False
    event = await chat.next_event(lambda e: e["type"] == "user")
    assert event["person"]["id"] == person["id"]
    assert person["id"] in [p["id"] for p in (await chat.get("/api/people"))["people"]]
    await chat.send(person["id"], "/help")
    await chat.bot_says(person["id"], "What I can do")


async def test_command_menus_follow_the_person(sandbox, chat):
    alice = {c["command"] for c in (await chat.get(f"/api/people/{ALICE_ID}/commands"))[
        "commands"]}
    coordinator = {c["command"] for c in (await chat.get(
        f"/api/people/{COORDINATOR_ID}/commands"))["commands"]}
    assert {"cases", "mycases", "help"} <= alice
    assert alice <= coordinator
    if has_command(sandbox.app, "hearing"):  # coordinators see their commands (chat scope)
        assert {"hearing", "stats"} <= coordinator and "hearing" not in alice


async def test_documents_are_downloadable(sandbox, chat):
    await chat.send(ALICE_ID, "/start")
    await chat.bot_says(ALICE_ID, "Welcome")
    pdf = b"%PDF-1.4\n% a letter\n%%EOF\n"
    # The real bot sends a file (as the letter wizard does) through the Bot API server ...
    await sandbox.app.bot.send_document(ALICE_ID, document=pdf, filename="Letter to the court.pdf",
                                        caption="Your <b>letter</b>", parse_mode="HTML")
    message = await chat.next_event(lambda e: e["type"] == "message" and e["message"]["document"])
    document = message["message"]["document"]
    assert document["filename"] == "Letter to the court.pdf"
    async with chat.session.get(chat.url + document["url"]) as response:
        assert response.status == 200
        assert response.content_type == "application/pdf"
        assert await response.read() == pdf
        disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "Letter%20to%20the%20court.pdf" in disposition

    # ... and a person uploads one; it is in the chat and downloadable the same way.
    eml = b"To: court@example.org\r\nSubject: Appeal\r\n\r\nFree her.\r\n"
    form = aiohttp.FormData()
    form.add_field("document", eml, filename="appeal.eml", content_type="message/rfc822")
    async with chat.session.post(f"{chat.url}/api/people/{ALICE_ID}/document",
                                 data=form) as response:
        assert response.status == 200, await response.text()
        uploaded = (await response.json())["message"]["document"]
    async with chat.session.get(chat.url + uploaded["url"]) as response:
        assert response.status == 200 and await response.read() == eml
    async with chat.session.get(chat.url + "/files/nope/x.pdf") as response:
        assert response.status == 404


async def test_photos_show_and_deleted_messages_leave_the_chat(sandbox, chat):
    picture = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x01\x08"
               b"\x02\x00\x00\x00{@\xe8\xdd\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\x00D\x00\x08"
               b"\xfe\x01\xff\xc6\x9ey\xf7\x00\x00\x00\x00IEND\xaeB`\x82")  # 2x1, red
    said = await chat.send(ALICE_ID, "my address is secret")
    await sandbox.app.bot.send_photo(ALICE_ID, photo=picture, caption="A <b>photo</b>",
                                     parse_mode="HTML")
    event = await chat.next_event(lambda e: e["type"] == "message" and e["message"]["photo"])
    photo = event["message"]["photo"]
    assert (photo["width"], photo["height"]) == (2, 1) and event["message"]["text"] == "A photo"
    async with chat.session.get(chat.url + photo["url"]) as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert response.headers["Content-Disposition"].startswith("inline;")
        assert await response.read() == picture

    # The bot deletes what the person wrote: it leaves the chat on the page.
    assert await sandbox.app.bot.delete_message(ALICE_ID, said["message_id"])
    event = await chat.next_event(lambda e: e["type"] == "delete")
    assert event["message"]["message_id"] == said["message_id"] and event["message"]["deleted"]
    shown = (await chat.get(f"/api/people/{ALICE_ID}/messages"))["messages"]
    assert said["message_id"] not in [m["message_id"] for m in shown]
    assert [m["text"] for m in shown if not m["from_bot"]] == []


async def test_other_sites_cannot_drive_the_chat(chat):
    async with chat.session.post(f"{chat.url}/api/people/{ALICE_ID}/send", json={"text": "hi"},
                                 headers={"Origin": "http://evil.example"}) as response:
        assert response.status == 403
    async with chat.session.get(f"{chat.url}/api/info",
                                headers={"Host": "evil.example"}) as response:
        assert response.status == 403
    assert (await chat.get(f"/api/people/{ALICE_ID}/messages"))["messages"] == []


# --------------------------------------------------------------------------- its database


def test_refuses_the_production_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'appeal-bot.db'}"
    for sandbox_url in (url, "sqlite+aiosqlite:///./appeal-bot.db"):  # the same file, twice
        settings = sandbox_settings(tmp_path, database_url=url,
                                    sandbox_database_url=sandbox_url)
        assert run_sandbox(settings, port=0) == 2
        error = capsys.readouterr().err
        assert "production DATABASE_URL" in error and "will not start" in error
        with pytest.raises(SandboxRefused):
            Sandbox(settings, port=0)
    assert not (tmp_path / "appeal-bot.db").exists()
    assert same_database("postgresql+asyncpg://a:x@localhost/bot",
                         "postgresql+asyncpg://b@127.0.0.1:5432/bot")
    assert not same_database("postgresql+asyncpg://a@localhost/bot",
                             "postgresql+asyncpg://a@localhost/bot_sandbox")
    assert not same_database(url, f"sqlite+aiosqlite:///{tmp_path / 'appeal-bot-sandbox.db'}")


def test_the_command_refuses_the_production_database(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'appeal-bot.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox"], capture_output=True, text=True, timeout=60,
        check=False,
        cwd=ROOT, env={**clean_env(), "DATABASE_URL": url, "SANDBOX_DATABASE_URL": url})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "production DATABASE_URL" in result.stderr
    assert not (tmp_path / "appeal-bot.db").exists()


async def test_memory_sandbox_has_a_migrated_schema_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None, log_level="WARNING")  # the default file names
    sandbox = Sandbox(settings, port=0, in_memory=True, poll_timeout=1)
    async with sandbox, aiohttp.ClientSession() as session:
        chat = Chat(session, sandbox.url)
        assert "memory" in (await chat.get("/api/info"))["database"]
        temp_db = Path(sandbox.database_url.split("///", 1)[1])
        assert temp_db.exists() and not temp_db.is_relative_to(tmp_path)
        await chat.send(BOB_ID, "/start kharkova")  # writes a supporter and a subscription
        await chat.bot_says(BOB_ID, "You are subscribed")
    assert not temp_db.parent.exists()
    assert list(tmp_path.iterdir()) == []  # neither appeal-bot.db nor appeal-bot-sandbox.db


# --------------------------------------------------------------------------- the command


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "DATABASE_", "ADMIN_", "LOG_", "SANDBOX_"))}
    env["LOG_LEVEL"] = "WARNING"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
async def test_command_starts_offline_and_stops_cleanly(tmp_path, signum):
    port = free_port()
    out, err = (tmp_path / "stdout").open("w+"), (tmp_path / "stderr").open("w+")
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--memory", "--port", str(port), cwd=tmp_path,
        stdout=out, stderr=err, env={**clean_env(), "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{port}"
    page_at = ready_at = None
    try:
        async with aiohttp.ClientSession() as session:
            while ready_at is None and time.monotonic() - started < 30:
                assert process.returncode is None, Path(err.name).read_text()
                try:
                    if page_at is None:
                        async with session.get(url + "/") as response:
                            if response.status == 200:
                                page_at = time.monotonic() - started
                    async with session.get(url + "/api/info") as response:
                        if (await response.json())["bot_ready"]:
                            ready_at = time.monotonic() - started
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)
            assert ready_at is not None, Path(err.name).read_text()
            print(f"\nsandbox page served after {page_at:.2f} s, bot ready after {ready_at:.2f} s")
            # The page comes up before (or with) the bot, so a person never waits on a blank
            # page; how fast that is belongs to a benchmark, not to a timed test.
            assert page_at is not None and page_at <= ready_at
            async with session.post(f"{url}/api/people/{ALICE_ID}/send",
                                    json={"text": "/start"}) as response:
                assert response.status == 200
            for _ in range(100):
                async with session.get(f"{url}/api/people/{ALICE_ID}/messages") as response:
                    if len((await response.json())["messages"]) == 2:
                        break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the bot did not answer /start")
        process.send_signal(signum)
        assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stdout = Path(out.name).read_text()
    assert "SANDBOX" in stdout and f"Web chat:  {url}" in stdout, stdout
    assert "Sandbox stopped." in stdout
    assert "Traceback" not in Path(err.name).read_text()
    assert {p.name for p in tmp_path.iterdir()} == {"stdout", "stderr"}  # no database left
