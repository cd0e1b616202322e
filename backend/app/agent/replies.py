"""The offline model's words: confirmations, listings and friendly answers when something is not found."""

import re
from typing import Any

from app.agent.intents import Intent

EXAMPLES = (
    '"Add a task to buy groceries", "Show me my pending tasks", "Mark task 3 as complete", '
    '"Change task 1 to \'Call mom tonight\'" or "Delete the meeting task"'
)
SEE_TASKS = 'Say "show my tasks" to see them with their numbers.'

_EMPTY_LISTS = {
    "all": 'You have no tasks yet. Try "Add a task to buy groceries".',
    "pending": "Nothing pending: you're all caught up!",
    "completed": "You haven't completed any tasks yet.",
}
_LIST_HEADINGS = {"all": "Your tasks", "pending": "Your pending tasks", "completed": "Tasks you've completed"}


def without_tool(intent: Intent) -> str:
    """Replies that need no tool: small talk, help, and requests we could not understand."""
    match intent.action:
        case "greet":
            return f"Hi! I can manage your todo list. Try {EXAMPLES}."
        case "help":
            return f"I can add, list, complete, update and delete your tasks. For example: {EXAMPLES}."
        case "thanks":
            return "You're welcome! Anything else on your list?"
        case "add":
            return 'What should the task say? For example: "Add a task to buy groceries".'
        case "complete" | "delete" | "update":
            return f'Which task do you mean? Give its number (like "task 3") or its title. {SEE_TASKS}'
        case _:
            return f"Sorry, I didn't quite get that. I can help with your tasks, for example: {EXAMPLES}."


def after_tool(tool: str, arguments: dict[str, Any], output: Any) -> str:
    """The reply once the last tool call has run."""
    if is_error(output):
        return _tool_failed(arguments, str(output["error"]))
    if tool == "list_tasks":
        return listing(arguments.get("status", "all"), output)
    return _confirmation(tool, arguments, output)


def listing(status: str, tasks: list[dict[str, Any]]) -> str:
    if not tasks:
        return _EMPTY_LISTS.get(status, _EMPTY_LISTS["all"])
    count = f"{len(tasks)} task{'s' if len(tasks) != 1 else ''}"
    lines = [f"{_LIST_HEADINGS.get(status, _LIST_HEADINGS['all'])} ({count}):"]
    lines += [_task_line(task) for task in tasks]
    return "\n".join(lines)


def no_single_match(title: str, matches: list[dict[str, Any]]) -> str:
    if not matches:
        return f'I couldn\'t find a task matching "{title}". {SEE_TASKS}'
    options = ", ".join(f'#{task["id"]} "{task["title"]}"' for task in matches)
    return f'I found {len(matches)} tasks matching "{title}": {options}. Which one do you mean?'


def check(label: str, matches: list[dict[str, Any]]) -> str:
    """The answer to "did I finish ...?" once the tasks are listed."""
    if not matches:
        return f"I couldn't find {label} in your tasks. {SEE_TASKS}"
    if len(matches) > 1:
        return "I found several matching tasks:\n" + "\n".join(_task_line(task) for task in matches)
    task = matches[0]
    if task["completed"]:
        return f'Yes, task #{task["id"]} "{task["title"]}" is done.'
    return (
        f'Not yet: task #{task["id"]} "{task["title"]}" is still pending. '
        f'Say "mark task {task["id"]} as done" when it is.'
    )


def _task_line(task: dict[str, Any]) -> str:
    mark = "[x]" if task["completed"] else "[ ]"
    description = f" ({task['description']})" if task.get("description") else ""
    return f"- {mark} #{task['id']} {task['title']}{description}"


def _confirmation(tool: str, arguments: dict[str, Any], result: dict[str, Any]) -> str:
    title, task_id = result.get("title", ""), result.get("task_id")
    match tool:
        case "add_task":
            return f'Added "{title}" to your tasks (#{task_id}).'
        case "complete_task":
            return f'Nice work! Task #{task_id} "{title}" is marked as complete.'
        case "delete_task":
            return f'Deleted task #{task_id} "{title}".'
        case "update_task" if "title" in arguments:
            return f'Updated task #{task_id}: it now reads "{title}".'
        case _:
            return f'Updated the description of task #{task_id} "{title}".'


_VERBS = {
    "add_task": ("Added", "add"),
    "complete_task": ("Completed", "complete"),
    "delete_task": ("Deleted", "delete"),
    "update_task": ("Updated", "update"),
}


def is_error(output: Any) -> bool:
    return isinstance(output, dict) and "error" in output


def summary(tool: str, arguments: dict[str, Any], output: Any) -> str:
    """One sentence naming what a tool call did, for the chat's action list (e.g. 'Added task #3 "Milk"')."""
    if is_error(output):
        verb = _VERBS.get(tool, ("", "do"))[1]
        return f"Couldn't {verb} {'the tasks' if tool == 'list_tasks' else 'the task'}: {output['error']}"
    if tool == "list_tasks":
        status = arguments.get("status", "all")
        kind = "" if status == "all" else f"{status} "
        return f"Listed {len(output)} {kind}task{'' if len(output) == 1 else 's'}"
    done = _VERBS.get(tool, ("Used " + tool, ""))[0]
    return f'{done} task #{output.get("task_id")} "{output.get("title", "")}"'


def _tool_failed(arguments: dict[str, Any], error: str) -> str:
    if re.search(r"not found", error, re.IGNORECASE):
        return (
            f"I couldn't find task #{arguments.get('task_id')}. It may have been deleted already. {SEE_TASKS}"
        )
    if re.search(r"at most", error):
        return f"Sorry, that's a bit long for a task. {error} Could you say it more briefly?"
    return f"Sorry, I couldn't do that. {error}"
