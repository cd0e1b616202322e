"""POST /api/{user_id}/chatkit: the ChatKit protocol over HTTP, parsed with the ChatKit SDK's own types.

Threads are the REST API's conversations and items its messages, so each UI reads the other's; replies come
from the same chat turn as /chat, with the offline model and with an OpenAI-compatible model (a local stub).
"""

from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from chatkit.types import (
    AssistantMessageItem,
    ClientEffectEvent,
    ErrorEvent,
    InferenceOptions,
    ItemsListParams,
    ItemsListReq,
    Page,
    Thread,
    ThreadAddUserMessageParams,
    ThreadCreatedEvent,
    ThreadCreateParams,
    ThreadDeleteParams,
    ThreadGetByIdParams,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadListParams,
    ThreadMetadata,
    ThreadRetryAfterItemParams,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsDeleteReq,
    ThreadsGetByIdReq,
    ThreadsListReq,
    ThreadsRetryAfterItemReq,
    ThreadStreamEvent,
    ThreadsUpdateReq,
    ThreadUpdatedEvent,
    ThreadUpdateParams,
    UserMessageInput,
    UserMessageItem,
    UserMessageTextContent,
    WorkflowItem,
    WorkflowTaskUpdated,
)
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from app.core.config import Settings
from app.main import create_app
from tests.conftest import TokenFactory, User
from tests.openai_stub import FINAL_TEXT, TITLE, OpenAIStub, running_openai_stub
from tests.test_chat_stream import StalledAgent, stream_until

EVENT = TypeAdapter[ThreadStreamEvent](ThreadStreamEvent)
THREADS = TypeAdapter(Page[ThreadMetadata])
ITEMS = TypeAdapter(Page[ThreadItem])


def text_input(text: str) -> UserMessageInput:
    return UserMessageInput(
        content=[UserMessageTextContent(text=text)], attachments=[], inference_options=InferenceOptions()
    )


def send(user: User, request: BaseModel | dict[str, Any]) -> httpx.Response:
    body = request.model_dump(mode="json") if isinstance(request, BaseModel) else request
    return user.post("/chatkit", json=body)


def stream(user: User, request: BaseModel) -> list[ThreadStreamEvent]:
    response = send(user, request)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_events(response.text)


def parse_events(text: str) -> list[ThreadStreamEvent]:
    """ChatKit's server-sent events: one `data: <event>` line each."""
    lines = [line for line in text.splitlines() if line.startswith("data: ")]
    return [EVENT.validate_json(line.removeprefix("data: ")) for line in lines]


def new_thread(user: User, text: str) -> list[ThreadStreamEvent]:
    return stream(user, ThreadsCreateReq(params=ThreadCreateParams(input=text_input(text))))


def say(user: User, thread_id: str, text: str) -> list[ThreadStreamEvent]:
    params = ThreadAddUserMessageParams(thread_id=thread_id, input=text_input(text))
    return stream(user, ThreadsAddUserMessageReq(params=params))


def items(user: User, thread_id: str, **options: Any) -> Page[ThreadItem]:
    params = ItemsListParams(
        thread_id=thread_id, **{"order": "asc", **options}
    )  # the protocol's default: desc
    response = send(user, ItemsListReq(params=params))
    assert response.status_code == 200, response.text
    return ITEMS.validate_json(response.text)


def done_items(events: list[ThreadStreamEvent]) -> list[ThreadItem]:
    return [event.item for event in events if isinstance(event, ThreadItemDoneEvent)]


def deltas_first(events: list[ThreadStreamEvent], item_id: str) -> ThreadStreamEvent:
    return next(e for e in events if isinstance(e, ThreadItemUpdatedEvent) and e.item_id == item_id)


def reply_text(events: list[ThreadStreamEvent]) -> str:
    [message] = [item for item in done_items(events) if isinstance(item, AssistantMessageItem)]
    return message.content[0].text


