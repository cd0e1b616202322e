"""The chat people expect (issue 11): streamed replies, Stop, Markdown, recovery from a stalled or restarted
backend, the 390 px layout, axe, and keyboard-only use."""

import importlib.util
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from flows import FINISHED_REPLY, conversation_id, send, sign_up, until_not_rate_limited
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from conftest import Backend

# axe-core as the Python package ships it, so `invoke test.e2e` from a fresh clone needs no `npm ci`.
AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
PHONE = {"width": 390, "height": 844}


def add_tasks(page: Page, count: int) -> None:
    """Tasks made through the proxy with the page's session and its Origin, as its own fetch sends them."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    for number in range(1, count + 1):
        response = page.request.post(
            "/api/backend/tasks",
            data={"title": f"Errand number {number} of the week"},
            headers={"Origin": origin},
        )
        assert response.status == 201, response.text()


def throttle(page: Page, bytes_per_second: int) -> None:
    """A slow network, so a reply's stream visibly arrives over seconds."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": bytes_per_second, "uploadThroughput": -1},
    )


def axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document)).violations.map(
            (v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(" ")} (${n.failureSummary})`).join("; ")}`
        )"""
    )


def test_reply_streams_in_and_stop_keeps_what_was_said(page: Page) -> None:
    sign_up(page)
    add_tasks(page, 25)
    throttle(page, 1_500)
    log = page.get_by_role("log", name="Messages")
    stop = page.get_by_role("button", name="Stop")

    page.get_by_role("textbox", name="Message").fill("Show me all my tasks")
    page.keyboard.press("Enter")
    reply = log.locator("li.message--assistant").last
    # Text is on screen while the turn still goes on (newest first): the first line shows before it ends.
    expect(reply).to_contain_text("Errand number 25 of the week", timeout=20_000)
    expect(stop).to_be_visible()
    stop.click()

    expect(reply).to_contain_text("Stopped")
    expect(reply).to_contain_text("Errand number 25 of the week")
    expect(reply).not_to_contain_text("Errand number 1 of the week")
    expect(page.get_by_role("button", name="Send")).to_be_visible()


def test_listing_is_a_markdown_list_and_actions_stay_after_reload(page: Page) -> None:
    sign_up(page)
    send(page, "Add a task to buy groceries")
    send(page, "Show me all my tasks")
    log = page.get_by_role("log", name="Messages")
    expect(log.locator(f"{FINISHED_REPLY} .markdown ul > li").filter(has_text="Buy groceries")).to_have_count(
        1
    )

    page.reload()
    expect(log.get_by_role("list", name="Actions taken").first).to_contain_text("Added task")
    expect(log.locator("time").first).to_be_visible()


def test_page_recovers_by_itself_when_the_backend_comes_back(page: Page, backend: "Backend") -> None:
    sign_up(page)
    send(page, "Add a task to call mom")
    conversation = conversation_id(page)

    backend.stop()
    page.goto(f"/chat?c={conversation}")
    notice = page.get_by_role("alert").filter(has_text="can't be reached")
    expect(notice).to_have_count(1)
    backend.start()

    # No reload: the page notices by itself, then shows the conversation named in the address and the tasks.
    log = page.get_by_role("log", name="Messages")
    expect(log).to_contain_text("Add a task to call mom", timeout=20_000)
    expect(notice).to_have_count(0)
    expect(page.get_by_role("complementary", name="Tasks")).to_contain_text("Call mom")
    send(page, "Show me all my tasks")


def test_a_stalled_backend_loses_no_message(page: Page, backend: "Backend") -> None:
    sign_up(page)
    send(page, "Add a task to water the plants")  # connections to the backend are now pooled
    conversation = conversation_id(page)

    backend.pause()
    box = page.get_by_role("textbox", name="Message")
    box.fill("Add a task to feed the cat")
    box.press("Enter")
    page.wait_for_timeout(10_000)
    backend.resume()
    expect(page.get_by_role("log", name="Messages").locator(FINISHED_REPLY)).to_have_count(2, timeout=30_000)
    # Right after the stall, when pooled connections may have been closed by the backend.
    send(page, "Add a task to fix the bike")
    send(page, "Show me all my tasks")

    page.goto(f"/chat?c={conversation}")
    log = page.get_by_role("log", name="Messages")
    for message in (
        "Add a task to water the plants",
        "Add a task to feed the cat",
        "Add a task to fix the bike",
    ):
        expect(log.get_by_text(message, exact=True)).to_have_count(1)
    expect(log).not_to_contain_text(re.compile("not sent", re.IGNORECASE))
    tasks = page.get_by_role("complementary", name="Tasks")
    for title in ("Water the plants", "Feed the cat", "Fix the bike"):
        expect(tasks.get_by_text(title)).to_have_count(1)


def test_phone_layout_opens_at_the_newest_message(page: Page) -> None:
    page.set_viewport_size(PHONE)
    sign_up(page)
    for number in range(6):
        send(page, f"Add a task to pack box {number}")
    conversation = conversation_id(page)
    page.goto(f"/chat?c={conversation}")
    log = page.get_by_role("log", name="Messages")
    expect(log).to_contain_text("pack box 5")
    scrolled = "el.scrollHeight > el.clientHeight"
    at_bottom = f"el => Math.abs(el.scrollHeight - el.clientHeight - el.scrollTop) < 4 && {scrolled}"
    page.wait_for_function(f"() => ({at_bottom})(document.querySelector('[role=log]'))")

    # The header stays one line; tasks and conversations are one tap away.
    brand, email = (
        page.locator(".topbar .brand").bounding_box(),
        page.locator(".topbar__email").bounding_box(),
    )
    assert abs(brand["y"] - email["y"]) < brand["height"], (brand, email)
    assert page.locator(".topbar").bounding_box()["height"] < 70
    page.get_by_role("button", name="Tasks", exact=True).click()
    expect(page.get_by_role("complementary", name="Tasks")).to_contain_text("Pack box 5")
    page.get_by_role("button", name="Conversations", exact=True).click()
    expect(page.get_by_role("navigation", name="Conversations")).to_be_visible()
    for button in page.get_by_role("button").all():
        if button.is_visible():
            box = button.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, (button.inner_text(), box)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["1280", "390"])
def test_axe_finds_nothing(page: Page, viewport: dict) -> None:
    page.set_viewport_size(viewport)
    page.goto("/sign-in")
    assert axe_violations(page) == [], "sign-in"
    sign_up(page)
    assert axe_violations(page) == [], "empty chat"
    for number in range(4):
        send(page, f"Add a task to read chapter {number}")
    send(page, "Show me all my tasks")
    assert axe_violations(page) == [], "long chat"
    if viewport["width"] == PHONE["width"]:
        page.get_by_role("button", name="Tasks", exact=True).click()
    expect(page.get_by_role("complementary", name="Tasks")).to_contain_text("Read chapter 3")
    assert axe_violations(page) == [], "task panel"


def tab_to(page: Page, condition: str, limit: int = 60) -> None:
    """Press Tab until `condition` (JavaScript) holds for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {condition}"):
            return
    pytest.fail(f"Tab never reached: {condition}")


