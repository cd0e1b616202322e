"""A user's whole journey in a real browser: sign up, chat the task list into shape, sign out and back in."""

import re
import secrets

from flows import send, sign_in, sign_up, submit
from playwright.sync_api import Page, expect


def test_sign_up_chat_sign_out_and_resume(page: Page) -> None:
    tasks = page.get_by_role("complementary", name="Tasks")
    chat_log = page.get_by_role("log", name="Messages")
    email = sign_up(page)

    send(page, "Add a task to buy groceries")
    expect(chat_log.get_by_role("list", name="Actions taken")).to_contain_text("Added task")
    groceries = tasks.get_by_role("listitem").filter(has_text="Buy groceries")
    expect(groceries).to_have_count(1)
    task_id = re.search(r"#(\d+)", groceries.inner_text()).group(1)

    page.reload()  # the session, the open conversation and the task survive a reload
    expect(page).to_have_url(re.compile(r"/chat\?c=\d+$"))
    expect(chat_log).to_contain_text("Add a task to buy groceries")
    expect(groceries).to_have_count(1)

    send(page, f"Mark task {task_id} as complete")
    expect(chat_log).to_contain_text("Completed task")
    expect(tasks.get_by_role("checkbox", name="Mark 'Buy groceries' as pending")).to_be_checked()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.goto("/chat")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fchat"))

    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/chat$"))
    conversations = page.get_by_role("navigation", name="Conversations")
    # A conversation is titled after the start of its first message.
    conversations.get_by_role("button", name=re.compile("^Add a task to buy groceries")).click()
    expect(chat_log).to_contain_text("Add a task to buy groceries")
    expect(chat_log).to_contain_text(f"Mark task {task_id} as complete")
    expect(tasks.get_by_role("checkbox", name="Mark 'Buy groceries' as pending")).to_be_checked()


def test_wrong_password_is_refused_with_a_clear_message(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(f"nobody-{secrets.token_hex(4)}@example.com")
    page.get_by_label("Password").fill("not the password")
    submit(page, "Sign in")
    form = page.get_by_role("form", name="Sign in")
    expect(form.get_by_role("alert")).to_have_text("Wrong email or password. Please try again.")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_expired_session_signs_in_again_and_returns_to_the_chat(page: Page) -> None:
    email = sign_up(page)
    # Let the page finish its first loads, so the message below is the first request without a session.
    expect(page.get_by_text("No tasks yet. Ask the assistant to add one.")).to_be_visible()
    expect(page.get_by_text("No conversations yet.")).to_be_visible()
    page.context.clear_cookies()  # the session is gone, as when it expires

    box = page.get_by_role("textbox", name="Message")
    box.fill("Show me all my tasks")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fchat&reason=expired"))
    expect(page.get_by_role("status")).to_contain_text("Your session has expired")
    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/chat$"))
