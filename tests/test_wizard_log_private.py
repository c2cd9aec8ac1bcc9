"""A whole letter wizard with the bot's log at DEBUG: the log holds neither the signature nor
the person's chat id (python-telegram-bot logs every call's parameters and every update at
DEBUG, SQLAlchemy its parameters and rows, fpdf2 the glyphs it lacks). The bot runs as
``python -m bot run``, configured as in production, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from test_letter_wizard import say, tap

NAME, CITY = "Quillon Marvaduke", "Zembrovka"
CHAT_ID = 738_215_946  # a distinctive id: no timestamp or count in a log line looks like it


async def test_debug_log_of_a_whole_wizard_holds_no_signature_and_no_chat_id(
        server, database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(TELEGRAM_BOT_TOKEN=server.token, TELEGRAM_API_BASE_URL=server.base_url,
               DATABASE_URL=database_url, LOG_LEVEL="DEBUG")
    log_path = tmp_path / "bot.log"
    log_file = log_path.open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stdout=log_file,
        stderr=asyncio.subprocess.STDOUT)
    try:
        alice = server.user("Alice", user_id=CHAT_ID)
        await asyncio.sleep(0)
        await alice.send("/start kharkova")
        await alice.reply(timeout=60)
        await say(alice, "/write kharkova", "Who do you want to write to?")
        await tap(alice, "Zhakyp Assanov", "In which language")
        await tap(alice, "English", "How do you want to sign")
        await say(alice, "王小明", "cannot print")  # refused: its characters are logged nowhere
        draft = await say(alice, f"{NAME}, {CITY}", "How will you send it?")
        await tap(alice, "Fax", "When you have sent it", draft)  # the PDF carries the name
        await tap(alice, "I sent it", "Thank you!")
        await server.idle()
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), timeout=30)
        log_file.close()
    log = log_path.read_text()
    assert "Calling Bot API endpoint `sendDocument`" in log  # DEBUG was on, calls were logged
    assert "sendMessage" in log
    for secret in (NAME, "Quillon", "Marvaduke", CITY, "王", str(CHAT_ID)):
        assert secret not in log, secret


def test_payload_filter_keeps_templates_and_method_names_only():
    import logging

    from bot.logging_setup import HIDDEN, PayloadFilter

    def shown(name: str, msg: object, *args: object) -> str:
        record = logging.LogRecord(name, logging.DEBUG, __file__, 1, msg, args or None, None)
        assert PayloadFilter().filter(record)
        return record.getMessage()

    assert shown("telegram.Bot", "Calling Bot API endpoint `%s` with parameters `%s`",
                 "sendMessage", {"chat_id": CHAT_ID, "text": NAME}) == (
        f"Calling Bot API endpoint `sendMessage` with parameters `{HIDDEN}`")
    assert shown("sqlalchemy.engine.Engine", "[%s] %r, %d%%", "cached", (NAME,), CHAT_ID) == (
        f"[{HIDDEN}] {HIDDEN}, {HIDDEN}%")
    assert shown("telegram.ext.Application", {"update": NAME}) == HIDDEN
    assert shown("bot.delivery", "sent %d", 3) == "sent 3"  # the bot's own lines as they are
