"""Tests of the sandbox Telegram Bot API server itself (bot/sandbox), through a real PTB Bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import socket
import struct
import time
import zlib
from collections import deque

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InlineQueryResultPhoto,
    InlineQueryResultsButton,
    InputTextMessageContent,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.runner import running
from bot.sandbox import BotApiServer, SimMessage, parse_html

TOKEN = "123456:TEST-TOKEN"

# PTB 22.2+ warns (also internally) that RetryAfter.retry_after will become a timedelta
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")


def kb(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows]
    )


@pytest.fixture
async def server():
    srv = BotApiServer(TOKEN)
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def bot(server: BotApiServer):
    b = Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url)
    async with b:
        yield b


@pytest.fixture
async def alice(server: BotApiServer):
    u = server.user("Alice")
    await u.send("/start")
    return u


@pytest.fixture
async def raw(server: BotApiServer):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as c:
        yield c


# ------------------------------------------------------------------------------ basics


async def test_get_me_and_urls(server: BotApiServer, bot: Bot) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}/bot"
    assert server.base_file_url == f"http://127.0.0.1:{server.port}/file/bot"
    me = await bot.get_me()
    assert me.is_bot and me.username == "appeal_test_bot" and me.first_name == "Appeal Bot"
    assert me.id == 123456
    assert [c.method for c in server.calls] == ["getMe", "getMe"]  # Bot.initialize + get_me
    assert server.calls_to("getme")[0].status == 200


async def test_wrong_token_unknown_method_case_insensitive(server: BotApiServer, raw) -> None:
    r = await raw.post("/bot999:WRONG/getMe")
    assert r.status_code == 401
    assert r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    r = await raw.post(f"/bot{TOKEN}/noSuchMethod")
    assert r.status_code == 404 and r.json()["description"] == "Not Found"
    r = await raw.get(f"/bot{TOKEN}/GETME")
    assert r.status_code == 200 and r.json()["result"]["username"] == "appeal_test_bot"
    assert server.calls[-1].method == "getMe"


async def test_json_and_query_string_bodies(server: BotApiServer, alice, raw) -> None:
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    r = await raw.post(
        f"/bot{TOKEN}/sendMessage",
        json={
            "chat_id": alice.id,
            "text": "<b>json</b>",
            "parse_mode": "HTML",
            "reply_markup": markup,
        },
    )
    assert r.json()["ok"], r.text
    r = await raw.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": alice.id, "text": "q"})
    assert r.json()["result"]["text"] == "q"
    assert [m.text for m in alice.messages] == ["json", "q"]
    assert alice.messages[0].buttons == [[{"text": "Go", "callback_data": "go"}]]


async def test_invalid_token_raises_in_ptb(server: BotApiServer) -> None:
    from telegram.error import InvalidToken

    b = Bot("999:NOPE", base_url=server.base_url)
    with pytest.raises(InvalidToken):
        await b.get_me()


# ------------------------------------------------------------------------------ round trip


async def test_application_round_trip(server: BotApiServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_html(
            f"Hello, <b>{update.effective_user.first_name}</b>!",
            reply_markup=kb([("Take action", "act:1"), ("Later", "later")]),
        )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        await q.answer("Thanks!")
        await q.edit_message_text(f"You chose <i>{q.data}</i>", parse_mode="HTML")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text.upper())

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=5)
        await app.start()
        try:
            alice = server.user("Alice")
            await alice.send("/start")
            hello = await alice.reply()
            assert hello.text == "Hello, Alice!"
            assert hello.html == "Hello, <b>Alice</b>!"
            assert hello.entities == ({"offset": 7, "length": 5, "type": "bold"},)
            assert hello.button_texts == ["Take action", "Later"]

            qid = await alice.press("Take")
            edited = await alice.reply()
            assert edited.message_id == hello.message_id
            assert edited.text == "You chose act:1" and edited.edited == 1
            assert edited.buttons == []  # editMessageText without markup drops the keyboard
            await server.idle()
            assert alice.callback_answers[-1].query_id == qid
            assert alice.callback_answers[-1].text == "Thanks!"
            assert alice.callback_answers[-1].data == "act:1"

            await alice.send("hello @appeal_test_bot")
            assert (await alice.reply()).text == "HELLO @APPEAL_TEST_BOT"
            await alice.send("/start@appeal_test_bot")
            assert (await alice.reply()).text == "Hello, Alice!"

            assert [m.message_id for m in alice.history] == [1, 2, 3, 4, 5, 6]
            assert [m.from_bot for m in alice.history] == [False, True, False, True, False, True]
            assert alice.messages[0].text == "You chose act:1"  # edit applied in place
            assert alice.messages[0].html == "You chose <i>act:1</i>"
            assert hello.text == "Hello, Alice!"  # ... while snapshots keep their state
            assert alice.last_message().text == "Hello, Alice!"
        finally:
            await app.updater.stop()
            await app.stop()
    assert server.pending_updates == 0
    assert not server.updates.queued  # PTB confirmed everything on shutdown


async def test_application_runs_against_the_server(server: BotApiServer) -> None:
    async def hello(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_chat_action(update.effective_chat.id, "typing")
        await update.message.reply_text("hi " + (context.args[0] if context.args else "?"))

    app = server.application_builder().build()
    app.add_handler(CommandHandler("hello", hello))
    async with running(app, poll_timeout=5):
        bob = server.user("Bob", language_code="de")
        await bob.send("/hello Welt")
        assert (await bob.reply()).text == "hi Welt"
        await server.idle()
    assert [c.method for c in server.calls_to("sendChatAction")] == ["sendChatAction"]


# ------------------------------------------------------------------------------ faults


async def test_fault_429_retry_after(server: BotApiServer, bot: Bot, alice) -> None:
    server.fail("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as ei:
        await bot.send_message(alice.id, "x")
    assert ei.value.retry_after in (3, dt.timedelta(seconds=3))
    assert "Retry in 3 seconds" in str(ei.value)
    await bot.send_message(alice.id, "x")  # times=1: expired
    assert server.faults == []
    assert server.stats.rate_limited == 1
    assert [c.status for c in server.calls_to("sendMessage")] == [429, 200]


@pytest.mark.parametrize(
    ("status", "exc", "text"),
    [
        (403, Forbidden, "Forbidden: bot was blocked by the user"),
        (400, BadRequest, "Chat not found"),
        (500, NetworkError, "Internal Server Error"),
        (502, NetworkError, "Bad Gateway"),
        (409, Conflict, "Conflict"),
    ],
)
async def test_fault_statuses(server: BotApiServer, bot: Bot, alice, status, exc, text) -> None:
    server.fail("*", status, times=2)
    for _ in range(2):
        with pytest.raises(exc) as ei:
            await bot.send_message(alice.id, "x")
        assert text in str(ei.value)
        if exc is NetworkError:
            assert not isinstance(ei.value, BadRequest)
    await bot.send_message(alice.id, "x")


async def test_fault_chat_specific_forever_and_description(
    server: BotApiServer, bot: Bot, alice
) -> None:
    bob = server.user("Bob", started=True)
    server.fail("SENDMESSAGE", 400, chat_id=bob.id, times=None, description="Bad Request: nope")
    await bot.send_message(alice.id, "fine")
    for _ in range(3):
        with pytest.raises(BadRequest, match="Nope"):
            await bot.send_message(bob.id, "x")
    await bot.get_me()  # other methods unaffected
    server.clear_faults()
    await bot.send_message(bob.id, "now ok")
    assert bob.texts == ["now ok"]


async def test_fault_delay(server: BotApiServer, bot: Bot, alice) -> None:
    server.fail("sendMessage", delay=0.5)
    t0 = time.monotonic()
    await bot.send_message(alice.id, "slow")
    assert time.monotonic() - t0 >= 0.48
    t0 = time.monotonic()
    await bot.send_message(alice.id, "fast")
    assert time.monotonic() - t0 < 0.4
    server.fail("sendMessage", 502, delay=0.1)
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "x")
    assert alice.texts == ["slow", "fast"]


async def test_block_unblock(server: BotApiServer, bot: Bot, alice) -> None:
    server.block(alice.id)
    for call in (
        bot.send_message(alice.id, "x"),
        bot.send_chat_action(alice.id, "typing"),
        bot.send_document(alice.id, b"data", filename="a.txt"),
    ):
        with pytest.raises(Forbidden, match="blocked by the user"):
            await call
    server.unblock(alice.id)
    await bot.send_message(alice.id, "back")
    alice.block()
    await alice.send("/start")  # writing to the bot again unblocks it (Restart)
    assert not alice.blocked
    await bot.send_message(alice.id, "hi again")


async def test_chat_not_found(server: BotApiServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "x")
    carol = server.user("Carol")  # exists, but never wrote to the bot
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(carol.id, "x")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(carol.id)
    await carol.send("hi")
    await bot.send_message(carol.id, "x")
    chat = await bot.get_chat(carol.id)
    assert chat.type == "private" and chat.first_name == "Carol"


async def test_flood_limits(server: BotApiServer, bot: Bot, alice) -> None:
    server.flood_limit_per_chat = 2.0
    await bot.send_message(alice.id, "1")
    await bot.send_message(alice.id, "2")
    with pytest.raises(RetryAfter):
        await bot.send_message(alice.id, "3")
    bob = server.user("Bob", started=True)
    await bot.send_message(bob.id, "other chat is fine")
    server.flood_limit_per_chat = None
    server.flood_limit_global = 1.0
    await bot.send_message(bob.id, "a")
    with pytest.raises(RetryAfter):
        await bot.send_message(alice.id, "b")
    assert server.stats.rate_limited == 2
    assert server.stats.messages_sent == 4
    assert len(server.stats.send_times) == 4


# ------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "html",
    [
        "a < b",
        "Tom & Jerry",
        "<b>bold",
        "<b>x</i>",
        "<div>x</div>",
        "<span>x</span>",
        "<br/>",
        "x</b>",
        "<a href='x'>ok",
        "&nbsp;",
    ],
)
async def test_html_rejected(bot: Bot, alice, html: str) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(alice.id, html, parse_mode="HTML")


async def test_html_accepted_and_parsed(bot: Bot, alice) -> None:
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span>'
        '<tg-spoiler>q</tg-spoiler><a href="https://example.org/?a=1&amp;b=2">link</a>'
        '<code>c</code><pre><code class="language-python">x = 1</code></pre>'
        "<blockquote>quote</blockquote><blockquote expandable>more</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        " &lt;&gt;&amp;&quot;&#39;&#x27; x > y"
    )
    m = await bot.send_message(alice.id, html, parse_mode="HTML")
    sim = alice.last_message()
    assert sim.html == html
    assert sim.text == m.text
    assert sim.text.endswith("👍 <>&\"'' x > y")
    types = [e.type for e in m.entities]
    assert types == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "text_link",
        "code",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    ]
    link = m.entities[11]
    assert link.url == "https://example.org/?a=1&b=2"
    assert m.parse_entity(link) == "link"
    assert m.entities[13].language == "python"
    assert m.parse_entity(m.entities[13]) == "x = 1"


def test_parse_html_utf16_offsets_and_errors() -> None:
    text, ents = parse_html("😀 <b>é😀</b>")
    assert text == "😀 é😀"
    assert ents == [{"offset": 3, "length": 3, "type": "bold"}]
    with pytest.raises(ValueError, match='Unsupported start tag "foo" at byte offset 5'):
        parse_html("😀 <foo>")
    with pytest.raises(ValueError, match='expected "</b>", found "</i>"'):
        parse_html("<b>x</i>")
    assert parse_html("<B>x</B>")[1][0]["type"] == "bold"


async def test_text_limits(bot: Bot, alice) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "  <b> </b>\n", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, "x" * 4097)
    await bot.send_message(alice.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    m = await bot.send_message(alice.id, "\n  trimmed <b>text</b>  \n", parse_mode="HTML")
    assert m.text == "trimmed text"
    assert m.entities[0].offset == 8


async def test_markdown_v2_reserved_character(bot: Bot, alice) -> None:
    with pytest.raises(BadRequest, match="(?i)character '.' is reserved"):
        await bot.send_message(alice.id, "Hello.", parse_mode="MarkdownV2")
    m = await bot.send_message(alice.id, r"*Hello* world\.", parse_mode="MarkdownV2")
    assert m.text == "Hello world." and m.entities[0].type == "bold"


async def test_callback_data_limit(bot: Bot, alice) -> None:
    await bot.send_message(alice.id, "ok", reply_markup=kb([("a", "x" * 64)]))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "no", reply_markup=kb([("a", "x" * 65)]))
    with pytest.raises(BadRequest, match="Button_data_invalid"):  # 64 chars, 128 bytes
        await bot.send_message(alice.id, "no", reply_markup=kb([("a", "é" * 64)]))
    with pytest.raises(BadRequest, match="(?i)text buttons are unallowed"):
        await bot.send_message(
            alice.id, "no", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("t")]])
        )


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://amnesty.org/en/petition", True),
        ("http://example.com", True),
        ("tg://resolve?domain=durov", True),
        ("example.com/path", True),
        ("ftp://example.com/file", False),
        ("javascript:alert(1)", False),
        ("mailto:someone@example.com", False),
        ("http://localhost:8080/x", False),
    ],
)
async def test_button_url_scheme(bot: Bot, alice, url: str, ok: bool) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Open", url=url)]])
    if ok:
        await bot.send_message(alice.id, "u", reply_markup=markup)
        assert alice.last_message().buttons == [[{"text": "Open", "url": url}]]
    else:
        with pytest.raises(BadRequest, match="is invalid: wrong http url"):
            await bot.send_message(alice.id, "u", reply_markup=markup)


async def test_reply_keyboard_is_recorded_but_not_echoed(bot: Bot, alice) -> None:
    m = await bot.send_message(
        alice.id, "pick", reply_markup=ReplyKeyboardMarkup([["One", "Two"], ["Three"]])
    )
    assert m.reply_markup is None
    assert alice.last_message().keyboard == [["One", "Two"], ["Three"]]
    assert alice.last_message().buttons == []


async def test_edits_and_deletes(bot: Bot, alice) -> None:
    m = await bot.send_message(alice.id, "v1", reply_markup=kb([("A", "a")]))
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=999)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "v1", chat_id=alice.id, message_id=m.message_id, reply_markup=kb([("A", "a")])
        )
    with pytest.raises(BadRequest, match="can't be edited"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=1)  # the user's /start
    await bot.edit_message_text(
        "v1", chat_id=alice.id, message_id=m.message_id, reply_markup=kb([("B", "b")])
    )
    assert alice.messages[-1].button_texts == ["B"]
    await bot.edit_message_reply_markup(alice.id, m.message_id)
    assert alice.messages[-1].buttons == [] and alice.messages[-1].edited == 2
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(alice.id, m.message_id)
    assert [s.edited for s in await alice.replies(3)] == [0, 1, 2]

    assert await bot.delete_message(alice.id, m.message_id)
    assert alice.messages[-1].deleted
    assert alice.last_message() is None
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, m.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=m.message_id)


async def test_answer_callback_query_errors(server: BotApiServer, bot: Bot, alice) -> None:
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    await bot.send_message(alice.id, "q", reply_markup=kb([("Yes", "y")]))
    qid = await alice.press("Yes")
    await bot.answer_callback_query(qid, text="Alert!", show_alert=True)
    assert alice.callback_answers[0].show_alert and alice.callback_answers[0].text == "Alert!"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(qid)  # a query is answered only once
    server.callback_query_ttl = 0.0
    qid = await alice.press("Yes")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(qid)


async def test_press_helpers(server: BotApiServer, bot: Bot, alice) -> None:
    with pytest.raises(AssertionError, match="no bot message with an inline keyboard"):
        await alice.press("Yes")
    first = await bot.send_message(alice.id, "one", reply_markup=kb([("Sign", "sign")]))
    await bot.send_message(
        alice.id, "two", reply_markup=kb([("Yes", "y"), ("Yes, later", "yl")], [("No", "n")])
    )
    await bot.send_message(alice.id, "no keyboard")
    with pytest.raises(AssertionError, match=r"available buttons: 'Yes', 'Yes, later', 'No'"):
        await alice.press("Maybe")
    await alice.press("Yes")  # exact match preferred over "Yes, later"
    await alice.press("later")
    await alice.press("sign", message=first.message_id)  # case-insensitive fallback
    await alice.press_data("forged:" + "x" * 80)
    updates = await bot.get_updates()
    data = [u.callback_query.data for u in updates if u.callback_query]
    assert data == ["y", "yl", "sign", "forged:" + "x" * 80]
    cq = updates[-1].callback_query
    assert cq.message.message_id == 3 and cq.from_user.id == alice.id and cq.chat_instance


# ------------------------------------------------------------------------------ documents


async def test_documents_upload_and_download(server: BotApiServer, bot: Bot, alice) -> None:
    pdf = b"%PDF-1.4 fake letter"
    m = await bot.send_document(
        alice.id, pdf, filename="letter.pdf", caption="Your <b>letter</b>", parse_mode="HTML"
    )
    doc = alice.last_message().document
    assert doc is not None
    assert (doc.filename, doc.content, doc.mime_type) == ("letter.pdf", pdf, "application/pdf")
    assert alice.last_message().text == "Your letter"
    assert m.document.file_name == "letter.pdf" and m.document.file_size == len(pdf)
    assert m.caption_entities[0].type == "bold"
    # re-send by file_id
    m2 = await bot.send_document(alice.id, m.document.file_id)
    assert m2.document.file_id == m.document.file_id
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(alice.id, "NOPE")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(alice.id, b"x", filename="a.txt", caption="c" * 1025)

    # the user uploads a file; the bot downloads it
    await alice.send_document("evidence.txt", b"hello world", caption="see attached")
    upd = (await bot.get_updates())[-1]
    d = upd.message.document
    assert (d.file_name, d.mime_type, d.file_size) == ("evidence.txt", "text/plain", 11)
    assert upd.message.caption == "see attached"
    f = await bot.get_file(d.file_id)
    assert bytes(await f.download_as_bytearray()) == b"hello world"
    with pytest.raises(BadRequest):
        await bot.get_file("unknown")


# ------------------------------------------------------------------------------ getUpdates


async def test_get_updates_offset_semantics(server: BotApiServer, bot: Bot) -> None:
    u = server.user("Dan")
    for i in range(5):
        await u.send(f"m{i}")
    ups = await bot.get_updates(limit=2)
    assert [x.message.text for x in ups] == ["m0", "m1"]
    assert [x.update_id for x in ups] == [1, 2]
    ups = await bot.get_updates()  # no offset: nothing is confirmed yet
    assert len(ups) == 5
    ups = await bot.get_updates(offset=4)
    assert [x.message.text for x in ups] == ["m3", "m4"]
    assert server.updates.queued[0]["update_id"] == 4
    ups = await bot.get_updates(offset=-1)
    assert [x.update_id for x in ups] == [5]
    assert await bot.get_updates(offset=6) == ()
    await u.send("m5")
    assert (await bot.get_updates(offset=6))[0].update_id == 6  # update_id is global


async def test_long_poll_timeout_and_wakeup(server: BotApiServer, bot: Bot) -> None:
    t0 = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - t0 < 2.0
    u = server.user("Eve")

    async def later() -> None:
        await asyncio.sleep(0.2)
        await u.send("wake")

    task = asyncio.create_task(later())
    t0 = time.monotonic()
    ups = await bot.get_updates(timeout=10)
    assert time.monotonic() - t0 < 1.0
    assert ups[0].message.text == "wake"
    await task


async def test_stop_releases_pending_long_poll() -> None:
    srv = BotApiServer(TOKEN)
    await srv.start()
    async with httpx.AsyncClient() as c:
        task = asyncio.create_task(
            c.post(f"{srv.base_url}{TOKEN}/getUpdates", data={"timeout": "30"}, timeout=40)
        )
        await asyncio.sleep(0.2)
        t0 = time.monotonic()
        await srv.stop()
        try:
            r = await asyncio.wait_for(task, 3)
            assert r.json() == {"ok": True, "result": []}
        except httpx.HTTPError:
            pass  # connection closed is fine too
        assert time.monotonic() - t0 < 3


async def test_webhook_methods(server: BotApiServer, bot: Bot) -> None:
    u = server.user("Fay")
    await u.send("x")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
    assert server.pending_updates == 0


# ------------------------------------------------------------------------------ commands


async def test_commands_per_scope(server: BotApiServer, bot: Bot, alice, raw) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("start", "Los")], language_code="de")
    await bot.set_my_commands(
        [BotCommand("appeals", "Appeals")], scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(alice.id))
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="de")] == ["Los"]
    assert [c.command for c in await bot.get_my_commands(BotCommandScopeChat(alice.id))] == [
        "admin"
    ]
    assert [c["command"] for c in server.commands_for(alice.id)] == ["admin"]
    bob = server.user("Bob")
    assert [c["command"] for c in server.commands_for(bob.id)] == ["appeals"]
    r = await raw.get("/control/commands", params={"user_id": bob.id})
    assert [c["command"] for c in r.json()["commands"]] == ["appeals"]
    await bot.delete_my_commands(BotCommandScopeAllPrivateChats())
    assert [c["command"] for c in server.commands_for(bob.id)] == ["start", "help"]
    hans = server.user("Hans", language_code="de")
    assert [c["description"] for c in server.commands_for(hans.id)] == ["Los"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_misc_methods(server: BotApiServer, bot: Bot, alice) -> None:
    assert await bot.send_chat_action(alice.id, "typing")
    with pytest.raises(BadRequest):
        await bot.send_chat_action(alice.id, "dancing")
    assert await bot.set_chat_menu_button(alice.id, MenuButtonCommands())
    assert (await bot.get_chat_menu_button(alice.id)).type == "commands"
    assert await bot.set_my_description("An appeal bot")
    assert (await bot.get_my_description()).description == "An appeal bot"
    assert await bot.log_out() and await bot.close()
    m = await bot.send_message(alice.id, "re", reply_to_message_id=1)
    assert m.reply_to_message.text == "/start"
    assert alice.last_message().reply_to_message_id == 1


# ------------------------------------------------------------------------------ waiting


async def test_idle_and_reply_timeouts(server: BotApiServer, bot: Bot) -> None:
    await server.idle(timeout=2, quiet=0.05)  # nothing queued
    u = server.user("Gus")
    await u.send("anyone?")
    with pytest.raises(TimeoutError, match="not fetched by getUpdates"):
        await server.idle(timeout=0.3)
    with pytest.raises(TimeoutError, match="Gus got no new bot message") as ei:
        await u.reply(timeout=0.2)
    assert "anyone?" in str(ei.value)  # the chat content is shown
    await bot.get_updates()
    await server.idle(timeout=2, quiet=0.05)
    await u.assert_no_reply(0.05)

    async def slow_bot() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(u.id, "1")
        await asyncio.sleep(0.05)
        await bot.send_message(u.id, "2")

    t = asyncio.create_task(slow_bot())
    msgs = await u.replies(2, timeout=3)
    assert [m.text for m in msgs] == ["1", "2"] and all(isinstance(m, SimMessage) for m in msgs)
    await t


# ------------------------------------------------------------------------------ events & control


async def test_listener_and_event_stream(server: BotApiServer, bot: Bot, alice) -> None:
    seen = []
    remove = server.add_listener(lambda ev: seen.append(ev.type))
    got = []

    async def consume() -> None:
        async for ev in server.events():
            got.append(ev)
            if ev.type == "delete":
                return

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)
    m = await bot.send_message(alice.id, "a")
    await bot.edit_message_text("b", chat_id=alice.id, message_id=m.message_id)
    await bot.delete_message(alice.id, m.message_id)
    await asyncio.wait_for(task, 2)
    remove()
    await bot.send_message(alice.id, "c")
    assert seen == ["message", "edit", "delete"]
    assert [e.type for e in got] == ["message", "edit", "delete"]
    assert got[1].message.text == "b" and got[1].to_dict()["message"]["edited"] == 1


async def test_control_api(server: BotApiServer, bot: Bot, raw) -> None:
    r = await raw.post("/control/users", json={"first_name": "Web", "language_code": "de"})
    uid = r.json()["user"]["id"]
    last = (await raw.get("/control/info")).json()["last_event"]

    async def bot_side() -> None:
        ups = await bot.get_updates(timeout=5)
        await bot.send_message(uid, "<b>hi</b>", parse_mode="HTML", reply_markup=kb([("Go", "go")]))
        return ups

    task = asyncio.create_task(bot_side())
    r = await raw.post(f"/control/users/{uid}/send", json={"text": "/start"})
    assert r.json()["message"]["text"] == "/start"
    ups = await task
    assert ups[0].message.entities[0].type == "bot_command"

    r = await raw.get("/control/events", params={"after": last, "timeout": 2})
    types = [e["type"] for e in r.json()["events"]]
    assert types == ["message", "message"]
    bot_msg = r.json()["events"][-1]["message"]
    assert bot_msg["html"] == "<b>hi</b>" and bot_msg["buttons"][0][0]["callback_data"] == "go"

    t0 = time.monotonic()
    r = await raw.get("/control/events", params={"after": r.json()["last"], "timeout": 0.3})
    assert r.json()["events"] == [] and time.monotonic() - t0 >= 0.25

    r = await raw.post(
        f"/control/users/{uid}/press",
        json={"message_id": bot_msg["message_id"], "callback_data": "go"},
    )
    qid = r.json()["callback_query_id"]
    ups = await bot.get_updates(offset=ups[-1].update_id + 1)
    assert ups[0].callback_query.id == qid

    r = await raw.post(
        f"/control/users/{uid}/document",
        files={"document": ("a.pdf", b"%PDF", "application/pdf")},
        data={"caption": "file"},
    )
    assert r.json()["message"]["document"]["filename"] == "a.pdf"
    file_id = r.json()["message"]["document"]["file_id"]
    assert (await raw.get(f"/control/files/{file_id}")).content == b"%PDF"

    r = await raw.get(f"/control/users/{uid}/messages")
    assert [(m["from_bot"], m["text"]) for m in r.json()["messages"]] == [
        (False, "/start"),
        (True, "hi"),
        (False, "file"),
    ]
    assert (await raw.post("/control/users/999999/send", json={"text": "x"})).status_code == 404
    r = await raw.post(
        f"/control/users/{uid}/press", json={"callback_data": "x", "message_id": 999}
    )
    assert r.status_code == 400


# ------------------------------------------------------------------------------ two pollers

OTHER_POLL = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
              "instance is running")


async def test_a_second_long_poll_ends_the_first_with_409(server: BotApiServer, raw) -> None:
    url = f"/bot{TOKEN}/getUpdates"
    first = asyncio.create_task(raw.post(url, data={"timeout": "10"}, timeout=15))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(raw.post(url, data={"timeout": "10"}, timeout=15))
    answer = await asyncio.wait_for(first, 3)
    assert answer.status_code == 409
    assert answer.json() == {"ok": False, "error_code": 409, "description": OTHER_POLL}
    await server.user("Ann").send("hi")  # the newer poll is the one that gets it
    answer = await asyncio.wait_for(second, 3)
    assert [u["message"]["text"] for u in answer.json()["result"]] == ["hi"]


async def test_allowed_updates_filters_what_is_queued(server: BotApiServer, bot: Bot) -> None:
    ann = server.user("Ann")
    await ann.send("/start")
    sent = await bot.send_message(ann.id, "pick", reply_markup=kb([("A", "a")]))
    assert await bot.get_updates(allowed_updates=["callback_query"]) != ()  # queued before
    await ann.send("not wanted")
    await ann.press("A")
    ups = await bot.get_updates(offset=-1)
    assert ups[0].callback_query.message.message_id == sent.message_id
    assert [u.update_id for u in await bot.get_updates(offset=ups[0].update_id)] == [
        ups[0].update_id]  # the message after the choice was never queued
    await bot.get_updates(allowed_updates=[])  # back to Telegram's default
    await ann.send("wanted again")
    assert (await bot.get_updates(offset=-1))[0].message.text == "wanted again"


# ------------------------------------------------------------------------------ webhook

WEBHOOK_ACTIVE = ("Conflict: can't use getUpdates method while webhook is active; use "
                  "deleteWebhook to delete the webhook first")


class Receiver:
    """A bot's webhook on loopback: records every POST and answers with the statuses it is
    told for a message text (or for any update), then 200 (with a JSON body, if told)."""

    def __init__(self) -> None:
        self.requests: list[tuple[float, dict, dict]] = []  # (monotonic time, headers, body)
        self.statuses: dict[str | None, deque[int]] = {}
        self.replies: deque[dict] = deque()
        self.url = ""
        self.delay = 0.0  # seconds each answer takes
        self.open = self.most_open = 0  # POSTs being answered now / at most at once

    def answer(self, *statuses: int, text: str | None = None) -> None:
        self.statuses.setdefault(text, deque()).extend(statuses)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append((time.monotonic(), dict(request.headers), body))
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.open -= 1
        planned = self.statuses.get(body.get("message", {}).get("text")) or self.statuses.get(None)
        status = planned.popleft() if planned else 200
        if status == 200 and self.replies:
            return web.json_response(self.replies.popleft())
        return web.Response(status=status, headers={"Retry-After": "1"} if status == 429 else {})

    @property
    def updates(self) -> list[dict]:
        return [body for _, _, body in self.requests]

    async def wait_for(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"{len(self.requests)} of {count} POSTs arrived"
            await asyncio.sleep(0.01)


@pytest.fixture
async def receiver():
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    await runner.cleanup()


async def test_webhook_posts_updates_with_the_secret_token(
    server: BotApiServer, bot: Bot, receiver: Receiver
) -> None:
    ann = server.user("Ann")
    await ann.send("before")  # queued while polling: the webhook gets it too
    assert await bot.set_webhook(receiver.url, secret_token="s3cr-et_", max_connections=7,
                                 allowed_updates=["message", "callback_query"])
    await receiver.wait_for(1)
    await ann.send("/start")
    await receiver.wait_for(2)
    assert [u["message"]["text"] for u in receiver.updates] == ["before", "/start"]
    assert [u["update_id"] for u in receiver.updates] == [1, 2]
    headers = receiver.requests[0][1]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cr-et_"
    assert headers["Content-Type"] == "application/json"
    await server.idle()  # delivered updates count as fetched
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == (receiver.url, 0, 7)
    assert info.has_custom_certificate is False and info.ip_address == "127.0.0.1"
    assert set(info.allowed_updates) == {"message", "callback_query"}
    assert info.last_error_date is None and info.last_error_message is None
    with pytest.raises(Conflict) as ei:
        await bot.get_updates()
    assert server.calls_to("getUpdates")[-1].description == WEBHOOK_ACTIVE
    assert "deleteWebhook" in str(ei.value)

    assert await bot.delete_webhook()
    await ann.send("polling again")
    assert [u.message.text for u in await bot.get_updates()] == ["polling again"]
    assert len(receiver.requests) == 2
    assert (await bot.get_webhook_info()).url == ""


async def test_webhook_keeps_an_update_until_2xx_with_backoff(
    server: BotApiServer, bot: Bot, receiver: Receiver
) -> None:
    server.webhook_retry_delay = 0.1
    receiver.answer(500, 500, 503, text="one")
    ann, bob = server.user("Ann"), server.user("Bob")
    await bot.set_webhook(receiver.url)
    await ann.send("one")
    await ann.send("two")  # same chat: waits until "one" is through
    await bob.send("other chat")  # another chat is not held up
    await receiver.wait_for(2)
    assert [u["message"]["text"] for u in receiver.updates] == ["one", "other chat"]
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 2
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert abs(info.last_error_date.timestamp() - time.time()) < 5
    await receiver.wait_for(6)
    assert [u["message"]["text"] for u in receiver.updates] == [
        "one", "other chat", "one", "one", "one", "two"]
    tries = [t for t, _, body in receiver.requests if body["message"]["text"] == "one"]
    gaps_ = [b - a for a, b in itertools.pairwise(tries)]
    assert gaps_[0] >= 0.09 and gaps_[1] >= 0.19 and gaps_[2] >= 0.39  # 0.1 s, doubling
    await server.idle()
    assert (await bot.get_webhook_info()).pending_update_count == 0
    assert "503 Service Unavailable" in (await bot.get_webhook_info()).last_error_message


async def test_webhook_serves_chats_in_parallel_up_to_max_connections(
    server: BotApiServer, bot: Bot, receiver: Receiver
) -> None:
    receiver.delay = 0.3
    people = [server.user(f"P{n}") for n in range(4)]
    await bot.set_webhook(receiver.url, max_connections=2)
    for person in people:
        await person.send(f"from {person.first_name}")
    await receiver.wait_for(4)
    waited = time.monotonic()
    await server.idle()
    assert time.monotonic() - waited < 5  # woken by the last delivery, not by its timeout
    assert receiver.most_open == 2  # two chats at a time, never more
    assert sorted(u["message"]["text"] for u in receiver.updates) == [
        "from P0", "from P1", "from P2", "from P3"]


async def test_webhook_errors_retry_after_and_unreachable_url(
    server: BotApiServer, bot: Bot, receiver: Receiver
) -> None:
    ann = server.user("Ann")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    await bot.set_webhook(f"http://127.0.0.1:{closed_port}/hook")
    await ann.send("lost?")
    deadline = time.monotonic() + 5
    while not (info := await bot.get_webhook_info()).last_error_message:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert info.last_error_message == "Connection refused" and info.pending_update_count == 1

    await asyncio.sleep(1.0)  # Telegram takes one setWebhook a second
    receiver.answer(429)  # with Retry-After: 1
    await bot.set_webhook(receiver.url)  # a new webhook: the update is still queued
    await receiver.wait_for(2)
    assert [u["message"]["text"] for u in receiver.updates] == ["lost?", "lost?"]
    assert receiver.requests[1][0] - receiver.requests[0][0] >= 0.95  # the bot's Retry-After


async def test_set_webhook_checks_and_conflicts(server: BotApiServer, bot: Bot, raw,
                                                receiver: Receiver) -> None:
    for url, secret, error in (
        ("ftp://example.org/hook", None, "Invalid webhook url specified"),
        (receiver.url, "no spaces", "Secret token contains unallowed characters"),
        (receiver.url, "x" * 257, "Secret token is too long"),
    ):
        server.webhook_set_at = float("-inf")  # as if the last setWebhook was long ago
        with pytest.raises(BadRequest, match=error):
            await bot.set_webhook(url, secret_token=secret)
    server.webhook_set_at = float("-inf")

    poll = asyncio.create_task(raw.post(f"/bot{TOKEN}/getUpdates", data={"timeout": "10"},
                                        timeout=15))
    await asyncio.sleep(0.2)
    r = await raw.post(f"/bot{TOKEN}/setWebhook", data={"url": receiver.url})
    assert r.json() == {"ok": True, "result": True, "description": "Webhook was set"}
    answer = await asyncio.wait_for(poll, 3)
    assert answer.status_code == 409
    assert answer.json()["description"] == "Conflict: terminated by setWebhook request"
    with pytest.raises(RetryAfter):  # another setWebhook within the second
        await bot.set_webhook(receiver.url + "?other")
    await asyncio.sleep(1.0)
    r = await raw.post(f"/bot{TOKEN}/setWebhook", data={"url": receiver.url})
    assert r.json()["description"] == "Webhook is already set"
    r = await raw.post(f"/bot{TOKEN}/deleteWebhook")
    assert r.json()["description"] == "Webhook was deleted"
    r = await raw.post(f"/bot{TOKEN}/deleteWebhook")
    assert r.json()["description"] == "Webhook is already deleted"


async def test_set_webhook_drops_pending_updates_on_request(
    server: BotApiServer, bot: Bot, receiver: Receiver
) -> None:
    ann = server.user("Ann")
    await ann.send("old news")
    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    await ann.send("fresh")
    await receiver.wait_for(1)
    await server.idle()
    assert [u["message"]["text"] for u in receiver.updates] == ["fresh"]


async def test_webhook_answer_may_carry_a_bot_api_call(
    server: BotApiServer, bot: Bot, receiver: Receiver
) -> None:
    ann = server.user("Ann")
    await bot.set_webhook(receiver.url)
    receiver.replies.append({"method": "sendMessage", "chat_id": ann.id, "text": "pong"})
    await ann.send("ping")
    assert (await ann.reply()).text == "pong"
    assert [c.status for c in server.calls_to("sendMessage")] == [200]
    calls = len(server.calls)
    receiver.replies.append({"method": "getMe"})  # Telegram ignores get* methods there
    await ann.send("again")
    await receiver.wait_for(2)
    await server.idle()
    assert server.calls[calls:] == []


# ------------------------------------------------------------------------------ inline mode


def article(result_id: str, text: str, **kwargs) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        result_id, f"Title {result_id}", InputTextMessageContent(text, parse_mode="HTML"),
        **kwargs)


async def inline_update(bot: Bot, query_id: str) -> Update:
    updates = [u for u in await bot.get_updates() if u.inline_query]
    assert updates and updates[-1].inline_query.id == query_id
    return updates[-1]


async def test_inline_query_answer_and_choose(server: BotApiServer, bot: Bot, alice) -> None:
    assert (await bot.get_me()).supports_inline_queries
    qid = await alice.inline_query("kharkova")
    query = (await inline_update(bot, qid)).inline_query
    assert (query.query, query.offset, query.chat_type) == ("kharkova", "", "sender")
    assert query.from_user.id == alice.id
    assert await bot.answer_inline_query(qid, [
        article("case-kharkova", "<b>Larisa Kharkova</b>: write a letter",
                reply_markup=kb([("Open", "case:kharkova")])),
        article("case-two", "Another case"),
    ], cache_time=30, is_personal=True, next_offset="2",
        button=InlineQueryResultsButton("Open the bot", start_parameter="inline"))
    answer = await alice.inline_answer()
    assert answer.query == "kharkova" and answer.result_ids == ["case-kharkova", "case-two"]
    assert (answer.cache_time, answer.is_personal, answer.next_offset) == (30, True, "2")
    assert answer.button == {"text": "Open the bot", "start_parameter": "inline"}
    assert answer.result("case-two")["input_message_content"]["message_text"] == "Another case"

    posted = await alice.choose_inline_result("case-kharkova")
    assert posted.via_bot and not posted.from_bot
    assert posted.text == "Larisa Kharkova: write a letter"
    assert posted.entities == ({"offset": 0, "length": 15, "type": "bold"},)
    assert posted.button_texts == ["Open"]
    assert alice.history[-1] == posted
    message = (await bot.get_updates(offset=-1))[0].message  # the bot is in this chat
    assert message.via_bot.id == server.bot_id and message.from_user.id == alice.id
    assert message.text == posted.text
    with pytest.raises(AssertionError, match="no result 'nope'"):
        await alice.choose_inline_result("nope")

    # Its button names the message by inline_message_id; the bot edits it that way.
    await alice.press("Open", message=posted)
    query = (await bot.get_updates(offset=-1))[0].callback_query
    assert query.message is None and query.inline_message_id and query.data == "case:kharkova"
    with pytest.raises(BadRequest, match="Message can't be edited"):  # not by chat + id
        await bot.edit_message_text("x", chat_id=alice.id, message_id=posted.message_id)
    assert await bot.edit_message_text("Opened", inline_message_id=query.inline_message_id) is True
    edited = await alice.reply()
    assert (edited.message_id, edited.text, edited.via_bot, edited.buttons) == (
        posted.message_id, "Opened", True, [])
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Opened", inline_message_id=query.inline_message_id)
    with pytest.raises(BadRequest, match="Message_id_invalid"):
        await bot.edit_message_text("x", inline_message_id="unknown")


async def test_inline_result_chosen_in_another_chat(bot: Bot, alice) -> None:
    srv = BotApiServer(TOKEN, inline_feedback=True)
    await srv.start()
    try:
        other = Bot(TOKEN, base_url=srv.base_url)
        async with other:
            carol = srv.user("Carol")
            qid = await carol.inline_query("kh", chat_type="group")
            await inline_update(other, qid)
            await other.answer_inline_query(qid, [
                article("one", "shared <i>text</i>", reply_markup=kb([("Join", "join")])),
                article("two", "no keyboard")])
            posted = await carol.choose_inline_result("one")
            assert carol.elsewhere.history == [posted] and carol.history == []
            assert posted.text == "shared text" and posted.via_bot
            chosen = (await other.get_updates(offset=-1))[0].chosen_inline_result
            assert (chosen.result_id, chosen.query, chosen.from_user.id) == ("one", "kh",
                                                                               carol.id)
            assert await other.edit_message_reply_markup(
                inline_message_id=chosen.inline_message_id)  # the group sees the change
            assert carol.elsewhere.history[0].buttons == []
            await carol.choose_inline_result("two")
            chosen = (await other.get_updates(offset=-1))[0].chosen_inline_result
            assert chosen.result_id == "two" and chosen.inline_message_id is None
    finally:
        await srv.stop()


async def test_inline_photo_results(server: BotApiServer, bot: Bot, alice) -> None:
    sent = await bot.send_photo(alice.id, png(4, 3))
    qid = await alice.inline_query("photo")
    await inline_update(bot, qid)
    await bot.answer_inline_query(qid, [
        InlineQueryResultCachedPhoto("cached", sent.photo[-1].file_id, caption="<b>cap</b>",
                                     parse_mode="HTML"),
        InlineQueryResultPhoto("by-url", "https://example.org/p.jpg", "https://example.org/t.jpg",
                               photo_width=80, photo_height=60),
    ])
    await alice.inline_answer()
    posted = await alice.choose_inline_result("cached")
    assert posted.photo.content == png(4, 3) and posted.text == "cap" and posted.via_bot
    by_url = await alice.choose_inline_result("by-url")
    assert (by_url.photo.width, by_url.photo.height) == (80, 60)
    assert by_url.photo.content == b""  # no internet in the sandbox


async def test_answer_inline_query_is_checked_like_telegram(
    server: BotApiServer, bot: Bot, alice
) -> None:
    qid = await alice.inline_query("x")
    cases = [
        ([article(str(n), "t") for n in range(51)], "Too many inline query results specified"),
        ([article("same", "a"), article("same", "b")], "Result_id_duplicate"),
        ([article("x" * 65, "t")], "Result_id_invalid"),
        ([article("bad", "<b>open")], "Can't parse inline query result: can't parse entities"),
        ([article("long", "x" * 4097)], "Message_too_long"),
        ([article("cb", "t", reply_markup=kb([("A", "x" * 65)]))], "Button_data_invalid"),
    ]
    for results, error in cases:
        with pytest.raises(BadRequest, match=f"(?i){error}"):
            await bot.answer_inline_query(qid, results)
    raw_results = [
        ([{"type": "article", "id": "1", "title": "t"}], 'Can\'t find field "message_text"'),
        ([{"type": "article", "id": "1", "message_text": "m"}], 'Can\'t find field "title"'),
        ([{"type": "audio", "id": "1"}], 'does not simulate "audio" results'),
        ([{"type": "nonsense", "id": "1"}], 'type "nonsense" is unsupported'),
        ([{"type": "photo", "id": "1"}], 'Can\'t find field "photo_file_id"'),
        ([{"type": "photo", "id": "1", "photo_file_id": "NOPE"}], "wrong file identifier"),
    ]
    async with httpx.AsyncClient(base_url=server.base_url + TOKEN) as client:
        for results, error in raw_results:
            answer = await client.post("/answerInlineQuery", json={
                "inline_query_id": qid, "results": results})
            assert answer.status_code == 400 and error in answer.json()["description"], (
                results, answer.json())
    with pytest.raises(BadRequest, match="Can't use empty switch_pm_parameter"):
        await bot.answer_inline_query(
            qid, [], button=InlineQueryResultsButton("go", start_parameter=""))
    assert await bot.answer_inline_query(qid, [])  # no results is an answer too
    with pytest.raises(BadRequest, match="Query is too old"):  # answered once only
        await bot.answer_inline_query(qid, [article("late", "t")])
    assert (await alice.inline_answer(qid)).results == ()
    server.inline.ttl = 0.0
    stale = await alice.inline_query("late")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(stale, [article("1", "t")])
    with pytest.raises(TimeoutError, match="did not answer"):
        await alice.inline_answer(stale, timeout=0.05)
    off = BotApiServer(TOKEN, inline_mode=False)
    with pytest.raises(AssertionError, match="no inline mode"):
        await off.user("Dan").inline_query("x")


# ------------------------------------------------------------------------------ photos


def png(width: int = 3, height: int = 2) -> bytes:
    """A real (tiny, red) PNG picture."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


