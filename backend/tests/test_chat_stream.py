"""POST /chat/stream: the event protocol, Stop (client disconnect), model failures and retries, stored tool
actions, and friendly tool errors; plus conversation rename and delete."""

import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from agents.items import TResponseInputItem
from fastapi import FastAPI

from app.agent.offline_model import OfflineModel, _call, _message
from app.agent.pipeline import AgentUnavailable, ChatAgent, TurnEvent
from app.agent.tools import ChatContext
from tests.conftest import User
from tests.support import parse_sse


def names(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [name for name, _ in events]


def test_a_turn_streams_start_deltas_tool_events_and_done(alice: User) -> None:
    events = alice.stream("Add a task to buy milk")
    assert names(events)[0] == "start" and names(events)[-1] == "done"
    start, done = events[0][1], events[-1][1]
    tool_call = next(data for name, data in events if name == "tool_call")
    tool_result = next(data for name, data in events if name == "tool_result")
    assert (tool_call["name"], tool_call["arguments"]) == ("add_task", {"title": "Buy milk"})
    assert tool_result["call_id"] == tool_call["call_id"] and tool_result["ok"] is True
    task_id = tool_result["result"]["task_id"]
    assert tool_result["summary"] == f'Added task #{task_id} "Buy milk"'
    deltas = [data["text"] for name, data in events if name == "delta"]
    assert len(deltas) >= 2 and "".join(deltas) == done["response"]  # streamed in pieces, nothing lost
    assert names(events).index("tool_result") < names(events).index("delta")
    assert done["conversation_id"] == start["conversation_id"]
    assert [call["name"] for call in done["tool_calls"]] == ["add_task"]
    messages = alice.get(f"/conversations/{start['conversation_id']}/messages").json()
    assert [message["id"] for message in messages] == [start["user_message_id"], done["message_id"]]


def test_the_stream_is_not_buffered_by_proxies(alice: User) -> None:
    response = alice.post("/chat/stream", json={"message": "hello"})
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"


def test_tool_actions_survive_a_reload(alice: User) -> None:
    reply = alice.chat("Add a task to call the bank")
    listed = alice.chat("show my tasks", reply["conversation_id"])
    messages = alice.get(f"/conversations/{reply['conversation_id']}/messages").json()
    assert [message["status"] for message in messages] == ["complete"] * 4
    assert messages[0]["tool_calls"] == [] and messages[2]["tool_calls"] == []
    [added] = messages[1]["tool_calls"]
    assert added == {
        "call_id": reply["tool_calls"][0]["call_id"],
        "name": "add_task",
        "arguments": {"title": "Call the bank"},
        "ok": True,
        "summary": reply["tool_calls"][0]["summary"],
    }
    assert messages[3]["tool_calls"][0]["summary"] == "Listed 1 task"
    assert listed["tool_calls"][0]["summary"] == "Listed 1 task"


def test_a_too_long_title_is_explained_kindly(alice: User) -> None:
    reply = alice.chat("Add a task to " + "paint the fence " * 20)
    [call] = reply["tool_calls"]
    assert call["ok"] is False
    assert call["summary"] == "Couldn't add the task: Titles can be at most 200 characters."
    assert "Titles can be at most 200 characters." in reply["response"]
    for developer_text in ("pydantic", "Error executing", "validation error", "Arguments"):
        assert developer_text not in reply["response"] + call["summary"]


def test_a_too_long_message_is_one_sentence(alice: User) -> None:
    response = alice.post("/chat/stream", json={"message": "x" * 5000})
    assert response.status_code == 422
    assert response.json()["message"] == "Messages can be at most 4,000 characters."
    assert response.json()["detail"][0]["loc"] == ["body", "message"]


# ---- model failures, retries and Stop ----------------------------------------------------------------------


class FailingAgent:
    """Fails after it has started, as a model service that goes down mid-turn does."""

    async def stream(
        self, context: ChatContext, history: list[TResponseInputItem], live: bool = True
    ) -> AsyncIterator[TurnEvent]:
        raise AgentUnavailable(
            "The assistant is unavailable right now. Your message is saved: send it again."
        )
        yield  # pragma: no cover - makes this an async generator


def test_a_model_failure_names_the_stored_message_and_a_retry_does_not_duplicate_it(
    alice: User, app: FastAPI
) -> None:
    working = app.state.chat_agent
    app.state.chat_agent = FailingAgent()
    events = alice.stream("Add a task to water the plants")
    assert names(events) == ["start", "error"]
    start, error = events[0][1], events[1][1]
    assert error["code"] == "model_unavailable" and error["retryable"] is True
    assert "send it again" in error["message"]
    assert (error["conversation_id"], error["user_message_id"]) == (
        start["conversation_id"],
        start["user_message_id"],
    )
    conversation = start["conversation_id"]
    failed = alice.post(
        "/chat", json={"message": "Add a task to water the plants", "conversation_id": conversation}
    )
    assert failed.status_code == 503
    assert failed.json()["user_message_id"] == start["user_message_id"]
    assert failed.json()["detail"] == error["message"]

    app.state.chat_agent = working
    retried = alice.chat("Add a task to water the plants", conversation)
    assert retried["tool_calls"][0]["name"] == "add_task"
    messages = alice.get(f"/conversations/{conversation}/messages").json()
    assert [(message["role"], message["id"]) for message in messages] == [
        ("user", start["user_message_id"]),
        ("assistant", retried["message_id"]),
    ]
    assert len(alice.get("/tasks").json()) == 1


class StalledAgent:
    """Adds a task, says a few words, then waits for ever (until the user presses Stop)."""

    async def stream(
        self, context: ChatContext, history: list[TResponseInputItem], live: bool = True
    ) -> AsyncIterator[TurnEvent]:
        call = context.record(
            "call_1", "add_task", {"title": "Milk"}, {"task_id": 7, "status": "created", "title": "Milk"}
        )
        yield TurnEvent(
            "tool_call", {"call_id": call.call_id, "name": call.name, "arguments": call.arguments}
        )
        yield TurnEvent("delta", {"text": "Added Milk, and now "})
        await anyio.sleep_forever()


async def stream_until_first_delta(
    app: FastAPI, user: User, message: str
) -> list[tuple[str, dict[str, Any]]]:
    body = json.dumps({"message": message}).encode()
    return parse_sse(await stream_until(app, user, "/chat/stream", body, b"event: delta"))


async def stream_until(app: FastAPI, user: User, path: str, body: bytes, marker: bytes) -> str:
    """Drive the ASGI app directly; disconnect once `marker` has been sent, as the Stop button does."""
    sent: list[bytes] = []
    got_delta = anyio.Event()
    requests = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if requests:
            return requests.pop()
        await got_delta.wait()
        return {"type": "http.disconnect"}

    async def send(event: dict[str, Any]) -> None:
        sent.append(event.get("body", b""))
        if marker in event.get("body", b""):
            got_delta.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/api/{user.id}{path}",
        "raw_path": f"/api/{user.id}{path}".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"authorization", f"Bearer {user.token}".encode()),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    with anyio.fail_after(20):
        await app(scope, receive, send)
    return b"".join(sent).decode()