def test_a_new_thread_streams_the_user_message_tool_activity_and_the_reply(alice: User) -> None:
    events = new_thread(alice, "Add a task to buy milk")
    created = events[0]
    assert isinstance(created, ThreadCreatedEvent)
    [updated] = [event for event in events if isinstance(event, ThreadUpdatedEvent)]
    assert updated.thread.id == created.thread.id and updated.thread.title == "Add a task to buy milk"
    user_message, workflow, reply = done_items(events)
    assert isinstance(user_message, UserMessageItem)
    assert user_message.content[0].text == "Add a task to buy milk"
    assert isinstance(workflow, WorkflowItem)
    [task] = workflow.workflow.tasks
    assert task.status_indicator == "complete" and task.title.startswith("Added task #")  # type: ignore[union-attr]
    assert isinstance(reply, AssistantMessageItem) and "Buy milk" in reply.content[0].text
    # the reply was streamed in pieces, and the tool's progress before it
    deltas = [
        event.update.delta  # type: ignore[union-attr]
        for event in events
        if isinstance(event, ThreadItemUpdatedEvent) and event.item_id == reply.id
    ]
    assert len(deltas) >= 2 and "".join(deltas) == reply.content[0].text
    assert any(
        isinstance(e, ThreadItemUpdatedEvent) and isinstance(e.update, WorkflowTaskUpdated) for e in events
    )
    assert [task["title"] for task in alice.get("/tasks").json()] == ["Buy milk"]
    # the page is told to refresh its task list as soon as the tool has run
    [effect] = [event for event in events if isinstance(event, ClientEffectEvent)]
    assert effect.name == "tasks_changed" and events.index(effect) < events.index(
        deltas_first(events, reply.id)
    )


def test_the_user_message_keeps_its_id_and_the_thread_reads_back(alice: User) -> None:
    events = new_thread(alice, "Add a task to call the bank")
    thread_id = events[0].thread.id  # type: ignore[union-attr]
    say(alice, thread_id, "show my tasks")
    page = items(alice, thread_id)
    kinds = [item.type for item in page.data]
    assert kinds == [
        "user_message",
        "workflow",
        "assistant_message",
        "user_message",
        "workflow",
        "assistant_message",
    ]
    assert page.data[0].id == done_items(events)[0].id  # the streamed id names the stored row
    assert not page.has_more
    first_two = items(alice, thread_id, limit=2)
    assert first_two.has_more and [item.id for item in first_two.data] == [item.id for item in page.data[:2]]
    rest = items(alice, thread_id, after=first_two.after, limit=20)
    assert [item.id for item in rest.data] == [item.id for item in page.data[2:]]
    newest = items(alice, thread_id, order="desc", limit=1)
    assert newest.data[0].id == page.data[-1].id
    thread = Thread.model_validate_json(
        send(alice, ThreadsGetByIdReq(params=ThreadGetByIdParams(thread_id=thread_id))).text
    )
    assert [item.id for item in thread.items.data] == [item.id for item in page.data]


def test_threads_are_conversations_both_ways(alice: User) -> None:
    reply = alice.chat("Add a task to water the plants")  # the project's own chat
    thread_id = f"thr_{reply['conversation_id']}"
    listed = THREADS.validate_json(send(alice, ThreadsListReq(params=ThreadListParams())).text)
    assert [thread.id for thread in listed.data] == [thread_id]
    page = items(alice, thread_id)
    assert [item.type for item in page.data] == ["user_message", "workflow", "assistant_message"]
    assert page.data[-1].content[0].text == reply["response"]  # type: ignore[union-attr]
    # and a ChatKit thread continues in the project's chat
    events = new_thread(alice, "Add a task to feed the cat")
    conversation_id = int(events[0].thread.id.removeprefix("thr_"))  # type: ignore[union-attr]
    assert alice.chat("show my tasks", conversation_id)["conversation_id"] == conversation_id
    messages = alice.get(f"/conversations/{conversation_id}/messages").json()
    assert [message["role"] for message in messages] == ["user", "assistant"] * 2
    assert messages[1]["content"] == reply_text(events)
    assert messages[1]["tool_calls"][0]["name"] == "add_task"


