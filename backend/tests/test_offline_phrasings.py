"""How people actually ask: 150+ phrasings -> the offline model's intent, first tool and key argument.

Each row is (message, action, key): the key is the list filter for `list`, the title for `add`, the task
(an id, or words of its title) for `complete`, `delete`, `update` and `check`, and None for small talk.
Parsing is checked for every row; a sample also goes end to end through POST /chat in test_offline_model.py.
"""

from typing import Any

import pytest

from app.agent.intents import Intent, parse
from app.agent.offline_model import next_step

COMPLETED, PENDING, ALL = "completed", "pending", "all"

PHRASINGS: list[tuple[str, str, Any]] = [
    # what is finished
    ("what did I already finish?", "list", COMPLETED),
    ("what did I finish?", "list", COMPLETED),
    ("what did I already complete?", "list", COMPLETED),
    ("what have I finished?", "list", COMPLETED),
    ("what have I done?", "list", COMPLETED),
    ("what have I completed so far?", "list", COMPLETED),
    ("show me what I've completed", "list", COMPLETED),
    ("show completed", "list", COMPLETED),
    ("list my completed tasks", "list", COMPLETED),
    ("which tasks are done?", "list", COMPLETED),
    ("which tasks did I finish?", "list", COMPLETED),
    ("what's done?", "list", COMPLETED),
    ("what is finished?", "list", COMPLETED),
    ("show finished tasks", "list", COMPLETED),
    ("done tasks", "list", COMPLETED),
    ("completed tasks please", "list", COMPLETED),
    ("could you show me my finished tasks?", "list", COMPLETED),
    ("what have I accomplished?", "list", COMPLETED),
    ("what did I get done?", "list", COMPLETED),
    ("what did I complete yesterday?", "list", COMPLETED),
    ("show the tasks I already did", "list", COMPLETED),
    ("what have I ticked off?", "list", COMPLETED),
    ("what did i finsh?", "list", COMPLETED),
    ("shwo completed tasks", "list", COMPLETED),
    ("lsit finished tasks", "list", COMPLETED),
    ("What did I already finish", "list", COMPLETED),
    # what is left
    ("anything left?", "list", PENDING),
    ("anything left", "list", PENDING),
    ("anything left to do?", "list", PENDING),
    ("what's left?", "list", PENDING),
    ("what is left to do?", "list", PENDING),
    ("what do I still have to do?", "list", PENDING),
    ("what's pending?", "list", PENDING),
    ("show pending", "list", PENDING),
    ("show my open tasks", "list", PENDING),
    ("what haven't I done yet?", "list", PENDING),
    ("what have I not finished?", "list", PENDING),
    ("which tasks are not done?", "list", PENDING),
    ("what remains?", "list", PENDING),
    ("what's remaining?", "list", PENDING),
    ("what's outstanding?", "list", PENDING),
    ("list unfinished tasks", "list", PENDING),
    ("incomplete tasks", "list", PENDING),
    ("what else do I need to do?", "list", PENDING),
    ("what do I need to do today?", "list", PENDING),
    ("what should I do next?", "list", PENDING),
    ("is there anything I still need to do?", "list", PENDING),
    ("do I have anything pending?", "list", PENDING),
    ("what's still open?", "list", PENDING),
    ("any open tasks?", "list", PENDING),
    ("Could you please tell me what's left?", "list", PENDING),
    # everything
    ("what's on my plate", "list", ALL),
    ("what's on my plate?", "list", ALL),
    ("what is on my plate today", "list", ALL),
    ("show my tasks", "list", ALL),
    ("show me everything", "list", ALL),
    ("list everything", "list", ALL),
    ("my tasks", "list", ALL),
    ("show me my list", "list", ALL),
    ("what do I have?", "list", ALL),
    ("what tasks do I have?", "list", ALL),
    ("let me see my tasks", "list", ALL),
    ("can you list my tasks please", "list", ALL),
    ("could you please show all my tasks?", "list", ALL),
    ("give me my task list", "list", ALL),
    ("display my todos", "list", ALL),
    ("view tasks", "list", ALL),
    ("how many tasks do I have?", "list", ALL),
    ("what's on my agenda?", "list", ALL),
    ("show all tasks", "list", ALL),
    ("tasks?", "list", ALL),
    ("shwo my tasks", "list", ALL),
    ("lsit my taks", "list", ALL),
    ("list all my to-dos", "list", ALL),
    # adding
    ("add buy milk", "add", "Buy milk"),
    ("add a task to buy milk", "add", "Buy milk"),
    ("could you please add a task to buy milk", "add", "Buy milk"),
    ("can you please add call mom", "add", "Call mom"),
    ("please add 'pay rent'", "add", "Pay rent"),
    ("would you mind adding a task to walk the dog", "add", "Walk the dog"),
    ("I'd like to add a task: renew passport", "add", "Renew passport"),
    ("create a task to book a dentist appointment", "add", "Book a dentist appointment"),
    ("new task: call the plumber", "add", "Call the plumber"),
    ("remind me to take out the trash", "add", "Take out the trash"),
    ("I need to buy stamps", "add", "Buy stamps"),
    ("don't let me forget to call grandma", "add", "Call grandma"),
    ("creat a task to buy eggs", "add", "Buy eggs"),
    ("craete a task to clean the car", "add", "Clean the car"),
    ("put 'dentist' on my list", "add", "Dentist"),
    ("jot down buy flowers", "add", "Buy flowers"),
    ("add task: water plants", "add", "Water plants"),
    ("add water plants to my todo list", "add", "Water plants"),
    ("i must call the bank", "add", "Call the bank"),
    ("remember to pay the bills", "add", "Pay the bills"),
    ("todo: fix the bike", "add", "Fix the bike"),
    ("please could you add a reminder to call mum", "add", "Call mum"),
    ("would you be so kind as to add buy bread", "add", "Buy bread"),
    ("I was wondering if you could add feed the cat", "add", "Feed the cat"),
    ("add a new task called Gym", "add", "Gym"),
    ("schedule a dentist visit", "add", "Dentist visit"),
    ("Add buy milk please", "add", "Buy milk"),
    ("adding a task to buy soap", "add", "Buy soap"),
    # completing, by id and by title, present, past and base forms
    ("mark task 3 as done", "complete", 3),
    ("mark 3 done", "complete", 3),
    ("complete task 3", "complete", 3),
    ("complete 3", "complete", 3),
    ("finish task 3", "complete", 3),
    ("I finished task 3", "complete", 3),
    ("I completed task 3", "complete", 3),
    ("I've completed task 3", "complete", 3),
    ("I have finished task 3", "complete", 3),
    ("I just finished task 3", "complete", 3),
    ("task 3 is done", "complete", 3),
    ("task 3 is finished", "complete", 3),
    ("task 3 is complete", "complete", 3),
    ("task 3 done", "complete", 3),
    ("done with task 3", "complete", 3),
    ("i'm done with task 3", "complete", 3),
    ("I did task 3", "complete", 3),
    ("I did the laundry", "complete", "laundry"),
    ("finished the report", "complete", "report"),
    ("completed the report", "complete", "report"),
    ("compelte task 3", "complete", 3),
    ("mrak task 3 as done", "complete", 3),
    ("please mark task 3 as complete", "complete", 3),
    ("could you please mark task 3 as completed", "complete", 3),
    ("can you check off task 3", "complete", 3),
    ("tick off task 3", "complete", 3),
    ("cross off task 3", "complete", 3),
    ("check off the groceries", "complete", "groceries"),
    ("mark the groceries task as done", "complete", "groceries"),
    ("set task 3 as done", "complete", 3),
    ("finishd task 3", "complete", 3),
    ("mark number three as finished", "complete", 3),
    ("I completed buying groceries", "complete", "buying groceries"),
    ("the report is done", "complete", "report"),
    ("I'm finished with the report", "complete", "report"),
    # deleting
    ("delete task 3", "delete", 3),
    ("delete 3", "delete", 3),
    ("remove task 3", "delete", 3),
    ("please delete task 3", "delete", 3),
    ("could you please remove task 3", "delete", 3),
    ("delet task 3", "delete", 3),
    ("delte task 3", "delete", 3),
    ("remvoe task 3", "delete", 3),
    ("get rid of task 3", "delete", 3),
    ("cancel task 3", "delete", 3),
    ("drop task 3", "delete", 3),
    ("erase the meeting task", "delete", "meeting"),
    ("trash the dentist task", "delete", "dentist"),
    ("delete the groceries task", "delete", "groceries"),
    ("remove 'Buy milk'", "delete", "Buy milk"),
    ("remove buy milk from my list", "delete", "buy milk"),
    ("forget about the gym", "delete", "gym"),
    ("scrap task #3", "delete", 3),
    ("delete #3", "delete", 3),
    ("delete number 3", "delete", 3),
    ("I want to delete task 3", "delete", 3),
    ("can you delete the meeting one", "delete", "meeting"),
    ("please get rid of the report task", "delete", "report"),
    ("delete taks 3", "delete", 3),
    # updating
    ("rename task 3 to Buy bread", "update", 3),
    ("change task 3 to 'Call mom'", "update", 3),
    ("update task 3 to Call dad", "update", 3),
    ("edit task 3 to say Pay rent", "update", 3),
    ("change the title of task 3 to Walk dog", "update", 3),
    ("rename the groceries task to Buy food", "update", "groceries"),
    ("could you please rename task 3 to Buy food", "update", 3),
    ("chnage task 3 to Buy food", "update", 3),
    ("renmae task 3 to buy food", "update", 3),
    ("updte task 3 to buy food", "update", 3),
    ("set the description of task 3 to two litres", "update", 3),
    ("change the description for task 3 to call before 5", "update", 3),
    ("modify task 3 to read Call Bob", "update", 3),
    # did I finish X?
    ("did I finish the report?", "check", "report"),
    ("did I finish task 3?", "check", 3),
    ("did I already finish the report?", "check", "report"),
    ("did I complete the groceries?", "check", "groceries"),
    ("have I finished the report?", "check", "report"),
    ("have I done the laundry?", "check", "laundry"),
    ("is the report done?", "check", "report"),
    ("is task 3 done?", "check", 3),
    ("is task 3 finished yet?", "check", 3),
    ("did i do my homework?", "check", "homework"),
    ("have I completed task 3 yet?", "check", 3),
    # small talk and the unknown
    ("hi", "greet", None),
    ("hello there", "greet", None),
    ("good morning", "greet", None),
    ("thanks", "thanks", None),
    ("thank you so much", "thanks", None),
    ("help", "help", None),
    ("what can you do?", "help", None),
    ("how does this work?", "help", None),
    ("blorp", "unknown", None),
    ("asdfgh", "unknown", None),
]

FIRST_TOOL = {"list": "list_tasks", "add": "add_task", "check": "list_tasks"}


def key_of(intent: Intent) -> Any:
    if intent.action == "list":
        return intent.status
    if intent.action == "add":
        return intent.title
    if intent.target is None:
        return None
    return intent.target.task_id if intent.target.task_id is not None else intent.target.title


@pytest.mark.parametrize(("message", "action", "key"), PHRASINGS, ids=[row[0] for row in PHRASINGS])
def test_phrasing(message: str, action: str, key: Any) -> None:
    intent = parse(message)
    assert (intent.action, key_of(intent)) == (action, key)
    step = next_step(intent, [])
    expected_tool = FIRST_TOOL.get(action) or (
        f"{action}_task" if isinstance(key, int) else "list_tasks" if key else None
    )
    assert getattr(step, "name", None) == expected_tool


def test_the_table_has_150_phrasings() -> None:
    assert len(PHRASINGS) >= 150
    assert len({row[0].lower() for row in PHRASINGS}) == len(PHRASINGS)  # no duplicates