def test_keyboard_only(page: Page) -> None:
    email = sign_up(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))

    tab_to(page, "document.activeElement.type === 'email'")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    # Enter in the password field; again after the rate limiter's window if other tests used up its attempts.
    until_not_rate_limited(page, lambda: page.get_by_label("Password").press("Enter"))
    expect(page).to_have_url(re.compile(r"/chat"))

    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to the message box")).to_be_focused()
    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="Message")
    expect(box).to_be_focused()
    for title in ("sweep the floor", "wash the dishes"):
        page.keyboard.type(f"Add a task to {title}")
        page.keyboard.press("Enter")
        expect(page.locator(FINISHED_REPLY)).to_have_count(1 if title.startswith("sweep") else 2)
    expect(box).to_be_focused()

    tasks = page.get_by_role("complementary", name="Tasks")
    sweep = tasks.get_by_role("checkbox", name="Mark 'Sweep the floor' as complete")
    tab_to(page, "(document.activeElement.getAttribute('aria-label') || '').startsWith(\"Mark 'Sweep\")")
    page.keyboard.press("Space")
    expect(tasks.get_by_role("checkbox", name="Mark 'Sweep the floor' as pending")).to_be_checked()
    expect(sweep).to_have_count(0)

    page.keyboard.press("Tab")  # Edit
    page.keyboard.press("Tab")  # Delete
    expect(tasks.get_by_role("button", name="Delete 'Sweep the floor'")).to_be_focused()
    page.keyboard.press("Enter")
    expect(tasks.get_by_text("Sweep the floor")).to_have_count(0)
    # Focus moves to the task that took its place, not to the top of the page.
    expect(tasks.get_by_role("checkbox", name="Mark 'Wash the dishes' as complete")).to_be_focused()


