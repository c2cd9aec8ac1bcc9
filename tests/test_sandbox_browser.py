"""The sandbox web chat in a real browser: Debian's Chromium, headless, driven by Playwright.

One sandbox (the real bot on the project's Bot API server) and one page for the whole module;
the tests run in order, as a person would: start, browse, open a case, subscribe, look at the
command menu, write a letter, and — as the coordinator — announce a hearing that reaches the
supporter's chat. Screenshots of each screen go to screenshots/ (gitignored).

Needs Chromium (`make test` runs scripts/ensure-chromium); skips, saying so, without it.
Playwright's own browser download is never used: executable_path points at the system's.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import pytest_asyncio
from helpers_cases import CASE_PAGES
from telegram.ext import CommandHandler

from bot.config import Settings
from bot.sandbox.run import ALICE_ID, COORDINATOR_ID, Sandbox

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TIMEOUT = 10_000  # ms, for anything the bot has to answer
FUTURE = dt.datetime.now(dt.UTC).year + 2


def find_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser",
                      "/usr/bin/chromium"):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


CHROMIUM = find_chromium()
if CHROMIUM is None:
    pytest.skip("Chromium is not installed (scripts/ensure-chromium installs Debian's chromium "
                "as root; `make test` runs it) — skipping the sandbox browser test",
                allow_module_level=True)
playwright_api = pytest.importorskip("playwright.async_api",
                                     reason="the playwright package is not installed")
expect = playwright_api.expect
expect.set_options(timeout=TIMEOUT)

pytestmark = pytest.mark.asyncio(loop_scope="module")


def wired(app, command: str) -> bool:
    return any(isinstance(handler, CommandHandler) and command in handler.commands
               for handlers in app.handlers.values() for handler in handlers)


def need(app, module: str, command: str, what: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is absent: {what} is not built yet")
    if not wired(app, command):
        pytest.skip(f"{module} exists but bot/app.py does not register /{command}: "
                    f"{what} is not wired yet")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox():
    with tempfile.TemporaryDirectory(prefix="sandbox-browser-") as directory:
        settings = Settings(
            _env_file=None, log_level="WARNING",
            database_url=f"sqlite+aiosqlite:///{directory}/production.db",
            sandbox_database_url=f"sqlite+aiosqlite:///{directory}/sandbox.db")
        async with Sandbox(settings, port=0, poll_timeout=1) as running:
            yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def page(sandbox):
    SHOTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sandbox-chromium-") as profile:
        async with playwright_api.async_playwright() as pw:
            context = await pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                viewport={"width": 1200, "height": 820}, accept_downloads=True)
            context.set_default_timeout(TIMEOUT)
            tab = context.pages[0] if context.pages else await context.new_page()
            problems: list[str] = []
            tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            tab.on("console", lambda message: message.type == "error"
                   and problems.append(f"console: {message.text}"))
            await tab.goto(sandbox.url)
            await expect(tab.locator("body")).to_have_attribute("data-ready", "1")
            tab.problems = problems
            yield tab
            await context.close()
    assert not problems, problems  # no script errors, no CSP violations


async def shot(page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"sandbox-{name}.png"))


def last_bot(page):
    return page.locator(".message.from-bot").last


SNAPSHOT = """() => Object.fromEntries([...document.querySelectorAll('.message.from-bot')]
    .map((m) => [m.dataset.id, Number(m.dataset.edited)]))"""
CHANGED_WITH = """([before, then]) => [...document.querySelectorAll('.message.from-bot')].some((m) =>
    (!(m.dataset.id in before) || Number(m.dataset.edited) > before[m.dataset.id])
    && m.innerText.includes(then))"""


async def answered(page, action, then: str) -> None:
    """Do ``action``; wait until a new or edited bot message says ``then``."""
    before = await page.evaluate(SNAPSHOT)
    await action()
    await page.wait_for_function(CHANGED_WITH, arg=[before, then], timeout=TIMEOUT)


async def tap(page, label: str, then: str) -> None:
    """Press the inline button with ``label`` on the newest bot message that has one."""
    button = page.locator(".message.from-bot .kb-button", has_text=label).last
    await answered(page, button.click, then)


async def say(page, text: str, then: str) -> None:
    """Type ``text`` in the composer and press Enter."""
    async def send() -> None:
        await page.locator("#input").fill(text)
        await page.locator("#input").press("Enter")
    await answered(page, send, then)


async def be(page, person_id: int) -> None:
    await page.locator(f'.person[data-person-id="{person_id}"]').click()
    await expect(page.locator(".person.active")).to_have_attribute("data-person-id",
                                                                  str(person_id))


# --------------------------------------------------------------------------- the tests, in order


async def test_the_page_says_it_is_a_sandbox(page):
    await expect(page.locator("#sandbox-banner")).to_contain_text("SANDBOX")
    await expect(page.locator("#sandbox-banner")).to_contain_text("Nothing here reaches Telegram")
    names = await page.locator(".person .person-name").all_inner_texts()
    assert names[:3] == ["Coordinator", "Alice", "Bob"]
    await expect(page.locator(".person.active")).to_contain_text("Alice")  # a supporter first
    await expect(page.locator(".empty .start-button")).to_be_visible()
    await shot(page, "01-new-chat")


async def test_start_shows_the_welcome_with_its_formatting(page):
    await page.locator(".empty .start-button").click()
    welcome = last_bot(page)
    await expect(welcome).to_contain_text("Welcome to Appeal Bot")
    # <b> from the bot's HTML is bold; /forget became a tappable command, not raw markup.
    await expect(welcome.locator(".text b")).to_have_text("Welcome to Appeal Bot.")
    await expect(welcome.locator(".command-link", has_text="/forget")).to_be_visible()
    assert "<b>" not in await welcome.inner_text()
    await expect(page.locator(".message.from-me .text").last).to_have_text("/start")
    await shot(page, "02-welcome")


async def test_browse_cases_edits_the_message_in_place(page):
    count = await page.locator(".message").count()
    await tap(page, "Browse cases", "page 1 of")
    assert await page.locator(".message").count() == count  # edited, not a new message
    await expect(last_bot(page).locator(".edited")).to_be_visible()
    assert await last_bot(page).locator(".kb-button").count() >= 5
    await shot(page, "03-case-list")


async def test_open_a_case_and_subscribe(page):
    for _ in range(CASE_PAGES):  # turn the pages until the case shows
        if await last_bot(page).locator(".kb-button", has_text="Larisa Kharkova").count():
            break
        await tap(page, "Next", "page")
    await tap(page, "Larisa Kharkova", "Larisa Kharkova")
    card = last_bot(page)
    await expect(card.locator(".kb-button", has_text="Subscribe")).to_be_visible()
    await shot(page, "04-case-card")
    await tap(page, "🔔 Subscribe", "You follow this case")
    await expect(card.locator(".kb-button", has_text="Unsubscribe")).to_be_visible()
    await expect(page.locator("#toast")).to_contain_text("Subscribed")  # the callback answer
    await shot(page, "05-subscribed")


async def test_the_command_menu_lists_the_persons_commands(page, sandbox):
    await page.locator("#menu-button").click()
    menu = page.locator("#command-menu")
    await expect(menu).to_be_visible()
    await expect(menu.locator(".command", has_text="/mycases")).to_be_visible()
    await expect(menu.locator(".command", has_text="/hearing")).to_have_count(0)
    await shot(page, "06-command-menu")
    await menu.locator(".command", has_text="/mycases").click()  # a tap sends it
    await expect(last_bot(page)).to_contain_text("Larisa Kharkova")
    await expect(menu).to_be_hidden()
    if wired(sandbox.app, "hearing"):
        await be(page, COORDINATOR_ID)
        await page.locator("#menu-button").click()
        await expect(menu.locator(".command", has_text="/hearing")).to_be_visible()
        await shot(page, "07-coordinator-menu")
        await be(page, ALICE_ID)  # a click elsewhere closes the menu
        await expect(last_bot(page)).to_contain_text("Larisa Kharkova")


async def test_write_a_letter_and_download_it(page, sandbox):
    need(sandbox.app, "handlers.letters", "write", "the letter wizard (✍️ Write a letter)")
    await say(page, "/start kharkova", "Larisa Kharkova")
    await tap(page, "Write a letter", "Who do you want to write to?")
    await tap(page, "Kalmukhanbet Kassymov", "In which language")
    await tap(page, "English", "How do you want to sign")
    await say(page, "Jane Doe, Berlin", "How will you send it?")
    draft = page.locator(".message.from-bot", has=page.locator("pre"))
    await expect(draft.last).to_be_visible()  # the letter, as a <pre> block
    await shot(page, "08-letter-draft")

    await tap(page, "Email", "When you have sent it")
    document = page.locator(".message.from-bot a.document").last
    await expect(document).to_contain_text(".eml")
    async with page.expect_download() as download_info:
        await document.click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".eml")
    parsed = email.message_from_bytes(Path(await download.path()).read_bytes(),
                                      policy=email.policy.default)
    assert parsed["To"] == "Kense@mvd.kz" and "Jane Doe" in parsed.get_content()
    await document.scroll_into_view_if_needed()
    await shot(page, "09-letter-eml")

    # The next addressee by fax: a printable PDF.
    await tap(page, "I sent it", "Thank you!")
    await tap(page, "Nursultan Nazarbayev", "How do you want to sign")
    await tap(page, "Sign anonymously", "How will you send it?")
    await tap(page, "Fax", "When you have sent it")
    document = page.locator(".message.from-bot a.document").last
    await expect(document).to_contain_text(".pdf")
    async with page.expect_download() as download_info:
        await document.click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(await download.path()).read_bytes().startswith(b"%PDF")


async def test_a_coordinators_hearing_alert_reaches_the_supporter(page, sandbox):
    need(sandbox.app, "handlers.admin", "hearing", "coordinator alerts (/hearing)")
    await be(page, COORDINATOR_ID)
    await say(page, f"/hearing kharkova {FUTURE}-12-01 10:00 Shymkent City Court",
              "Send to")
    await shot(page, "10-hearing-preview")
    await page.locator(".message.from-bot .kb-button", has_text="Send to").last.click()
    await expect(last_bot(page)).to_contain_text("Delivered to", timeout=15_000)
    alice = page.locator(f'.person[data-person-id="{ALICE_ID}"]')
    await expect(alice.locator(".unread")).to_be_visible()  # arrived while you were away
    await shot(page, "11-hearing-sent")

    await be(page, ALICE_ID)
    alert = last_bot(page)
    await expect(alert).to_contain_text("Shymkent City Court")
    await expect(alert).to_contain_text(str(FUTURE))
    await expect(alert.locator(".kb-button", has_text="Unsubscribe")).to_be_visible()
    await expect(alice.locator(".unread")).to_have_count(0)
    await shot(page, "12-hearing-alert")


async def test_add_a_person(page):
    await page.locator("#new-name").fill("Dana")
    await page.locator("#new-name").press("Enter")
    await expect(page.locator(".person.active")).to_contain_text("Dana")
    await expect(page.locator("#me-name")).to_have_text("Dana")
    await page.locator(".empty .start-button").click()
    await expect(last_bot(page)).to_contain_text("Welcome to Appeal Bot")
    await shot(page, "13-new-person")


RICH = (
    '<b>bold</b> <i>italic</i> <u>under</u> <s>struck</s> <code>code</code> '
    '<a href="https://example.org/appeal?a=1&amp;b=2">a link</a> '
    '<a href="javascript:window.pwned=1">not a link</a> '
    '<tg-spoiler>secret</tg-spoiler>\n'
    '<pre><code class="language-python">print("hi")</code></pre>'
    '<blockquote>quoted</blockquote><blockquote expandable>long quote</blockquote>'
    '&lt;img src=x onerror="window.pwned=1"&gt;'
)

RED_2X1_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x01\x08"
               b"\x02\x00\x00\x00{@\xe8\xdd\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\x00D\x00\x08"
               b"\xfe\x01\xff\xc6\x9ey\xf7\x00\x00\x00\x00IEND\xaeB`\x82")


async def test_rich_text_and_buttons_are_rendered_safely(page, sandbox):
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity

    person = int(await page.locator(".person.active").get_attribute("data-person-id"))
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton("Open the appeal", url="https://example.org/appeal"),
        InlineKeyboardButton("📂 Browse cases", callback_data="cl:0")]])

    async def bot_sends() -> None:
        await sandbox.app.bot.send_message(person, RICH, parse_mode="HTML", reply_markup=markup)
    await answered(page, bot_sends, "quoted")
    message = last_bot(page)
    text = message.locator(".text")
    for selector, content in (("b", "bold"), ("i", "italic"), ("u", "under"), ("s", "struck"),
                              ("code", "code"), ("blockquote", "quoted"),
                              ("blockquote.expandable", "long quote"),
                              (".spoiler", "secret"), ("pre code", 'print("hi")')):
        await expect(text.locator(selector).first).to_have_text(content)
    await expect(text.locator("pre code")).to_have_attribute("data-language", "python")
    link = text.locator("a", has_text="a link")
    await expect(link).to_have_attribute("href", "https://example.org/appeal?a=1&b=2")
    await expect(link).to_have_attribute("target", "_blank")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")
    await expect(text.locator("a", has_text="not a link")).to_have_count(0)  # javascript: dropped
    await expect(text).to_contain_text('<img src=x onerror="window.pwned=1">')  # text, not a tag
    await expect(text.locator("img, script")).to_have_count(0)
    url_button = message.locator("a.kb-button", has_text="Open the appeal")
    await expect(url_button).to_have_attribute("href", "https://example.org/appeal")
    await expect(url_button).to_have_attribute("target", "_blank")
    await text.locator(".spoiler").click()
    await expect(text.locator(".spoiler")).to_have_class("spoiler revealed")
    await shot(page, "14-formatting")

    # Text with entities (no parse mode) renders the same way.
    async def bot_sends_entities() -> None:
        await sandbox.app.bot.send_message(person, "plain and bold", entities=[
            MessageEntity(MessageEntity.BOLD, 10, 4)])
    await answered(page, bot_sends_entities, "plain and bold")
    await expect(last_bot(page).locator(".text b")).to_have_text("bold")

    # A photo is shown as a picture (served by the page's own origin, as its CSP allows).
    async def bot_sends_photo() -> None:
        await sandbox.app.bot.send_photo(person, RED_2X1_PNG, caption="a <i>picture</i>",
                                         parse_mode="HTML")
    await answered(page, bot_sends_photo, "a picture")
    picture = last_bot(page).locator(".photo img")
    await expect(picture).to_have_count(1)
    await page.wait_for_function("(img) => img.complete && img.naturalWidth === 2",
                                 arg=await picture.element_handle(), timeout=TIMEOUT)
    await expect(last_bot(page).locator(".text i")).to_have_text("picture")

    # What people type is only ever text.
    typed = '<b>not bold</b> <img src=x onerror="window.pwned=1">'
    await page.locator("#input").fill(typed)
    await page.locator("#input").press("Enter")
    mine = page.locator(".message.from-me .text").last
    await expect(mine).to_have_text(typed)
    await expect(mine.locator("b, img")).to_have_count(0)
    await expect(last_bot(page)).not_to_contain_text("plain and bold", timeout=TIMEOUT)
    assert await page.evaluate("window.pwned") is None


NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"
INSIDE = """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
    return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && r.top >= 0
        && r.bottom <= window.innerHeight; }"""


async def test_phone_width_layout(page):
    """At 390 px: the people collapse into a drawer, the input and Send stay on screen and
    work, and nothing scrolls sideways. (Runs last: it changes the page's viewport.)"""
    await page.set_viewport_size({"width": 390, "height": 844})
    try:
        await expect(page.locator("#sidebar")).not_to_be_visible()  # collapsed
        toggle = page.locator("#people-toggle")
        await expect(toggle).to_be_visible()
        await expect(toggle).to_have_attribute("aria-expanded", "false")
        for selector in ("#input", "#send-button", "#menu-button"):
            await expect(page.locator(selector)).to_be_visible()
            assert await page.evaluate(INSIDE, selector), selector
        input_box = await page.locator("#input").bounding_box()
        send_box = await page.locator("#send-button").bounding_box()
        assert input_box["width"] >= 150  # room to type
        assert abs((input_box["y"] + input_box["height"]) - (send_box["y"] + send_box["height"])) < 12

        # Typing and Send (the button, not Enter) reach the bot; its answer fits the width.
        async def type_and_send() -> None:
            await page.locator("#input").fill("/cases")
            await page.locator("#send-button").click()
        await answered(page, type_and_send, "page 1 of")
        await expect(page.locator(".message.from-me .text").last).to_have_text("/cases")
        assert await page.evaluate(NO_OVERFLOW)
        first_case = last_bot(page).locator(".kb-button").first
        name = (await first_case.inner_text()).split(":")[0]
        await tap(page, name, "Who:")  # a whole case card, with its buttons
        assert await page.evaluate(NO_OVERFLOW)
        assert await page.evaluate(INSIDE, "#send-button")
        await shot(page, "15-phone-chat")

        # The drawer opens over the chat, and choosing a person closes it.
        await toggle.click()
        await expect(page.locator("#sidebar")).to_be_visible()
        await expect(toggle).to_have_attribute("aria-expanded", "true")
        await page.wait_for_function(INSIDE, arg="#sidebar", timeout=TIMEOUT)  # slid in
        await shot(page, "16-phone-people")
        await page.locator(".person", has_text="Bob").click()
        await expect(page.locator("#me-name")).to_have_text("Bob")
        await expect(page.locator("#sidebar")).not_to_be_visible()
        assert await page.evaluate(NO_OVERFLOW)
    finally:
        await page.set_viewport_size({"width": 1200, "height": 820})
