"""Any OpenAI-compatible model: OPENAI_BASE_URL and OPENAI_API_FLAVOUR, against a local stub over real HTTP.

For each flavour and each chat endpoint, the model's tool call must create the task through the MCP tool,
and its final text must be the reply.
"""

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from app.core.config import Settings
from app.main import create_app
from tests.conftest import TokenFactory, User, clean_tables, serve
from tests.openai_stub import CALL_ID, FINAL_TEXT, TITLE, OpenAIStub, running_openai_stub
from tests.support import JWKSServer

FLAVOURS = ["responses", "chat_completions"]
PATHS = {"responses": "/v1/responses", "chat_completions": "/v1/chat/completions"}


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with running_openai_stub() as running:
        yield running


@pytest.fixture(params=FLAVOURS)
def online_app(
    request: pytest.FixtureRequest, settings: Settings, stub: OpenAIStub, app: FastAPI
) -> Iterator[tuple[str, FastAPI]]:
    # `app` is requested for its clean-up of the tables after the test.
    configured = Settings(
        **{
            **settings.model_dump(),
            "OPENAI_BASE_URL": stub.url,
            "OPENAI_API_FLAVOUR": request.param,
            "OPENAI_MODEL": "stub-model",
        }
    )
    online = create_app(configured)
    yield request.param, online
    online.state.engine.dispose()


@pytest.fixture
def online_alice(online_app: tuple[str, FastAPI], make_token: TokenFactory) -> Iterator[User]:
    with TestClient(online_app[1]) as client:
        yield User(client, "alice-id", make_token("alice-id"))


def test_a_tool_call_creates_the_task_through_the_json_endpoint(
    online_alice: User, online_app: tuple[str, FastAPI], stub: OpenAIStub
) -> None:
    reply = online_alice.chat("Please remember oat milk")
    assert reply["response"] == FINAL_TEXT
    [call] = reply["tool_calls"]
    assert (call["call_id"], call["name"], call["arguments"], call["ok"]) == (
        CALL_ID,
        "add_task",
        {"title": TITLE},
        True,
    )
    assert [task["title"] for task in online_alice.get("/tasks").json()] == [TITLE]
    flavour = online_app[0]
    assert [path for path, _ in stub.requests] == [PATHS[flavour]] * 2
    assert all(body["model"] == "stub-model" and not body.get("stream") for _, body in stub.requests)


def test_a_tool_call_creates_the_task_through_the_stream(online_alice: User, stub: OpenAIStub) -> None:
    events = online_alice.stream("Please remember oat milk")
    names = [name for name, _ in events]
    assert names[0] == "start" and names[-1] == "done"
    assert names.index("tool_call") < names.index("tool_result") < names.index("delta")
    deltas = [data["text"] for name, data in events if name == "delta"]
    assert len(deltas) == 2 and "".join(deltas) == FINAL_TEXT == events[-1][1]["response"]
    result = next(data for name, data in events if name == "tool_result")
    assert result["summary"].startswith("Added task #") and result["summary"].endswith(f'"{TITLE}"')
    assert [task["title"] for task in online_alice.get("/tasks").json()] == [TITLE]
    assert all(body["stream"] is True for _, body in stub.requests)
    conversation = events[0][1]["conversation_id"]
    [_, stored] = online_alice.get(f"/conversations/{conversation}/messages").json()
    assert stored["content"] == FINAL_TEXT and stored["tool_calls"][0]["name"] == "add_task"


def test_a_failing_model_service_is_a_503_naming_the_stored_message(
    online_alice: User, stub: OpenAIStub
) -> None:
    stub.fail_with = 400  # not retried by the client, so the test stays quick
    response = online_alice.post("/chat", json={"message": "Please remember oat milk"})
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "model_unavailable" and body["retryable"] is True
    assert body["user_message_id"] >= 1 and body["conversation_id"] >= 1
    stub.fail_with = None
    retried = online_alice.chat("Please remember oat milk", body["conversation_id"])
    messages = online_alice.get(f"/conversations/{body['conversation_id']}/messages").json()
    assert [message["id"] for message in messages] == [body["user_message_id"], retried["message_id"]]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_stop_over_real_http_stores_the_words_so_far(
    flavour: str, database_url: URL, jwks_server: JWKSServer, make_token: TokenFactory, tmp_path: Path
) -> None:
    """uvicorn, a model that stalls after its first words, and a client that goes away (the Stop button)."""
    with running_openai_stub() as stub:
        stub.stall = threading.Event()
        model = {"OPENAI_BASE_URL": stub.url, "OPENAI_API_FLAVOUR": flavour}
        try:
            with serve(database_url, jwks_server.url, tmp_path / "uvicorn.log", model) as served:
                headers = {"Authorization": f"Bearer {make_token('alice-id')}"}
                conversation = _stream_until_first_delta(served.url, headers)
                messages = _wait_for_reply(served.url, headers, conversation)
        finally:
            stub.stall.set()
            clean_tables(database_url)
    stopped = messages[-1]
    assert (stopped["role"], stopped["status"]) == ("assistant", "stopped")
    assert stopped["content"] == FINAL_TEXT[: len(FINAL_TEXT) // 2]
    assert [call["name"] for call in stopped["tool_calls"]] == ["add_task"]  # done before Stop, kept


def _stream_until_first_delta(base_url: str, headers: dict[str, str]) -> int:
    with httpx.stream(
        "POST",
        f"{base_url}/api/alice-id/chat/stream",
        headers=headers,
        json={"message": "oat milk"},
        timeout=30,
    ) as response:
        for line in response.iter_lines():
            if line.startswith("data: ") and "conversation_id" in line:
                conversation = json.loads(line.removeprefix("data: "))["conversation_id"]
            if line == "event: delta":
                return conversation
    raise AssertionError("no delta came")


def _wait_for_reply(base_url: str, headers: dict[str, str], conversation: int) -> list[dict[str, Any]]:
    url = f"{base_url}/api/alice-id/conversations/{conversation}/messages"
    for _ in range(100):
        messages = httpx.get(url, headers=headers).json()
        if len(messages) == 2:
            return messages
        time.sleep(0.1)
    raise AssertionError(f"the stopped turn was not stored: {messages}")
