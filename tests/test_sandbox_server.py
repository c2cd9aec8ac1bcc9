"""Tests of the sandbox Telegram Bot API server itself (bot/sandbox), through a real PTB Bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
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