def test_rename_and_delete_a_conversation(page: Page) -> None:
    sign_up(page)
    send(page, "Add a task to plan the trip")
    conversations = page.get_by_role("navigation", name="Conversations")
    conversations.get_by_role("button", name="Rename 'Add a task to plan the trip'").click()
    name = conversations.get_by_role("textbox", name="New name")
    name.fill("Holiday")
    name.press("Enter")
    expect(conversations.get_by_role("button", name=re.compile("^Holiday"))).to_be_visible()
    expect(conversations.get_by_role("button", name="Rename 'Holiday'")).to_be_focused()

    page.once("dialog", lambda dialog: dialog.accept())
    conversations.get_by_role("button", name="Delete 'Holiday'").click()
    expect(conversations.get_by_text("No conversations yet.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/chat$"))
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()


def load_openai_stub():
    """The backend tests' OpenAI-compatible stub (standard library only), loaded from its file."""
    path = Path(__file__).resolve().parents[2] / "backend" / "tests" / "openai_stub.py"
    spec = importlib.util.spec_from_file_location("openai_stub", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_words_reach_the_page_while_the_model_is_still_writing_and_stop_is_stored(
    page: Page, backend: "Backend"
) -> None:
    """A model that stalls after its first words: they must be on the page (no buffering anywhere on the way)
    while the turn is still open; Stop then ends it, and the backend keeps the partial reply as stopped."""
    stub_module = load_openai_stub()
    first_words = stub_module.FINAL_TEXT[: len(stub_module.FINAL_TEXT) // 2].strip()
    with stub_module.running_openai_stub() as stub:
        stub.stall = threading.Event()
        model = {"OPENAI_BASE_URL": stub.url, "OPENAI_API_FLAVOUR": "responses", "OPENAI_MODEL": "stub-model"}
        backend.restart(model)
        try:
            sign_up(page)
            box = page.get_by_role("textbox", name="Message")
            box.fill("Add oat milk to my list")
            box.press("Enter")
            reply = page.get_by_role("log", name="Messages").locator("li.message--assistant").last
            expect(reply).to_contain_text(first_words, timeout=20_000)
            expect(reply).to_have_attribute("aria-busy", "true")
            expect(reply.get_by_role("list", name="Actions taken")).to_contain_text(stub_module.TITLE)
            # The tool ran mid-turn: the task panel shows the task before the reply is finished.
            expect(page.get_by_role("complementary", name="Tasks")).to_contain_text(stub_module.TITLE)

            page.get_by_role("button", name="Stop").click()
            expect(reply).to_contain_text("Stopped")
            conversation_id(page)
            page.reload()
            stored = page.get_by_role("log", name="Messages").locator("li.message--assistant").last
            expect(stored).to_contain_text(first_words)
            expect(stored).to_contain_text("Stopped")
        finally:
            stub.stall.set()
