"""The user flow over HTTP through the frontend: sign-up, the contract's chat commands, REST, isolation."""

from typing import Any

from todo_release import TodoUser


def calls(reply: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(call["name"], call["arguments"]) for call in reply["tool_calls"]]


def titles(tasks: list[dict[str, Any]]) -> list[str]:
    return [task["title"] for task in tasks]


def says_not_found(reply: dict[str, Any]) -> bool:
    answer = reply["response"].lower()
    return any(words in answer for words in ("not found", "couldn't find", "could not find", "no task"))


def task_titled(user: TodoUser, words: str) -> dict[str, Any]:
    [task] = [task for task in user.tasks() if words.lower() in task["title"].lower()]
    return task


def test_a_conversation_with_the_contracts_commands(alice: TodoUser) -> None:
    reply = alice.chat("Add a task to buy groceries")
    conversation = reply["conversation_id"]
    [(name, arguments)] = calls(reply)
    assert (name, arguments["title"].lower()) == ("add_task", "buy groceries")
    groceries = task_titled(alice, "groceries")
    assert reply["response"]

    def say(message: str) -> dict[str, Any]:
        answer = alice.chat(message, conversation)
        assert answer["conversation_id"] == conversation
        return answer

    assert calls(say("Show me all my tasks"))[0] == ("list_tasks", {"status": "all"})
    assert calls(say("What's pending?"))[0][1]["status"] == "pending"

    assert calls(say(f"Mark task {groceries['id']} as complete"))[-1] == (
        "complete_task", {"task_id": groceries["id"]},
    )  # fmt: skip
    assert titles(alice.tasks("completed")) == [groceries["title"]]
    assert calls(say("What have I completed?"))[0][1]["status"] == "completed"

    alice.add_task("Team meeting prep")
    meeting = task_titled(alice, "meeting")
    deleted = calls(say("Delete the meeting task"))
    assert deleted[-1] == ("delete_task", {"task_id": meeting["id"]})
    assert "meeting" not in " ".join(titles(alice.tasks())).lower()

    assert calls(say(f"Change task {groceries['id']} to 'Call mom tonight'"))[-1] == (
        "update_task", {"task_id": groceries["id"], "title": "Call mom tonight"},
    )  # fmt: skip
    assert task_titled(alice, "call mom")["id"] == groceries["id"]

    [(name, arguments)] = calls(say("I need to remember to pay bills"))
    assert (name, arguments["title"].lower()) == ("add_task", "pay bills")

    history = alice.backend("GET", f"conversations/{conversation}/messages").json()
    assert [message["role"] for message in history] == ["user", "assistant"] * 8
    assert history[0]["content"] == "Add a task to buy groceries"


def test_the_agent_answers_an_unknown_task_kindly(alice: TodoUser) -> None:
    reply = alice.chat("Mark task 999999 as complete")
    assert says_not_found(reply)
    assert "999999" in reply["response"]


def test_rest_create_read_update_complete_delete(alice: TodoUser) -> None:
    created = alice.add_task("Water the plants", "the ones on the balcony")
    assert (created["title"], created["completed"]) == ("Water the plants", False)
    path = f"tasks/{created['id']}"
    assert alice.backend("GET", path).json()["description"] == "the ones on the balcony"

    updated = alice.backend("PUT", path, json={"title": "Water all plants"})
    assert (updated.status_code, updated.json()["title"]) == (200, "Water all plants")
    toggled = alice.backend("PATCH", f"{path}/complete")
    assert (toggled.status_code, toggled.json()["completed"]) == (200, True)
    assert titles(alice.tasks("pending")) == []

    assert alice.backend("DELETE", path).status_code == 204
    assert alice.backend("GET", path).status_code == 404


def test_rest_lists_newest_first(alice: TodoUser) -> None:
    for title in ("first", "second", "third"):
        alice.add_task(title)
    assert titles(alice.tasks()) == ["third", "second", "first"]


def test_rest_rejects_bad_input_with_422_naming_the_field(alice: TodoUser) -> None:
    empty = alice.backend("POST", "tasks", json={"title": ""})
    assert empty.status_code == 422
    assert "title" in empty.text
    long = alice.backend("POST", "tasks", json={"title": "x" * 201})
    assert long.status_code == 422
    assert alice.backend("GET", "tasks", params={"status": "someday"}).status_code == 422
    assert alice.backend("GET", "tasks/not-a-number").status_code == 422


def test_users_never_see_or_touch_each_others_tasks(alice: TodoUser, bob: TodoUser) -> None:
    secret = alice.add_task("Alice's surprise party")
    path = f"tasks/{secret['id']}"
    assert titles(bob.tasks()) == []
    assert bob.backend("GET", path).status_code == 404
    assert bob.backend("PUT", path, json={"title": "hijacked"}).status_code == 404
    assert bob.backend("PATCH", f"{path}/complete").status_code == 404
    assert bob.backend("DELETE", path).status_code == 404

    reply = bob.chat(f"Delete task {secret['id']}")
    assert says_not_found(reply)
    assert bob.backend("GET", f"conversations/{reply['conversation_id']}/messages").status_code == 200
    assert alice.backend("GET", f"conversations/{reply['conversation_id']}/messages").status_code == 404
    assert titles(alice.tasks()) == ["Alice's surprise party"]
