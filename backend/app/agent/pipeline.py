"""One chat turn through the Agents SDK: the agent, its model (OpenAI or offline) and its MCP tools."""

import logging
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import openai
from agents import Agent, AgentsException, OpenAIProvider, RunConfig, Runner, set_tracing_disabled
from agents.items import ToolCallItem, ToolCallOutputItem, TResponseInputItem
from agents.stream_events import RawResponsesStreamEvent, RunItemStreamEvent, StreamEvent
from mcp.server.mcpserver import MCPServer
from openai.types.responses import ResponseTextDeltaEvent

from app.agent.offline_model import OfflineModel
from app.agent.tools import ChatContext, agent_tools, parse_arguments
from app.core.config import Settings

logger = logging.getLogger(__name__)

MAX_TURNS = 8
INSTRUCTIONS = """\
You are a friendly assistant that manages the user's todo list, using only the tools you have.
- Add, list, complete, update and delete tasks with the tools; never invent tasks or ids.
- When the user names a task by its title, call list_tasks first and use the id of the matching task;
  if several tasks match, ask which one they mean; if none does, say so kindly.
- After every action, confirm in one short, friendly sentence what you did (name the task and its number).
- If a tool says a task was not found, tell the user kindly and suggest listing their tasks.
"""


class AgentUnavailable(Exception):
    """The model could not be reached or misbehaved; the turn is not answered (HTTP 503)."""


@dataclass(frozen=True)
class TurnEvent:
    """Something the user should see as it happens: `delta`, `tool_call`, `tool_result`, then `reply`."""

    name: Literal["delta", "tool_call", "tool_result", "reply"]
    data: dict[str, Any]


UNAVAILABLE = "The assistant is unavailable right now. Your message is saved: send it again to retry."


@contextmanager
def _model_errors() -> Iterator[None]:
    """A model that cannot be reached or misbehaves ends the turn as AgentUnavailable (logged, no trace)."""
    try:
        yield
    except (AgentsException, openai.OpenAIError) as error:
        logger.error("agent run failed: %s: %s", type(error).__name__, error)
        raise AgentUnavailable(UNAVAILABLE) from None


class ChatAgent:
    def __init__(self, agent: Agent[ChatContext], run_config: RunConfig) -> None:
        self.agent = agent
        self.run_config = run_config

    async def stream(
        self, context: ChatContext, history: list[TResponseInputItem], live: bool = True
    ) -> AsyncGenerator[TurnEvent]:
        """Run the agent on the conversation so far (ending with the new user message), event by event.

        Tool calls land in `context.tool_calls`; the last event is `reply` with the final text. Closing the
        iterator early (the user pressed Stop) cancels the run. Not `live`, only `reply` comes, from a plain
        run: the JSON endpoint needs nothing else, and a streamed run costs more CPU per model call.
        """
        options: dict[str, Any] = {"context": context, "max_turns": MAX_TURNS, "run_config": self.run_config}
        if not live:
            with _model_errors():
                result = await Runner.run(self.agent, history, **options)
            yield TurnEvent("reply", {"text": str(result.final_output or "")})
            return
        streamed = Runner.run_streamed(self.agent, history, **options)
        requested: dict[str, str] = {}  # call id -> tool name, as the model asked for it
        try:
            with _model_errors():
                async for event in streamed.stream_events():
                    for turn_event in _visible(event, context, requested):
                        yield turn_event
        finally:
            streamed.cancel()
        yield TurnEvent("reply", {"text": str(streamed.final_output or "")})


def _visible(event: StreamEvent, context: ChatContext, requested: dict[str, str]) -> list[TurnEvent]:
    if isinstance(event, RawResponsesStreamEvent):
        if isinstance(event.data, ResponseTextDeltaEvent) and event.data.delta:
            return [TurnEvent("delta", {"text": event.data.delta})]
        return []
    if not isinstance(event, RunItemStreamEvent):
        return []
    if isinstance(event.item, ToolCallItem) and event.name == "tool_called":
        raw = event.item.raw_item
        call_id, name = getattr(raw, "call_id", ""), getattr(raw, "name", "")
        arguments = parse_arguments(getattr(raw, "arguments", None)) or {}
        requested[call_id] = name
        return [TurnEvent("tool_call", {"call_id": call_id, "name": name, "arguments": arguments})]
    if isinstance(event.item, ToolCallOutputItem) and event.name == "tool_output":
        return [TurnEvent("tool_result", _tool_result(event.item, context, requested))]
    return []


def _tool_result(item: ToolCallOutputItem, context: ChatContext, requested: dict[str, str]) -> dict[str, Any]:
    raw = item.raw_item
    call_id = str(raw.get("call_id", "") if isinstance(raw, dict) else getattr(raw, "call_id", ""))
    call = context.call(call_id)
    if call is None:  # the SDK answered for us: the model asked for a tool that does not exist
        name = requested.get(call_id, "unknown")
        call = context.record(call_id, name, {}, {"error": f"There is no tool called {name}."})
    return {
        "call_id": call.call_id,
        "name": call.name,
        "ok": call.ok,
        "summary": call.summary,
        "result": call.result,
    }


def _run_config(settings: Settings) -> RunConfig:
    # An unknown tool name from the model goes back to it as a tool error it can correct, not a failed turn.
    common: dict[str, Any] = {"tracing_disabled": True, "tool_not_found_behavior": "return_error_to_model"}
    if not settings.online:
        return RunConfig(model=OfflineModel(), **common)
    # Our own client rather than the SDK's process-wide HTTP client: that one stays bound to the event loop
    # that first used it, which breaks a second app in the same process (tests, reloads).
    client = openai.AsyncOpenAI(api_key=settings.openai_api_key, base_url=settings.OPENAI_BASE_URL)
    provider = OpenAIProvider(openai_client=client, use_responses=settings.OPENAI_API_FLAVOUR == "responses")
    return RunConfig(model=settings.OPENAI_MODEL, model_provider=provider, **common)


async def build_chat_agent(server: MCPServer, settings: Settings) -> ChatAgent:
    # Traces would leave the machine (and carry the user's tasks): keep them off, with or without a key.
    set_tracing_disabled(True)
    agent = Agent[ChatContext](
        name="Todo assistant", instructions=INSTRUCTIONS, tools=await agent_tools(server)
    )
    return ChatAgent(agent, _run_config(settings))
