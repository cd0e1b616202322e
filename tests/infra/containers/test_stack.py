"""The three images together on a private network: a user signs up and chats through the frontend."""

import uuid

import requests
from container_support import Stack

REQUEST_TIMEOUT_SECONDS = 60


def test_ports_are_published_on_loopback_only(stack: Stack) -> None:
    for container in (stack.backend, stack.frontend, stack.postgres):
        container.reload()
        bindings = [binding for published in container.ports.values() for binding in published or []]
        assert all(binding["HostIp"] == "127.0.0.1" for binding in bindings), container.name
    assert stack.postgres.ports.get("5432/tcp") is None, "PostgreSQL must not be published at all"


def test_sign_up_then_a_chat_turn_creates_the_task(stack: Stack) -> None:
    """Better Auth, the frontend's proxy, the backend's JWT check against the JWKS, the agent, the DB."""
    browser = requests.Session()
    browser.headers["Origin"] = stack.base_url  # Better Auth checks the origin of state-changing requests
    email = f"container-test-{uuid.uuid4().hex[:10]}@example.com"

    signed_up = browser.post(
        f"{stack.base_url}/api/auth/sign-up/email",
        json={"name": "Container Test", "email": email, "password": "a long and unguessable passphrase"},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert signed_up.status_code == 200, signed_up.text
    # Sign-up starts no session (it answers alike for a taken email): sign in, as the app's form does.
    signed_in = browser.post(
        f"{stack.base_url}/api/auth/sign-in/email",
        json={"email": email, "password": "a long and unguessable passphrase"},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert signed_in.status_code == 200, signed_in.text
    assert browser.cookies, "sign-in set no session cookie"

    turn = browser.post(
        f"{stack.base_url}/api/backend/chat",
        json={"message": "Add a task to buy groceries"},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert turn.status_code == 200, turn.text
    assert [call["name"] for call in turn.json()["tool_calls"]] == ["add_task"]

    tasks = browser.get(f"{stack.base_url}/api/backend/tasks", timeout=REQUEST_TIMEOUT_SECONDS)
    assert tasks.status_code == 200, tasks.text
    assert ["groceries" in task["title"].lower() for task in tasks.json()] == [True]


def test_the_backend_refuses_requests_without_a_token(stack: Stack) -> None:
    response = requests.get(f"{stack.backend_url}/api/someone/tasks", timeout=REQUEST_TIMEOUT_SECONDS)
    assert response.status_code == 401