async def test_send_photo_upload_file_id_and_caption(server: BotApiServer, bot: Bot,
                                                     alice) -> None:
    picture = png(5, 4)
    m = await bot.send_photo(alice.id, picture, caption="Hearing <b>today</b>",
                             parse_mode="HTML", reply_markup=kb([("Open", "open")]))
    sim = alice.last_message()
    assert sim.photo is not None and sim.photo.content == picture
    assert (sim.photo.width, sim.photo.height, sim.photo.mime_type) == (5, 4, "image/png")
    assert sim.text == "Hearing today" and sim.html == "Hearing <b>today</b>"
    assert sim.button_texts == ["Open"] and sim.document is None
    size = m.photo[-1]
    assert (size.width, size.height, size.file_size) == (5, 4, len(picture))
    assert m.caption == "Hearing today" and m.caption_entities[0].type == "bold"
    f = await bot.get_file(size.file_id)
    assert bytes(await f.download_as_bytearray()) == picture
    again = await bot.send_photo(alice.id, size.file_id)  # by file_id
    assert again.photo[-1].file_id == size.file_id and alice.last_message().photo == sim.photo

    doc = await bot.send_document(alice.id, b"%PDF", filename="a.pdf")
    with pytest.raises(BadRequest, match="Can't use file of type document as photo"):
        await bot.send_photo(alice.id, doc.document.file_id)
    with pytest.raises(BadRequest, match="Can't use file of type photo as document"):
        await bot.send_document(alice.id, size.file_id)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(alice.id, picture, caption="<b>" + "c" * 1025 + "</b>",
                             parse_mode="HTML")
    await bot.send_photo(alice.id, picture, caption="<b>" + "c" * 1024 + "</b>",
                         parse_mode="HTML")  # 1024 after parsing fits
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(alice.id, b"not a picture", filename="x.jpg")
    with pytest.raises(BadRequest, match="Photo_invalid_dimensions"):
        await bot.send_photo(alice.id, png(100, 2))
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(alice.id, "NOPE")
    server.block(alice.id)
    with pytest.raises(Forbidden):
        await bot.send_photo(alice.id, picture)
    assert server.stats.messages_sent == 4  # three photos and one document


