"""The offline model, table-driven through POST /chat: each phrasing must lead to exactly these tool calls.

Task ids are written as {groceries}, {meeting}, ... and filled in from the seeded tasks.
"""

from typing import Any

import pytest

from app.agent.intents import Target, parse
from tests.conftest import User

SEED = {
    "groceries": "Buy groceries",
    "meeting": "Team meeting",
    "dentist": "Call the dentist",
    "book": "Read a book",
    "report": "Write report",
    "blog": "Write blog post",
}
LIST_ALL = ("list_tasks", {"status": "all"})

Call = tuple[str, dict[str, Any]]
CASES: list[tuple[str, list[Call], str]] = [
    # the contract's eight
    ("Add a task to buy groceries", [("add_task", {"title": "Buy groceries"})], "Added"),
    ("Show me all my tasks", [LIST_ALL], "Team meeting"),
    ("What's pending?", [("list_tasks", {"status": "pending"})], "pending"),
    ("Mark task {groceries} as complete", [("complete_task", {"task_id": "{groceries}"})], "complete"),
    ("Delete the meeting task", [LIST_ALL, ("delete_task", {"task_id": "{meeting}"})], "Deleted"),
    (
        "Change task {dentist} to 'Call mom tonight'",
        [("update_task", {"task_id": "{dentist}", "title": "Call mom tonight"})],
        "Call mom tonight",
    ),
    ("I need to remember to pay bills", [("add_task", {"title": "Pay bills"})], "Pay bills"),
    ("What have I completed?", [("list_tasks", {"status": "completed"})], "haven't completed"),
    # adding
    ("add buy bread to my list", [("add_task", {"title": "Buy bread"})], "Buy bread"),
    (
        "Please add 'Call the plumber' to my list, thanks!",
        [("add_task", {"title": "Call the plumber"})],
        "plumber",
    ),
    (
        "Could you create a task called Dentist appointment?",
        [("add_task", {"title": "Dentist appointment"})],
        "Added",
    ),
    ("remind me to water the plants", [("add_task", {"title": "Water the plants"})], "Water the plants"),
    ("Don't let me forget to renew my passport", [("add_task", {"title": "Renew my passport"})], "passport"),
    ("New task: file taxes", [("add_task", {"title": "File taxes"})], "File taxes"),
    ("ADD A TODO TO CLEAN THE GARAGE", [("add_task", {"title": "CLEAN THE GARAGE"})], "GARAGE"),
    ("I have to pick up the kids at 5", [("add_task", {"title": "Pick up the kids at 5"})], "kids"),
    (
        "add a task to go to the gym with description leg day",
        [("add_task", {"title": "Go to the gym", "description": "leg day"})],
        "gym",
    ),
    ("note to self: buy a birthday card", [("add_task", {"title": "Buy a birthday card"})], "birthday"),
    ("hey, can you add “Book flights” please", [("add_task", {"title": "Book flights"})], "Book flights"),
    # listing
    ("list my tasks", [LIST_ALL], "Your tasks (6 tasks)"),
    ("What's on my list?", [LIST_ALL], "Read a book"),
    ("show pending tasks please", [("list_tasks", {"status": "pending"})], "Your pending tasks"),
    ("What do I still need to do?", [("list_tasks", {"status": "pending"})], "pending"),
    ("Which tasks aren't done yet?", [("list_tasks", {"status": "pending"})], "pending"),
    ("show me what I've finished", [("list_tasks", {"status": "completed"})], "completed"),
    ("Show COMPLETED tasks", [("list_tasks", {"status": "completed"})], "completed"),
    ("do I have any tasks?", [LIST_ALL], "Write report"),
    ("tasks", [LIST_ALL], "Your tasks"),
    ("show all", [LIST_ALL], "Your tasks"),
    ("What's on my plate today?", [LIST_ALL], "Your tasks"),
    # completing
    ("Mark #{groceries} as done", [("complete_task", {"task_id": "{groceries}"})], "Buy groceries"),
    ("complete number {groceries}", [("complete_task", {"task_id": "{groceries}"})], "complete"),
    ("please mark task {groceries} complete", [("complete_task", {"task_id": "{groceries}"})], "complete"),
    ("I've finished task {groceries}", [("complete_task", {"task_id": "{groceries}"})], "complete"),
    ("task {groceries} is done", [("complete_task", {"task_id": "{groceries}"})], "complete"),
    ("check off task #{groceries}", [("complete_task", {"task_id": "{groceries}"})], "complete"),
    ("set task {groceries} to done", [("complete_task", {"task_id": "{groceries}"})], "complete"),
    (
        "Mark 'buy groceries' as done",
        [LIST_ALL, ("complete_task", {"task_id": "{groceries}"})],
        "Buy groceries",
    ),
    ("finish the dentist task", [LIST_ALL, ("complete_task", {"task_id": "{dentist}"})], "Call the dentist"),
    (
        "I finished buying groceries",
        [LIST_ALL, ("complete_task", {"task_id": "{groceries}"})],
        "Buy groceries",
    ),
    # deleting
    ("Delete task {book}", [("delete_task", {"task_id": "{book}"})], "Read a book"),
    ("remove #{book} from my list", [("delete_task", {"task_id": "{book}"})], "Deleted"),
    ("get rid of the dentist one", [LIST_ALL, ("delete_task", {"task_id": "{dentist}"})], "Call the dentist"),
    ("Delete 'Read a book'", [LIST_ALL, ("delete_task", {"task_id": "{book}"})], "Deleted"),
    (
        "Please delete my task about the dentist",
        [LIST_ALL, ("delete_task", {"task_id": "{dentist}"})],
        "dentist",
    ),
    ("remove the meetings task", [LIST_ALL, ("delete_task", {"task_id": "{meeting}"})], "Team meeting"),
    ("cancel task number {book}", [("delete_task", {"task_id": "{book}"})], "Deleted"),
    ("DELETE TASK {book}", [("delete_task", {"task_id": "{book}"})], "Deleted"),
    # updating
    (
        'Rename task {groceries} to "Buy food"',
        [("update_task", {"task_id": "{groceries}", "title": "Buy food"})],
        "Buy food",
    ),
    (
        "change task number {groceries} to buy vegetables",
        [("update_task", {"task_id": "{groceries}", "title": "Buy vegetables"})],
        "Buy vegetables",
    ),
    (
        "update the description of task {groceries} to milk and eggs",
        [("update_task", {"task_id": "{groceries}", "description": "milk and eggs"})],
        "description",
    ),
    (
        "change the groceries task to Buy fruit",
        [LIST_ALL, ("update_task", {"task_id": "{groceries}", "title": "Buy fruit"})],
        "Buy fruit",
    ),
    (
        "Update #{meeting} to 'Team meeting at 10'",
        [("update_task", {"task_id": "{meeting}", "title": "Team meeting at 10"})],
        "Team meeting at 10",
    ),
    # not found, kindly
    ("Mark task 999999 as complete", [("complete_task", {"task_id": 999999})], "couldn't find task #999999"),
    ("delete task 123456", [("delete_task", {"task_id": 123456})], "couldn't find task #123456"),
    (
        "Change task 424242 to 'Nothing'",
        [("update_task", {"task_id": 424242, "title": "Nothing"})],
        "couldn't find",
    ),
    ("Delete the spaceship task", [LIST_ALL], 'couldn\'t find a task matching "spaceship"'),
    # ambiguous titles: ask which one
    ("Delete the write task", [LIST_ALL], "Which one do you mean"),
    ("mark the write task as done", [LIST_ALL], "Which one do you mean"),
    # how people ask (the full table of phrasings is test_offline_phrasings.py)
    ("what did I already finish?", [("list_tasks", {"status": "completed"})], "haven't completed"),
    ("anything left?", [("list_tasks", {"status": "pending"})], "Your pending tasks"),
    (
        "could you please compelte task {groceries}",
        [("complete_task", {"task_id": "{groceries}"})],
        "complete",
    ),
    ("delet the dentist task", [LIST_ALL, ("delete_task", {"task_id": "{dentist}"})], "Deleted"),
    ("did I finish the report?", [LIST_ALL], "Not yet: task #"),
    ("did I finish the spaceship?", [LIST_ALL], "couldn't find"),
    # small talk and the unknown
    ("hello", [], "Add a task"),
    ("what can you do?", [], "I can add, list"),
    ("thanks!", [], "welcome"),
    ("blorp", [], "didn't quite get"),
    ("add", [], "What should the task say"),
]


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize(
    ("message", "expected_calls", "reply_contains"), CASES, ids=[case[0] for case in CASES]
)
def test_phrasing_leads_to_tool_calls(
    alice: User, message: str, expected_calls: list[Call], reply_contains: str
) -> None:
    ids = {key: alice.add_task(title)["id"] for key, title in SEED.items()}
    reply = alice.chat(message.format_map(ids))
    expected = [
        (name, {key: _fill(value, ids) for key, value in arguments.items()})
        for name, arguments in expected_calls
    ]
    assert [(call["name"], call["arguments"]) for call in reply["tool_calls"]] == expected
    assert reply_contains in reply["response"]


def test_table_covers_forty_phrasings_beyond_the_contract() -> None:
    assert len(CASES) - 8 >= 40


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("complete task three", Target(task_id=3)),
        ("Mark number 12 as done", Target(task_id=12)),
        ("finish the 2nd task", Target(task_id=2)),
        ("delete no. 7", Target(task_id=7)),
        ("remove the task called 'Gym'", Target(title="Gym")),
        ("delete the one about taxes", Target(title="taxes")),
    ],
)
def test_targets(text: str, target: Target) -> None:
    assert parse(text).target == target


def test_completing_by_title_prefers_the_pending_match(alice: User) -> None:
    old = alice.add_task("Water plants")
    alice.request("PATCH", f"/tasks/{old['id']}/complete")
    new = alice.add_task("Water plants")
    reply = alice.chat("mark water plants as done")
    last = reply["tool_calls"][-1]
    assert (last["name"], last["arguments"], last["ok"]) == ("complete_task", {"task_id": new["id"]}, True)
    assert last["result"] == {"task_id": new["id"], "status": "completed", "title": "Water plants"}
