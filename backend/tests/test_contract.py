"""The OpenAPI contract: every error a route can answer is declared with its body; the text rules are in the
schema. (bench/contract.py runs schemathesis against the served app for the full check.)"""

import re

import pytest
from fastapi import FastAPI

from scripts.openapi import DOCUMENT, openapi_document, render
from tests.conftest import User


def test_every_route_declares_its_errors(app: FastAPI) -> None:
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"401", "403", "422", "503"} <= declared, (method, path)
            names_a_row = "{task_id}" in path or "{conversation_id}" in path or "/chat" in path
            assert ("404" in declared) == names_a_row, (method, path)
            assert ("400" in declared) == ("requestBody" in operation), (method, path)
            for code in declared - {"200", "201", "204"}:
                assert "application/json" in operation["responses"][code]["content"], (method, path, code)


def test_text_rules_are_in_the_schema(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    title = schemas["TaskCreate"]["properties"]["title"]
    assert title["maxLength"] == 200
    assert schemas["ChatRequest"]["properties"]["message"]["maxLength"] == 4000
    assert schemas["MessagePublic"]["properties"]["tool_calls"]["default"] == []


# Characters whose "space-ness" differs between regex dialects and string libraries (found by schemathesis:
# U+0085 is a space to Python and pydantic but not to ECMAScript's `\s`; U+FEFF the other way round).
@pytest.mark.parametrize(
    "character", [" ", "\t", "\x85", "\xa0", "\u2028", "\u3000", "\ufeff", "\x1c", "\u200b"]
)
def test_the_schema_and_the_server_agree_on_blank_text(app: FastAPI, alice: User, character: str) -> None:
    pattern = app.openapi()["components"]["schemas"]["TaskCreate"]["properties"]["title"]["pattern"]
    schema_accepts = re.search(pattern, character * 3) is not None
    response = alice.post("/tasks", json={"title": character * 3})
    assert response.status_code == (201 if schema_accepts else 422)


def test_method_not_allowed_names_every_method_of_the_path(alice: User) -> None:
    response = alice.request("OPTIONS", "/tasks/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PUT"


def test_request_bodies_take_json_types_as_they_are(alice: User) -> None:
    task = alice.add_task("Strict")
    assert alice.request("PUT", f"/tasks/{task['id']}", json={"completed": 0}).status_code == 422
    assert alice.post("/chat", json={"message": "hi", "conversation_id": "1"}).status_code == 422
    assert alice.post("/chat", json={"message": "hi", "conversation_id": 999999.0}).status_code == 404


def test_the_committed_contract_is_the_served_one() -> None:
    # docs/openapi.json is what the frontend's types are generated from: it must not lag behind the code.
    assert DOCUMENT.read_text() == render(openapi_document()), "run `python -m scripts.openapi` in backend/"