async def test_protect_content_is_recorded_on_every_send(bot: Bot, alice) -> None:
    await bot.send_message(alice.id, "secret", protect_content=True)
    await bot.send_document(alice.id, b"doc", filename="d.txt", protect_content=True)
    m = await bot.send_photo(alice.id, png(), protect_content=True)
    await bot.send_message(alice.id, "open")
    assert [s.has_protected_content for s in alice.messages] == [True, True, True, False]
    assert m.has_protected_content is True
    assert alice.messages[0].to_dict()["has_protected_content"] is True


# ------------------------------------------------------------------------------ deleting


async def test_bot_deletes_a_message_the_person_sent(
    server: BotApiServer, bot: Bot, alice, monkeypatch
) -> None:
    sent = await alice.send("my phone number is 555-0100")
    events = []
    server.add_listener(events.append)
    assert await bot.delete_message(alice.id, sent["message_id"])
    gone = alice.message(sent["message_id"])
    assert gone.deleted and not gone.from_bot and gone.text == "my phone number is 555-0100"
    assert [e.type for e in events] == ["delete"] and events[0].message == gone
    assert alice.chat.raw(sent["message_id"]) is None  # no longer in Telegram's chat
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, sent["message_id"])
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, 999)
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "re", reply_to_message_id=sent["message_id"])

    from bot.sandbox.methods import edits

    old = await alice.send("old")
    monkeypatch.setattr(edits, "DELETE_WINDOW", -1)  # as if it was sent 48 hours ago
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(alice.id, old["message_id"])
    assert not alice.message(old["message_id"]).deleted


