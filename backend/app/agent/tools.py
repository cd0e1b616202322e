"""The MCP server's tools as Agents SDK function tools, called in process on behalf of the chatting user.

The model sees each tool's MCP input schema without `user_id`; the user comes from the chat request, never
from the model, and the MCP tool itself checks it (agent_user_id), as it checks a bearer token over HTTP.
"""

import copy
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from agents import FunctionTool
from agents.tool_context import ToolContext
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import Tool as MCPTool

from app.agent.replies import is_error, summary
from app.mcp_server import agent_user_id
from app.models import ToolCall

logger = logging.getLogger(__name__)


@dataclass
class ChatContext:
    """Per-turn state handed to the tools: who is chatting, and the tool calls made so far."""

    user_id: str
    tool_calls: list[ToolCall] = field(default_factory=list)

    def record(self, call_id: str, name: str, arguments: dict[str, Any], result: Any) -> ToolCall:
        call = ToolCall(
            call_id=call_id,
            name=name,
            arguments=arguments,
            ok=not is_error(result),
            summary=summary(name, arguments, result),
            result=result,
        )
        self.tool_calls.append(call)
        return call

    def call(self, call_id: str) -> ToolCall | None:
        return next((call for call in self.tool_calls if call.call_id == call_id), None)


def _schema_without_user(tool: MCPTool) -> dict[str, Any]:
    schema = copy.deepcopy(tool.input_schema)
    schema.get("properties", {}).pop("user_id", None)
    schema["required"] = [name for name in schema.get("required", []) if name != "user_id"]
    return schema


async def agent_tools(server: MCPServer) -> list[FunctionTool]:
    return [_function_tool(server, tool) for tool in await server.list_tools()]


def parse_arguments(arguments_json: str | None) -> dict[str, Any] | None:
    """The model's arguments as an object, or None when they are not a JSON object."""
    try:
        arguments = json.loads(arguments_json or "{}")
    except ValueError:
        return None
    return arguments if isinstance(arguments, dict) else None


def _function_tool(server: MCPServer, tool: MCPTool) -> FunctionTool:
    async def invoke(run_context: ToolContext[ChatContext], arguments_json: str) -> str:
        # Bad arguments are the model's mistake: they go back to it as a tool error it can correct.
        arguments = parse_arguments(arguments_json)
        if arguments is None:
            result: Any = {"error": "The arguments were not a JSON object; please call the tool again."}
        else:
            result = await call_as_user(server, tool.name, arguments, run_context.context.user_id)
        run_context.context.record(run_context.tool_call_id, tool.name, arguments or {}, result)
        return json.dumps(result)

    return FunctionTool(
        name=tool.name,
        description=tool.description or tool.name,
        params_json_schema=_schema_without_user(tool),
        on_invoke_tool=invoke,
        strict_json_schema=False,
    )


async def call_as_user(server: MCPServer, name: str, arguments: dict[str, Any], user_id: str) -> Any:
    """Run one MCP tool for `user_id`: its structured result, or {"error": message} for the model to relay."""
    token = agent_user_id.set(user_id)
    try:
        result = await server.call_tool(name, {**arguments, "user_id": user_id})
    except ToolError as error:
        if isinstance(error, UnexpectedToolError):  # a crash, not a refusal: keep its cause in the logs
            logger.error("tool %s failed", name, exc_info=error.__cause__)
        return {"error": str(error)}
    finally:
        agent_user_id.reset(token)
    structured = result.structured_content or {}
    return structured["result"] if set(structured) == {"result"} else structured
