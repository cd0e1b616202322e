"""The tasks REST API: every endpoint and status code of the contract, validation and isolation."""

import pytest

from tests.conftest import User


def test_create_read_update_delete(alice: User) -> None:
    created = alice.add_task("  Buy groceries  ", description="milk, eggs")
    assert created["title"] == "Buy groceries"
    assert created["description"] == "milk, eggs"
    assert created["completed"] is False
    assert created["created_at"].endswith("+00:00")

    assert alice.get(f"/tasks/{created['id']}").json() == created

    updated = alice.request("PUT", f"/tasks/{created['id']}", json={"title": "Buy food", "completed": True})
    assert updated.status_code == 200
    assert updated.json()["title"] == "Buy food"
    assert updated.json()["completed"] is True
    assert updated.json()["description"] == "milk, eggs"

    assert alice.request("DELETE", f"/tasks/{created['id']}").status_code == 204
    assert alice.get(f"/tasks/{created['id']}").status_code == 404
    assert alice.request("DELETE", f"/tasks/{created['id']}").status_code == 404


def test_empty_or_null_description_clears_it(alice: User) -> None:
    for cleared in ("", None):
        task = alice.add_task("Call mom", description="about the weekend")
        response = alice.request("PUT", f"/tasks/{task['id']}", json={"description": cleared})
        assert response.json()["description"] is None
        assert response.json()["title"] == "Call mom"


def test_null_title_and_completed_change_nothing(alice: User) -> None:
    task = alice.add_task("Call mom", description="about the weekend")
    response = alice.request("PUT", f"/tasks/{task['id']}", json={"title": None, "completed": None})
    assert response.status_code == 200
    assert {key: response.json()[key] for key in ("title", "description", "completed")} == {
        "title": "Call mom",
        "description": "about the weekend",
        "completed": False,
    }


def test_patch_complete_toggles(alice: User) -> None:
    task = alice.add_task("Pay bills")
    first = alice.request("PATCH", f"/tasks/{task['id']}/complete")
    assert first.status_code == 200
    assert first.json()["completed"] is True
    assert alice.request("PATCH", f"/tasks/{task['id']}/complete").json()["completed"] is False


def test_list_is_newest_first_and_filters_by_status(alice: User) -> None:
    ids = [alice.add_task(title)["id"] for title in ("first", "second", "third")]
    alice.request("PATCH", f"/tasks/{ids[1]}/complete")

    assert [task["id"] for task in alice.get("/tasks").json()] == ids[::-1]
    assert [task["id"] for task in alice.get("/tasks", params={"status": "all"}).json()] == ids[::-1]
    assert [task["id"] for task in alice.get("/tasks", params={"status": "pending"}).json()] == [
        ids[2],
        ids[0],
    ]
    assert [task["id"] for task in alice.get("/tasks", params={"status": "completed"}).json()] == [ids[1]]


def test_unicode_round_trips(alice: User) -> None:
    title = "Acheter du pain 🥖 — 買い物 ✓"
    task = alice.add_task(title, description="ünïcödé " * 10)
    assert alice.get(f"/tasks/{task['id']}").json()["title"] == title


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 42}, "title"),
        ({"title": None}, "title"),
        ({"title": "nul\x00byte"}, "title"),
        ({"title": "ok", "description": "x" * 1001}, "description"),
        ({"title": "ok", "description": ["a"]}, "description"),
    ],
)
def test_invalid_create_bodies_are_422_naming_the_field(alice: User, body: dict, field: str) -> None:
    response = alice.post("/tasks", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_boundary_lengths_are_accepted(alice: User) -> None:
    task = alice.add_task("x" * 200, description="y" * 1000)
    assert len(task["title"]) == 200


@pytest.mark.parametrize(
    "payload",
    [b"{not json", b"", b"[]", b'"title"', b"null"],
)
def test_malformed_json_is_422(alice: User, payload: bytes) -> None:
    response = alice.post("/tasks", content=payload, headers={"Content-Type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("path", "method", "field"),
    [
        ("/tasks/99999999999999999999", "GET", "task_id"),
        ("/tasks/2147483648", "GET", "task_id"),
        ("/tasks/0", "GET", "task_id"),
        ("/tasks/-1", "DELETE", "task_id"),
        ("/tasks/abc", "PUT", "task_id"),
        ("/tasks/1.5/complete", "PATCH", "task_id"),
        ("/tasks?status=done", "GET", "status"),
        ("/conversations/99999999999999/messages", "GET", "conversation_id"),
    ],
)
def test_invalid_path_and_query_parameters_are_422(alice: User, path: str, method: str, field: str) -> None:
    response = alice.request(method, path, json={"title": "x"} if method == "PUT" else None)
    assert response.status_code == 422
    assert field in [error["loc"][-1] for error in response.json()["detail"]]


def test_largest_valid_id_is_a_plain_404(alice: User) -> None:
    assert alice.get("/tasks/2147483647").status_code == 404


def test_update_with_invalid_field_is_422(alice: User) -> None:
    task = alice.add_task("Read a book")
    response = alice.request("PUT", f"/tasks/{task['id']}", json={"completed": "maybe"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "completed"


def test_users_cannot_see_or_touch_each_others_tasks(alice: User, bob: User) -> None:
    secret = alice.add_task("Alice's secret")
    bob.add_task("Bob's task")
    path = f"/tasks/{secret['id']}"

    assert [task["title"] for task in bob.get("/tasks").json()] == ["Bob's task"]
    assert bob.get(path).status_code == 404
    assert bob.request("PUT", path, json={"title": "hacked"}).status_code == 404
    assert bob.request("PATCH", f"{path}/complete").status_code == 404
    assert bob.request("DELETE", path).status_code == 404
    assert bob.get(path).json() == alice.get("/tasks/2147483647").json()  # indistinguishable from missing
    assert alice.get(path).json()["title"] == "Alice's secret"
    assert alice.get(path).json()["completed"] is False
