"""The built-in offline model: a deterministic Agents SDK `Model` that needs no network.

Each call looks at the latest user message and at the tool calls made since then, and either asks for the
next tool call or writes the reply. Naming a task by title takes two steps: list the tasks, then act on the
single match (or ask which one, or say that none matches).
"""

import json
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from agents import Model, ModelResponse, ModelSettings, ModelTracing, Tool, Usage
from agents.items import TResponseInputItem, TResponseOutputItem, TResponseStreamEvent
from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseOutputText

from app.agent import replies
from app.agent.intents import Intent, Target, parse


@dataclass(frozen=True)
class ToolExchange:
    """One tool call of this turn and what it returned (JSON-decoded)."""

    name: str
    arguments: dict[str, Any]
    output: Any


class OfflineModel(Model):
    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: Any,
        handoffs: list[Any],
        tracing: ModelTracing,
        **_: Any,
    ) -> ModelResponse:
        items = [{"role": "user", "content": input}] if isinstance(input, str) else list(input)
        user_text, exchanges = _current_turn(items)
        return ModelResponse(output=[next_step(parse(user_text), exchanges)], usage=Usage(), response_id=None)

    def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[TResponseStreamEvent]:
        raise NotImplementedError("The offline model does not stream; the chat endpoint uses Runner.run.")


def next_step(intent: Intent, exchanges: list[ToolExchange]) -> TResponseOutputItem:
    """The next tool call for this intent, or the reply once the tool calls are done."""
    if not exchanges:
        return _first_step(intent)
    last = exchanges[-1]
    if last.name == "list_tasks" and intent.action in ("complete", "delete", "update") and _ok(last.output):
        return _act_on_title_match(intent, last.output)
    return _message(replies.after_tool(last.name, last.arguments, last.output))


def _first_step(intent: Intent) -> TResponseOutputItem:
    match intent.action:
        case "add" if intent.title:
            return _call("add_task", title=intent.title, description=intent.description)
        case "list":
            return _call("list_tasks", status=intent.status)
        case "complete" | "delete" | "update" if intent.target and intent.target.task_id is not None:
            return _act(intent, intent.target.task_id)
        case "complete" | "delete" | "update" if intent.target and intent.target.title:
            return _call("list_tasks", status="all")
        case _:
            return _message(replies.without_tool(intent))


def _act(intent: Intent, task_id: int) -> TResponseOutputItem:
    if intent.action == "update":
        return _call("update_task", task_id=task_id, title=intent.title, description=intent.description)
    return _call(f"{intent.action}_task", task_id=task_id)


def _act_on_title_match(intent: Intent, tasks: list[dict[str, Any]]) -> TResponseOutputItem:
    assert intent.target is not None and intent.target.title is not None
    matches = find_by_title(tasks, intent.target)
    if intent.action == "complete" and len(matches) > 1:
        pending = [task for task in matches if not task["completed"]]
        matches = pending or matches
    if len(matches) == 1:
        return _act(intent, matches[0]["id"])
    return _message(replies.no_single_match(intent.target.title, matches))


_FILLER_WORDS = {"the", "a", "an", "my", "to", "of", "for", "about", "that", "this"}
_SUFFIXES = ("ing", "ies", "es", "ed", "s")


def _stem(word: str) -> str:
    """A crude stem, enough for "buying groceries" to find "Buy groceries" and "meetings" "Team meeting"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return _stem(word[: -len(suffix)])
    return word


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _key_stems(text: str) -> set[str]:
    words = _words(text)
    return {_stem(word) for word in words if word not in _FILLER_WORDS} or {_stem(word) for word in words}


def find_by_title(tasks: Iterable[dict[str, Any]], target: Target) -> list[dict[str, Any]]:
    """Exact title matches if any, else the tasks whose title has every key word of the target (stemmed)."""
    title = target.title or ""
    tasks = list(tasks)
    exact = [task for task in tasks if _words(task["title"]) == _words(title)]
    if exact or not _words(title):
        return exact
    wanted = _key_stems(title)
    return [task for task in tasks if wanted <= {_stem(word) for word in _words(task["title"])}]


def _ok(output: Any) -> bool:
    return not (isinstance(output, dict) and "error" in output)


def _current_turn(items: list[Any]) -> tuple[str, list[ToolExchange]]:
    """The latest user message and the tool exchanges that followed it."""
    start = max((i for i, item in enumerate(items) if _field(item, "role") == "user"), default=-1)
    user_text = _text(_field(items[start], "content")) if start >= 0 else ""
    outputs = {
        _field(item, "call_id"): _decode(_field(item, "output"))
        for item in items[start + 1 :]
        if _field(item, "type") == "function_call_output"
    }
    exchanges = [
        ToolExchange(
            _field(item, "name"), json.loads(_field(item, "arguments") or "{}"), outputs.get(call_id)
        )
        for item in items[start + 1 :]
        if _field(item, "type") == "function_call" and (call_id := _field(item, "call_id")) in outputs
    ]
    return user_text, exchanges


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def _decode(output: Any) -> Any:
    if not isinstance(output, str):
        return output
    try:
        return json.loads(output)
    except ValueError:
        return {"error": output}


def _call(name: str, **arguments: Any) -> ResponseFunctionToolCall:
    present = {key: value for key, value in arguments.items() if value is not None}
    return ResponseFunctionToolCall(
        id=f"fc_{uuid4().hex}",
        call_id=f"call_{uuid4().hex}",
        name=name,
        arguments=json.dumps(present),
        type="function_call",
        status="completed",
    )


def _message(text: str) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        id=f"msg_{uuid4().hex}",
        content=[ResponseOutputText(text=text, type="output_text", annotations=[])],
        role="assistant",
        status="completed",
        type="message",
    )
