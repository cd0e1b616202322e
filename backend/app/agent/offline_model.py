"""The built-in offline model: a deterministic Agents SDK `Model` that needs no network.

Each call looks at the latest user message and at the tool calls made since then, and either asks for the
next tool call or writes the reply. Naming a task by title takes two steps: list the tasks, then act on the
single match (or ask which one, or say that none matches).
"""

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from agents import Model, ModelResponse, ModelSettings, ModelTracing, Tool, Usage
from agents.items import TResponseInputItem, TResponseOutputItem, TResponseStreamEvent
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseTextDeltaEvent,
)

from app.agent import replies
from app.agent.intents import Intent, Target, parse
from app.agent.replies import is_error
from app.agent.tools import parse_arguments


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

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: Any,
        handoffs: list[Any],
        tracing: ModelTracing,
        **_: Any,
    ) -> AsyncIterator[TResponseStreamEvent]:
        """The same step as get_response, its text sent as a few deltas (as a real model streams it)."""
        response = await self.get_response(
            system_instructions, input, model_settings, tools, output_schema, handoffs, tracing
        )
        item = response.output[0]
        sequence = 0
        if isinstance(item, ResponseOutputMessage):
            for sequence, chunk in enumerate(text_chunks(item.content[0].text)):  # type: ignore[union-attr]
                yield ResponseTextDeltaEvent(
                    type="response.output_text.delta",
                    item_id=item.id,
                    output_index=0,
                    content_index=0,
                    delta=chunk,
                    logprobs=[],
                    sequence_number=sequence,
                )
                await asyncio.sleep(0)  # let each chunk go out on its own
        yield ResponseCompletedEvent(
            type="response.completed", response=_response(item), sequence_number=sequence + 1
        )


MAX_CHUNKS = 8  # a few pieces, like a model's stream, without paying per-event costs for every word
MIN_CHUNK_WORDS = 3


def text_chunks(text: str) -> list[str]:
    """The text in a few groups of words, whitespace kept, so that joining the chunks gives it back."""
    pieces = re.findall(r"\S+\s*|\s+", text)
    size = max(MIN_CHUNK_WORDS, -(-len(pieces) // MAX_CHUNKS))
    return ["".join(pieces[i : i + size]) for i in range(0, len(pieces), size)] or [text]


def _response(item: TResponseOutputItem) -> Response:
    return Response(
        id=f"resp_{uuid4().hex}",
        created_at=time.time(),
        model="offline",
        object="response",
        output=[item],
        parallel_tool_calls=False,
        tool_choice="auto",
        tools=[],
    )


def next_step(intent: Intent, exchanges: list[ToolExchange]) -> TResponseOutputItem:
    """The next tool call for this intent, or the reply once the tool calls are done."""
    if not exchanges:
        return _first_step(intent)
    last = exchanges[-1]
    if last.name == "list_tasks" and intent.target and not is_error(last.output):
        if intent.action == "check":
            return _message(
                replies.check(_target_label(intent.target), _matching(last.output, intent.target))
            )
        if intent.action in ("complete", "delete", "update"):
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
        case "check" if intent.target:  # "did I finish the report?": look, then answer
            return _call("list_tasks", status="all")
        case _:
            return _message(replies.without_tool(intent))


def _act(intent: Intent, task_id: int) -> TResponseOutputItem:
    if intent.action == "update":
        return _call("update_task", task_id=task_id, title=intent.title, description=intent.description)
    return _call(f"{intent.action}_task", task_id=task_id)


def _matching(tasks: list[dict[str, Any]], target: Target) -> list[dict[str, Any]]:
    if target.task_id is not None:
        return [task for task in tasks if task["id"] == target.task_id]
    return find_by_title(tasks, target)


def _target_label(target: Target) -> str:
    return f"task #{target.task_id}" if target.task_id is not None else f'"{target.title}"'


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
            _field(item, "name"), parse_arguments(_field(item, "arguments")) or {}, outputs.get(call_id)
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