def test_stop_keeps_what_was_said_and_done_marked_as_stopped(alice: User, app: FastAPI) -> None:
    app.state.chat_agent = StalledAgent()
    events = anyio.run(stream_until_first_delta, app, alice, "Add milk and tell me a story")
    assert names(events) == ["start", "tool_call", "delta"]
    conversation = events[0][1]["conversation_id"]
    messages = alice.get(f"/conversations/{conversation}/messages").json()
    assert [message["role"] for message in messages] == ["user", "assistant"]
    stopped = messages[1]
    assert (stopped["status"], stopped["content"]) == ("stopped", "Added Milk, and now ")
    assert [call["summary"] for call in stopped["tool_calls"]] == ['Added task #7 "Milk"']


# ---- what the model gets wrong goes back to it -------------------------------------------------------------


class ClumsyModel(OfflineModel):
    """Calls a tool that does not exist, then add_task with arguments that are not JSON, then gives up."""

    async def get_response(self, system_instructions: Any, input: Any, *args: Any, **kwargs: Any) -> Any:
        response = await super().get_response(system_instructions, input, *args, **kwargs)
        outputs = [
            item for item in input if isinstance(item, dict) and item.get("type") == "function_call_output"
        ]
        if len(outputs) == 0:
            response.output = [_call("fly_to_the_moon", destination="moon")]
        elif len(outputs) == 1:
            broken = _call("add_task", title="x")
            broken.arguments = "{not json"
            response.output = [broken]
        else:
            response.output = [_message("Sorry, something went wrong on my side.")]
        return response


def test_unknown_tools_and_bad_arguments_go_back_to_the_model(alice: User, app: FastAPI) -> None:
    agent: ChatAgent = app.state.chat_agent
    app.state.chat_agent = ChatAgent(agent.agent, dataclasses.replace(agent.run_config, model=ClumsyModel()))
    events = alice.stream("Add a task to fly")
    assert names(events)[-1] == "done"
    results = [data for name, data in events if name == "tool_result"]
    assert [(result["name"], result["ok"]) for result in results] == [
        ("fly_to_the_moon", False),
        ("add_task", False),
    ]
    assert "not a JSON object" in results[1]["summary"]
    assert alice.get("/tasks").json() == []


# ---- conversations: rename and delete ----------------------------------------------------------------------


def test_conversations_can_be_renamed_and_deleted(alice: User, bob: User) -> None:
    conversation = alice.chat("hello")["conversation_id"]
    renamed = alice.request("PATCH", f"/conversations/{conversation}", json={"title": "  Groceries  "})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Groceries"
    assert alice.get("/conversations").json()[0]["title"] == "Groceries"
    too_long = alice.request("PATCH", f"/conversations/{conversation}", json={"title": "x" * 81})
    assert too_long.status_code == 422
    assert (
        too_long.json()["message"] == "Title values can be at most 80 characters."
        or "80" in too_long.json()["message"]
    )
    assert bob.request("PATCH", f"/conversations/{conversation}", json={"title": "mine"}).status_code == 404
    assert bob.request("DELETE", f"/conversations/{conversation}").status_code == 404
    assert alice.request("DELETE", f"/conversations/{conversation}").status_code == 204
    assert alice.get(f"/conversations/{conversation}/messages").status_code == 404
    assert alice.get("/conversations").json() == []
    assert alice.request("DELETE", f"/conversations/{conversation}").status_code == 404
