"""The MCP server's tools as Agents SDK function tools, called in process on behalf of the chatting user.

The model sees each tool's MCP input schema without `user_id`; the user comes from the chat request, never
from the model, and the MCP tool itself checks it (agent_user_id), as it checks a bearer token over HTTP.
"""

import copy
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from agents import FunctionTool, RunContextWrapper
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import Tool as MCPTool

from app.mcp_server import agent_user_id
from app.models import ToolCall

logger = logging.getLogger(__name__)


@dataclass
class ChatContext:
    """Per-turn state handed to the tools: who is chatting, and the tool calls made so far."""

    user_id: str
    tool_calls: list[ToolCall] = field(default_factory=list)


def _schema_without_user(tool: MCPTool) -> dict[str, Any]:
    schema = copy.deepcopy(tool.input_schema)
    schema.get("properties", {}).pop("user_id", None)
    schema["required"] = [name for name in schema.get("required", []) if name != "user_id"]
    return schema


async def agent_tools(server: MCPServer) -> list[FunctionTool]:
    return [_function_tool(server, tool) for tool in await server.list_tools()]


def _function_tool(server: MCPServer, tool: MCPTool) -> FunctionTool:
    async def invoke(run_context: RunContextWrapper[ChatContext], arguments_json: str) -> str:
        chat = run_context.context
        arguments = json.loads(arguments_json or "{}")
        result = await call_as_user(server, tool.name, arguments, chat.user_id)
        chat.tool_calls.append(ToolCall(name=tool.name, arguments=arguments, result=result))
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
