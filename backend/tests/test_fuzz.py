"""No input produces a 500: hypothesis throws arbitrary ids, queries and JSON bodies at every endpoint."""

from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.routes.chatkit import SUPPORTED
from tests.conftest import User

ENDPOINTS = [
    ("GET", "/tasks"),
    ("POST", "/tasks"),
    ("GET", "/tasks/{id}"),
    ("PUT", "/tasks/{id}"),
    ("DELETE", "/tasks/{id}"),
    ("PATCH", "/tasks/{id}/complete"),
    ("POST", "/chat"),
    ("POST", "/chat/stream"),
    ("GET", "/conversations"),
    ("PATCH", "/conversations/{id}"),
    ("DELETE", "/conversations/{id}"),
    ("GET", "/conversations/{id}/messages"),
]
FIELDS = ["title", "description", "completed", "message", "conversation_id", "status", "id"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300)
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)
)
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4) | json_values
path_ids = st.integers().map(str) | st.text(min_size=1, max_size=30).map(lambda text: quote(text, safe=""))
queries = st.dictionaries(st.sampled_from(["status", "limit"]), st.text(max_size=20), max_size=2)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(endpoint=st.sampled_from(ENDPOINTS), path_id=path_ids, query=queries, body=bodies)
def test_no_input_is_a_server_error(
    alice: User, endpoint: tuple[str, str], path_id: str, query: dict, body: Any
) -> None:
    method, template = endpoint
    response = alice.request(method, template.replace("{id}", path_id), params=query, json=body)
    assert response.status_code < 500, response.text


@FUZZ
@given(raw=st.binary(max_size=200))
def test_raw_bytes_are_never_a_server_error(alice: User, raw: bytes) -> None:
    for path in ("/tasks", "/chat"):
        response = alice.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code < 500


@FUZZ
@given(message=st.text(min_size=1, max_size=300))
def test_any_chat_message_gets_a_reply(alice: User, message: str) -> None:
    response = alice.post("/chat", json={"message": message})
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["response"]


# What the endpoint serves, plus requests it refuses (a custom action, an attachment).
CHATKIT_TYPES = [*sorted(SUPPORTED), "threads.custom_action", "attachments.create"]
CHATKIT_FIELDS = ["thread_id", "item_id", "title", "limit", "after", "order", "input", "kind", "item_ids"]
thread_ids = st.sampled_from(["thr_1", "thr_0", "thr_2147483648", "msg_1", ""]) | st.text(max_size=20)
chatkit_params = st.dictionaries(
    st.sampled_from(CHATKIT_FIELDS), json_values | thread_ids, max_size=4
) | st.fixed_dictionaries(
    {
        "thread_id": thread_ids,
        "input": st.fixed_dictionaries(
            {
                "content": st.lists(
                    st.fixed_dictionaries({"type": st.just("input_text"), "text": st.text()})
                ),
                "attachments": st.lists(st.text(max_size=5), max_size=1),
                "inference_options": st.just({}),
            }
        ),
    }
)
chatkit_bodies = st.fixed_dictionaries({"type": st.sampled_from(CHATKIT_TYPES), "params": chatkit_params})


@FUZZ
@given(body=chatkit_bodies | bodies)
def test_no_chatkit_request_is_a_server_error(alice: User, body: Any) -> None:
    response = alice.post("/chatkit", json=body)
    assert response.status_code < 500, response.text
