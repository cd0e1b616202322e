"""Opt-in: screenshots to judge the design by eye (TODO_SHOTS_DIR=/tmp/shots), and the streaming timings as
the browser sees them (TODO_MEASURE=1, printed with -s). Neither asserts anything about looks or speed."""

import os
import statistics
from pathlib import Path

import pytest
from flows import send, sign_up
from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.mark.skipif(not os.environ.get("TODO_SHOTS_DIR"), reason="set TODO_SHOTS_DIR to take screenshots")
def test_screenshots(page: Page) -> None:
    out = Path(os.environ["TODO_SHOTS_DIR"])
    out.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        page.screenshot(path=str(out / f"{name}.png"))

    page.goto("/sign-in")
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    shot("sign-in-dark-390")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(DESKTOP)
    shot("sign-in-1280")
    sign_up(page)
    shot("chat-empty-1280")
    for message in ("Add a task to buy groceries", "Add a task to call mom tonight", "Show me all my tasks"):
        send(page, message)
    shot("chat-1280")
    page.emulate_media(color_scheme="dark")
    shot("chat-dark-1280")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_role("log", name="Messages")).to_contain_text("Show me all my tasks")
    shot("chat-390")
    page.get_by_role("button", name="Tasks", exact=True).click()
    shot("tasks-390")
    page.get_by_role("button", name="Conversations", exact=True).click()
    shot("conversations-390")
    page.emulate_media(color_scheme="dark")
    page.get_by_role("button", name="Chat", exact=True).click()
    shot("chat-dark-390")


# Installed before Enter: ms from the keydown to the first reply text on screen and to the turn's end.
TIMING = """() => {
  const log = document.querySelector('[role=log]');
  const box = document.getElementById('chat-input');
  const before = log.querySelectorAll('li.message--assistant').length;
  const timing = (window.__timing = {});
  box.addEventListener('keydown', () => (timing.t0 = performance.now()), { once: true, capture: true });
  const observer = new MutationObserver(() => {
    const replies = log.querySelectorAll('li.message--assistant');
    if (replies.length <= before || timing.t0 === undefined) return;
    const reply = replies[replies.length - 1];
    if (timing.first === undefined && reply.querySelector('.markdown')?.textContent)
      timing.first = performance.now() - timing.t0;
    if (reply.getAttribute('aria-busy') === 'false') {
      timing.full = performance.now() - timing.t0;
      observer.disconnect();
    }
  });
  observer.observe(log, { subtree: true, childList: true, characterData: true, attributes: true });
}"""


@pytest.mark.skipif(
    not os.environ.get("TODO_MEASURE"), reason="set TODO_MEASURE=1 to measure (print with -s)"
)
def test_measure_streaming(page: Page) -> None:
    sign_up(page)
    box = page.get_by_role("textbox", name="Message")
    results: dict[str, list[tuple[float, float]]] = {}
    for kind, message in [("add", "Add a task to buy item {n}"), ("list", "Show me all my tasks")] * 10:
        n = len(results.get(kind, []))
        page.evaluate(TIMING)
        box.fill(message.format(n=n))
        box.press("Enter")
        page.wait_for_function("() => window.__timing.full !== undefined", timeout=30_000)
        timing = page.evaluate("() => window.__timing")
        results.setdefault(kind, []).append((timing["first"], timing["full"]))
    for kind, samples in results.items():
        first = [sample[0] for sample in samples]
        full = [sample[1] for sample in samples]
        print(
            f"\n{kind}: n={len(samples)} first token median {statistics.median(first):.0f} ms "
            f"(min {min(first):.0f}, max {max(first):.0f}); "
            f"full reply median {statistics.median(full):.0f} ms "
            f"(min {min(full):.0f}, max {max(full):.0f})"
        )


@pytest.mark.skipif(not os.environ.get("TODO_SHOTS_DIR"), reason="set TODO_SHOTS_DIR to take screenshots")
def test_screenshots_of_an_outage(page: Page, backend) -> None:
    out = Path(os.environ["TODO_SHOTS_DIR"])
    out.mkdir(parents=True, exist_ok=True)
    sign_up(page)
    send(page, "Add a task to buy groceries")
    backend.stop()
    box = page.get_by_role("textbox", name="Message")
    box.fill("Show me all my tasks")
    box.press("Enter")
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(out / f"outage-{width}.png"))
    backend.start()
    expect(page.get_by_text("This page keeps trying")).to_have_count(0, timeout=20_000)
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