# ------------------------------------------------------------------------------ flood control


async def test_telegram_flood_limits_per_server() -> None:
    srv = BotApiServer(TOKEN, flood_limits=True)
    await srv.start()
    try:
        assert (srv.flood_limit_global, srv.flood_limit_per_chat) == (30.0, 1.0)
        people = [srv.user(f"P{n}", started=True) for n in range(61)]
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(base_url=srv.base_url + TOKEN, limits=limits) as client:
            async def send(person, **extra) -> httpx.Response:
                return await client.post("/sendMessage", json={
                    "chat_id": person.id, "text": "broadcast", **extra})

            assert (await send(people[0])).status_code == 200
            again = await send(people[0])  # 1 message a second to one chat
            assert again.status_code == 429 and again.json() == {
                "ok": False, "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1}}

            started = time.monotonic()
            answers = await asyncio.gather(*(send(person) for person in people[1:60]))
            elapsed = time.monotonic() - started
            sent = 1 + sum(a.status_code == 200 for a in answers)
            refused = [a for a in answers if a.status_code == 429]
            assert sent + len(refused) == 60
            assert refused and sent <= 30 + 30 * elapsed + 1, (sent, elapsed)  # ~30 a second
            assert all(a.json()["parameters"]["retry_after"] >= 1 for a in refused)
            # a paid broadcast may go up to 1000 messages a second: it goes through now
            paid = await send(people[60], allow_paid_broadcast=True)
            assert paid.status_code == 200 and people[60].texts == ["broadcast"]
            again = await send(people[60], allow_paid_broadcast=True)
            assert again.status_code == 429  # ... but still one a second to the same chat
    finally:
        await srv.stop()
    assert srv.stats.rate_limited == len(refused) + 2


# ------------------------------------------------------------------------------ correcting


async def test_edit_an_earlier_message_by_id(server: BotApiServer, bot: Bot, alice) -> None:
    alert = await bot.send_message(alice.id, "Hearing on <b>May 3</b>", parse_mode="HTML",
                                   reply_markup=kb([("Unsubscribe", "unsub:1")]))
    later = [await bot.send_message(alice.id, f"later {n}") for n in range(3)]
    fixed = await bot.edit_message_text("Hearing on <b>May 4</b>", chat_id=alice.id,
                                        message_id=alert.message_id, parse_mode="HTML",
                                        reply_markup=kb([("Unsubscribe", "unsub:1")]))
    assert fixed.text == "Hearing on May 4" and fixed.edit_date is not None
    sim = alice.message(alert.message_id)
    assert (sim.text, sim.edited, sim.button_texts) == ("Hearing on May 4", 1, ["Unsubscribe"])
    assert [alice.message(m.message_id).edited for m in later] == [0, 0, 0]
    assert alice.last_message().text == "later 2"  # the edit did not move it
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Hearing on <b>May 4</b>", chat_id=alice.id,
                                    message_id=alert.message_id, parse_mode="HTML",
                                    reply_markup=kb([("Unsubscribe", "unsub:1")]))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(alice.id, alert.message_id,
                                            reply_markup=kb([("Unsubscribe", "unsub:1")]))
    bob = server.user("Bob", started=True)
    with pytest.raises(BadRequest, match="Message to edit not found"):  # ids are per chat
        await bot.edit_message_text("x", chat_id=bob.id, message_id=alert.message_id)
    assert alice.message(alert.message_id).edited == 1


# ------------------------------------------------------------------------------ its own shape


def test_server_modules_are_small_and_import_one_way() -> None:
    """bot/sandbox: no module over 600 lines, no import cycle (TYPE_CHECKING ones count)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "bot" / "sandbox"
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        package = parts[:-1] if parts[-1] != "__init__" else parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        assert len(path.read_text().splitlines()) <= 600, f"{path.name} is over 600 lines"
        graph[name] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join((*base, *([node.module] if node.module else [])))
                graph[name] |= {target} | {f"{target}.{a.name}".strip(".") for a in node.names}
    graph = {name: {t for t in targets if t in graph and t != name}
             for name, targets in graph.items()}

    def reaches(start: str, goal: str) -> bool:
        todo, seen = [start], {start}
        while todo:
            for target in graph[todo.pop()]:
                if target == goal:
                    return True
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return False

    cycles = sorted(name for name in graph if reaches(name, name))
    assert cycles == [], f"modules in an import cycle: {cycles}"
    assert {"people", "chat", "core", "server", "control", "methods.messages"} <= set(graph)
