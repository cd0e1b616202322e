"""The stateless chat cycle through POST /chat, the conversation history, and isolation through the agent."""

from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import User


def test_the_contracts_phrases_end_to_end(alice: User) -> None:
    groceries = alice.chat("Add a task to buy groceries")
    task_id = groceries["tool_calls"][0]["result"]["task_id"]
    assert groceries["tool_calls"] == [
        {
            "call_id": groceries["tool_calls"][0]["call_id"],
            "name": "add_task",
            "arguments": {"title": "Buy groceries"},
            "ok": True,
            "summary": f'Added task #{task_id} "Buy groceries"',
            "result": {"task_id": task_id, "status": "created", "title": "Buy groceries"},
        }
    ]
    assert groceries["tool_calls"][0]["call_id"].startswith("call_")
    assert "Buy groceries" in groceries["response"]
    conversation = groceries["conversation_id"]
    meeting_id = alice.add_task("Team meeting")["id"]
    groceries_id = groceries["tool_calls"][0]["result"]["task_id"]

    bills = alice.chat("I need to remember to pay bills", conversation)
    assert [(call["name"], call["arguments"]) for call in bills["tool_calls"]] == [
        ("add_task", {"title": "Pay bills"})
    ]

    listed = alice.chat("Show me all my tasks", conversation)
    assert listed["tool_calls"][0]["arguments"] == {"status": "all"}
    assert [task["title"] for task in listed["tool_calls"][0]["result"]] == [
        "Pay bills",
        "Team meeting",
        "Buy groceries",
    ]
    assert "Pay bills" in listed["response"] and "Team meeting" in listed["response"]

    done = alice.chat(f"Mark task {groceries_id} as complete", conversation)
    assert done["tool_calls"][0]["name"] == "complete_task"
    assert done["tool_calls"][0]["result"]["status"] == "completed"
    assert "complete" in done["response"]

    pending = alice.chat("What's pending?", conversation)
    assert [task["title"] for task in pending["tool_calls"][0]["result"]] == ["Pay bills", "Team meeting"]

    completed = alice.chat("What have I completed?", conversation)
    assert completed["tool_calls"][0]["arguments"] == {"status": "completed"}
    assert [task["title"] for task in completed["tool_calls"][0]["result"]] == ["Buy groceries"]

    renamed = alice.chat(f"Change task {groceries_id} to 'Call mom tonight'", conversation)
    assert renamed["tool_calls"][0]["arguments"] == {"task_id": groceries_id, "title": "Call mom tonight"}
    assert "Call mom tonight" in renamed["response"]

    deleted = alice.chat("Delete the meeting task", conversation)
    assert [call["name"] for call in deleted["tool_calls"]] == ["list_tasks", "delete_task"]
    assert deleted["tool_calls"][1]["arguments"] == {"task_id": meeting_id}
    assert alice.get(f"/tasks/{meeting_id}").status_code == 404
    assert {response["conversation_id"] for response in (bills, listed, done, deleted)} == {conversation}


def test_history_is_stored_and_listed_oldest_first(alice: User) -> None:
    first = alice.chat("Add a task to water the plants")
    second = alice.chat("Show my tasks", first["conversation_id"])
    messages = alice.get(f"/conversations/{first['conversation_id']}/messages").json()
    assert [(message["role"], message["content"]) for message in messages] == [
        ("user", "Add a task to water the plants"),
        ("assistant", first["response"]),
        ("user", "Show my tasks"),
        ("assistant", second["response"]),
    ]


def test_conversations_are_listed_most_recent_first_with_a_title(alice: User) -> None:
    older = alice.chat("hello")["conversation_id"]
    newer = alice.chat("Add a task to " + "plan the   trip " * 10)["conversation_id"]
    listed = alice.get("/conversations").json()
    assert [item["id"] for item in listed] == [newer, older]
    assert listed[1]["title"] == "hello"
    assert listed[0]["title"].startswith("Add a task to plan the trip plan")
    assert len(listed[0]["title"]) <= 80 and listed[0]["title"].endswith("\u2026")
    alice.chat("thanks", older)
    assert [item["id"] for item in alice.get("/conversations").json()] == [older, newer]


def test_a_conversation_resumes_after_a_restart(alice: User, app, settings) -> None:
    conversation = alice.chat("Add a task to book flights")["conversation_id"]
    with TestClient(create_app(settings)) as restarted:
        reply = restarted.post(
            f"/api/{alice.id}/chat",
            headers=alice.headers,
            json={"message": "show my tasks", "conversation_id": conversation},
        )
        assert reply.status_code == 200
        assert "Book flights" in reply.json()["response"]
        history = restarted.get(
            f"/api/{alice.id}/conversations/{conversation}/messages", headers=alice.headers
        )
        assert len(history.json()) == 4


def test_unknown_and_foreign_conversations_are_404(alice: User, bob: User) -> None:
    conversation = alice.chat("hello")["conversation_id"]
    for user, conversation_id in ((alice, 2147483647), (bob, conversation)):
        response = user.post("/chat", json={"message": "hi", "conversation_id": conversation_id})
        assert response.status_code == 404
        assert user.get(f"/conversations/{conversation_id}/messages").status_code == 404
    assert bob.get("/conversations").json() == []


def test_the_agent_cannot_reach_another_users_tasks(alice: User, bob: User) -> None:
    secret = alice.add_task("Alice's surprise party")
    for message in (
        f"Delete task {secret['id']}",
        f"Mark task {secret['id']} as done",
        "Delete the surprise party task",
    ):
        reply = bob.chat(message)
        assert "couldn't find" in reply["response"]
    listing = bob.chat("show all my tasks")
    assert listing["tool_calls"][0]["result"] == []
    assert alice.get(f"/tasks/{secret['id']}").json()["completed"] is False


def test_invalid_chat_bodies_are_422(alice: User) -> None:
    for body, field in (
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 4001}, "message"),
        ({"message": "hi", "conversation_id": "abc"}, "conversation_id"),
        ({"message": "hi", "conversation_id": 2**40}, "conversation_id"),
        ({"message": "hi", "conversation_id": 0}, "conversation_id"),
    ):
        response = alice.post("/chat", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"][-1] == field
