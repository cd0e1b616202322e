"""What a user does in the browser tests: sign up or in, send a message and wait for the whole reply."""

import re
import secrets
from collections.abc import Callable

from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery"
# Better Auth allows 3 sign-ins and 3 sign-ups per 10 s from one address, and other suites share the address.
RATE_LIMIT_WINDOW_MS = 10_000
RATE_LIMIT_ATTEMPTS = 4
FINISHED_REPLY = 'li.message--assistant[aria-busy="false"]'


def finished_replies(page: Page):
    return page.get_by_role("log", name="Messages").locator(FINISHED_REPLY)


def send(page: Page, message: str, timeout: float = 30_000) -> None:
    """Send `message` and wait until its reply is complete (streamed to the end)."""
    before = finished_replies(page).count()
    box = page.get_by_role("textbox", name="Message")
    box.fill(message)
    box.press("Enter")
    expect(box).to_have_value("")
    expect(finished_replies(page)).to_have_count(before + 1, timeout=timeout)


def submit(page: Page, button: str) -> None:
    """Press an auth form's button; when the rate limiter refuses, wait out its window and press again."""
    until_not_rate_limited(page, lambda: page.get_by_role("button", name=button).click())


def until_not_rate_limited(page: Page, send: Callable[[], None]) -> None:
    """Send an auth form (`send`) as a user would, again after the rate limiter's window while it refuses."""
    rate_limited = page.get_by_text("Too many attempts")
    signed_in = page.get_by_role("textbox", name="Message")
    for _ in range(RATE_LIMIT_ATTEMPTS):
        send()
        signed_in.or_(page.get_by_role("form").get_by_role("alert")).first.wait_for()
        if not rate_limited.is_visible():
            return
        page.wait_for_timeout(RATE_LIMIT_WINDOW_MS)
        if signed_in.is_visible():  # the refusal seen was the previous attempt's, and this one went through
            return


def sign_up(page: Page) -> str:
    email = f"e2e-{secrets.token_hex(6)}@example.com"
    page.goto("/sign-up")
    page.get_by_label("Name").fill("E2E User")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign up")
    expect(page).to_have_url(re.compile(r"/chat$"))
    # The address changes when the client-side navigation commits; the chat page's metadata (its <title>)
    # may still be on its way. A user, and axe, meet the page once it has arrived.
    expect(page).to_have_title(re.compile(r"^Chat\b"))
    return email


def sign_in(page: Page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")


def conversation_id(page: Page) -> str:
    """The open conversation's id, from the address."""
    expect(page).to_have_url(re.compile(r"/chat\?c=\d+$"))
    return re.search(r"c=(\d+)", page.url).group(1)