def test_rename_and_delete_a_thread(alice: User) -> None:
    thread_id = new_thread(alice, "hello")[0].thread.id  # type: ignore[union-attr]
    renamed = send(
        alice, ThreadsUpdateReq(params=ThreadUpdateParams(thread_id=thread_id, title="  Errands "))
    )
    assert Thread.model_validate_json(renamed.text).title == "Errands"
    assert alice.get("/conversations").json()[0]["title"] == "Errands"
    blank = send(alice, ThreadsUpdateReq(params=ThreadUpdateParams(thread_id=thread_id, title="  ")))
    assert blank.status_code == 422 and blank.json()["message"] == "Please give a title; it can't be empty."
    assert send(alice, ThreadsDeleteReq(params=ThreadDeleteParams(thread_id=thread_id))).status_code == 200
    assert alice.get("/conversations").json() == []


def test_another_users_thread_is_not_found(alice: User, bob: User) -> None:
    thread_id = new_thread(alice, "Add a task to buy milk")[0].thread.id  # type: ignore[union-attr]
    requests: list[BaseModel] = [
        ItemsListReq(params=ItemsListParams(thread_id=thread_id)),
        ThreadsGetByIdReq(params=ThreadGetByIdParams(thread_id=thread_id)),
        ThreadsAddUserMessageReq(
            params=ThreadAddUserMessageParams(thread_id=thread_id, input=text_input("hi"))
        ),
        ThreadsUpdateReq(params=ThreadUpdateParams(thread_id=thread_id, title="mine now")),
        ThreadsDeleteReq(params=ThreadDeleteParams(thread_id=thread_id)),
    ]
    for request in requests:
        response = send(bob, request)
        assert (response.status_code, response.json()) == (404, {"detail": "Thread not found"}), request
    assert THREADS.validate_json(send(bob, ThreadsListReq(params=ThreadListParams())).text).data == []
    assert len(items(alice, thread_id).data) == 3  # untouched
    # and bob's token cannot be used on alice's path
    response = alice.client.post(f"/api/{alice.id}/chatkit", headers=bob.headers, json={})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "The body is not valid JSON."),
        (b"[]", 422, None),
        (b'{"type": "threads.explode", "params": {}}', 422, None),
        (b'{"type": "threads.create", "params": {}}', 422, None),
        (b'{"type": "attachments.delete", "params": {"attachment_id": "a"}}', 400, None),
        (
            b'{"type": "input.transcribe", "params": {"audio_base64": "", "mime_type": "audio/webm"}}',
            400,
            None,
        ),
        (b'{"type": "threads.get_by_id", "params": {"thread_id": "thr_x"}}', 404, "Thread not found"),
        (b'{"type": "items.list", "params": {"thread_id": "thr_99999999999999"}}', 404, "Thread not found"),
        (b'{"type": "items.list", "params": {"thread_id": "thr_2147483648"}}', 404, "Thread not found"),
    ],
)
def test_bad_payloads_get_a_clear_error(alice: User, body: bytes, status: int, message: str | None) -> None:
    response = alice.post("/chatkit", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    answer = response.json()
    sentence = answer.get("message") or answer["detail"]
    assert (isinstance(sentence, str) and sentence.endswith(".")) or sentence == "Thread not found"
    if message:
        assert sentence == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (" \n", "Please give a message; it can't be empty."),
        ("x" * 4001, "Messages can be at most 4,000 characters."),
    ],
)
def test_message_text_follows_the_chat_rules(alice: User, text: str, message: str) -> None:
    response = send(alice, ThreadsCreateReq(params=ThreadCreateParams(input=text_input(text))))
    assert (response.status_code, response.json()["message"]) == (422, message)
    assert alice.get("/conversations").json() == []  # nothing stored


def test_attachments_are_refused(alice: User) -> None:
    given = text_input("see this").model_copy(update={"attachments": ["atc_1"]})
    response = send(alice, ThreadsCreateReq(params=ThreadCreateParams(input=given)))
    assert response.status_code == 400 and "attachments" in response.json()["detail"]


def test_no_token_is_a_401(client: TestClient) -> None:
    assert client.post("/api/alice-id/chatkit", json={}).status_code == 401


def test_chatkit_is_not_in_the_openapi_document(client: TestClient) -> None:
    assert not any("chatkit" in path for path in client.get("/openapi.json").json()["paths"])


