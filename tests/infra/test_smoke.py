"""The smoke check (`invoke test.e2e --select smoke`): the frontend serves; a new user chats a task in."""

import requests
from todo_release import Deployment, TodoUser


def test_smoke_the_frontend_serves_and_reaches_its_database(deployment: Deployment) -> None:
    assert requests.get(f"{deployment.base_url}/api/health", timeout=30).status_code == 200
    jwks = requests.get(f"{deployment.base_url}/api/auth/jwks", timeout=30)
    assert jwks.status_code == 200
    assert "keys" in jwks.json()


def test_smoke_a_new_user_adds_a_task_by_chatting(alice: TodoUser) -> None:
    reply = alice.chat("Add a task to water the plants")
    assert [call["name"] for call in reply["tool_calls"]] == ["add_task"]
    assert [task["title"].lower() for task in alice.tasks()] == ["water the plants"]