# ---- an OpenAI-compatible model (the local stub) ----------------------------------------------------------


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with running_openai_stub() as running:
        yield running


@pytest.fixture
def online_alice(
    settings: Settings, stub: OpenAIStub, app: FastAPI, make_token: TokenFactory
) -> Iterator[User]:
    # `app` is requested for its clean-up of the tables after the test.
    configured = Settings(
        **{**settings.model_dump(), "OPENAI_BASE_URL": stub.url, "OPENAI_MODEL": "stub-model"}
    )
    online = create_app(configured)
    with TestClient(online) as client:
        yield User(client, "alice-id", make_token("alice-id"))
    online.state.engine.dispose()


def test_an_online_model_answers_through_chatkit(online_alice: User, stub: OpenAIStub) -> None:
    events = new_thread(online_alice, "Please remember oat milk")
    assert reply_text(events) == FINAL_TEXT
    [workflow] = [item for item in done_items(events) if isinstance(item, WorkflowItem)]
    assert workflow.workflow.tasks[0].title.endswith(f'"{TITLE}"')  # type: ignore[union-attr]
    assert [task["title"] for task in online_alice.get("/tasks").json()] == [TITLE]
    assert all(body["stream"] is True for _, body in stub.requests)


def test_a_failing_model_is_an_error_event_for_a_person(online_alice: User, stub: OpenAIStub) -> None:
    stub.fail_with = 400
    events = new_thread(online_alice, "Please remember oat milk")
    [error] = [event for event in events if isinstance(event, ErrorEvent)]
    assert error.allow_retry and error.message and error.message.startswith("The assistant is unavailable")
    thread_id = events[0].thread.id  # type: ignore[union-attr]
    assert [item.type for item in items(online_alice, thread_id).data] == ["user_message"]  # kept for a retry
    assert isinstance(events[1], ThreadItemDoneEvent) and not any(
        isinstance(event, ThreadItemAddedEvent) for event in events
    )


def test_retry_answers_the_same_user_message_again(online_alice: User, stub: OpenAIStub) -> None:
    stub.fail_with = 400
    events = new_thread(online_alice, "Please remember oat milk")
    thread_id, user_message = events[0].thread.id, done_items(events)[0]  # type: ignore[union-attr]
    stub.fail_with = None
    params = ThreadRetryAfterItemParams(thread_id=thread_id, item_id=user_message.id)
    retried = stream(online_alice, ThreadsRetryAfterItemReq(params=params))
    assert reply_text(retried) == FINAL_TEXT
    page = items(online_alice, thread_id)
    assert [item.type for item in page.data] == ["user_message", "workflow", "assistant_message"]
    assert page.data[0].id == user_message.id  # answered, not stored twice
    # a retry of the first message again replaces its answer
    again = stream(online_alice, ThreadsRetryAfterItemReq(params=params))
    assert reply_text(again) == FINAL_TEXT
    messages = online_alice.get(f"/conversations/{thread_id.removeprefix('thr_')}/messages").json()
    assert [message["role"] for message in messages] == ["user", "assistant"]


def test_stop_keeps_what_was_said_and_done_marked_as_stopped(alice: User, app: FastAPI) -> None:
    app.state.chat_agent = StalledAgent()
    request = ThreadsCreateReq(params=ThreadCreateParams(input=text_input("Add milk and tell me a story")))
    body = request.model_dump_json().encode()
    text = anyio.run(stream_until, app, alice, "/chatkit", body, b"assistant_message.content_part.text_delta")
    events = parse_events(text)
    thread_id = events[0].thread.id  # type: ignore[union-attr]
    assert [item.type for item in items(alice, thread_id).data] == [
        "user_message",
        "workflow",
        "assistant_message",
    ]
    messages = alice.get(f"/conversations/{thread_id.removeprefix('thr_')}/messages").json()
    assert (messages[1]["status"], messages[1]["content"]) == ("stopped", "Added Milk, and now ")
    assert [call["summary"] for call in messages[1]["tool_calls"]] == ['Added task #7 "Milk"']
