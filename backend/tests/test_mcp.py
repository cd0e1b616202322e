"""The MCP server through the SDK's streamable HTTP client, against the app served by uvicorn on 127.0.0.1."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import Served, TokenFactory

TOOLS = {"add_task", "list_tasks", "complete_task", "delete_task", "update_task"}


@asynccontextmanager
async def mcp_session(url: str, token: str, host: str | None = None) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {token}", **({"Host": host} if host else {})}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        streamable_http_client(f"{url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def call(session: ClientSession, tool: str, **arguments: Any) -> Any:
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, result.content
    structured = result.structured_content or {}
    return structured.get("result", structured)


async def call_error(session: ClientSession, tool: str, **arguments: Any) -> str:
    result = await session.call_tool(tool, arguments)
    assert result.is_error
    return result.content[0].text


def test_the_five_tools_end_to_end(served: Served, make_token: TokenFactory) -> None:
    async def scenario() -> None:
        async with mcp_session(served.url, make_token("alice-id")) as session:
            listed = await session.list_tools()
            assert {tool.name for tool in listed.tools} == TOOLS

            me = {"user_id": "alice-id"}
            added = await call(session, "add_task", **me, title="Buy groceries", description="milk")
            assert added == {"task_id": added["task_id"], "status": "created", "title": "Buy groceries"}
            task_id = added["task_id"]
            other = (await call(session, "add_task", **me, title="Team meeting"))["task_id"]

            assert await call(session, "list_tasks", **me) == [
                {"id": other, "title": "Team meeting", "description": None, "completed": False},
                {"id": task_id, "title": "Buy groceries", "description": "milk", "completed": False},
            ]
            done = await call(session, "complete_task", **me, task_id=task_id)
            assert done == {"task_id": task_id, "status": "completed", "title": "Buy groceries"}
            assert [task["id"] for task in await call(session, "list_tasks", **me, status="completed")] == [
                task_id
            ]
            assert [task["id"] for task in await call(session, "list_tasks", **me, status="pending")] == [
                other
            ]

            updated = await call(session, "update_task", **me, task_id=task_id, title="Buy food")
            assert updated == {"task_id": task_id, "status": "updated", "title": "Buy food"}
            [renamed] = await call(session, "list_tasks", **me, status="completed")
            assert renamed["description"] == "milk"  # not given, so unchanged
            deleted = await call(session, "delete_task", **me, task_id=task_id)
            assert deleted == {"task_id": task_id, "status": "deleted", "title": "Buy food"}
            assert "not found" in await call_error(session, "delete_task", **me, task_id=task_id)

    anyio.run(scenario)


def test_a_user_id_other_than_the_tokens_is_refused(served: Served, make_token: TokenFactory) -> None:
    async def scenario() -> None:
        async with mcp_session(served.url, make_token("alice-id")) as alice:
            secret = (await call(alice, "add_task", user_id="alice-id", title="Alice's secret"))["task_id"]
        async with mcp_session(served.url, make_token("bob-id")) as bob:
            for tool, arguments in (
                ("list_tasks", {}),
                ("add_task", {"title": "planted"}),
                ("complete_task", {"task_id": secret}),
                ("delete_task", {"task_id": secret}),
                ("update_task", {"task_id": secret, "title": "hacked"}),
            ):
                message = await call_error(bob, tool, user_id="alice-id", **arguments)
                assert "does not match" in message
            # With his own user id, Bob sees nothing of Alice's and cannot touch her task.
            assert await call(bob, "list_tasks", user_id="bob-id") == []
            assert "not found" in await call_error(bob, "complete_task", user_id="bob-id", task_id=secret)
        async with mcp_session(served.url, make_token("alice-id")) as alice:
            assert [task["title"] for task in await call(alice, "list_tasks", user_id="alice-id")] == [
                "Alice's secret"
            ]

    anyio.run(scenario)


def test_invalid_arguments_are_tool_errors(served: Served, make_token: TokenFactory) -> None:
    async def scenario() -> None:
        async with mcp_session(served.url, make_token("alice-id")) as session:
            me = {"user_id": "alice-id"}
            # One sentence for people (the chat relays these), never pydantic's developer text.
            assert await call_error(session, "add_task", **me, title="") == (
                "Please give a title; it can't be empty."
            )
            too_long = await call_error(session, "add_task", **me, title="x" * 201)
            assert too_long == "Titles can be at most 200 characters."
            assert await call_error(session, "complete_task", **me, task_id=2**40) == (
                "Task ids are whole numbers from 1 to 2,147,483,647."
            )
            status = await call_error(session, "list_tasks", **me, status="everything")
            assert status.startswith("Status filters must be one of") and "pending" in status
            assert "Nothing to update" in await call_error(session, "update_task", **me, task_id=1)

    anyio.run(scenario)


def test_tools_carry_annotations_and_argument_descriptions(served: Served, make_token: TokenFactory) -> None:
    async def scenario() -> None:
        async with mcp_session(served.url, make_token("alice-id")) as session:
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            assert tools["list_tasks"].annotations.read_only_hint is True
            assert tools["delete_task"].annotations.destructive_hint is True
            assert tools["add_task"].annotations.idempotent_hint is False
            for tool in tools.values():
                for name, schema in tool.input_schema["properties"].items():
                    assert schema.get("description"), (tool.name, name)

    anyio.run(scenario)


def test_in_cluster_host_names_are_accepted(served: Served, make_token: TokenFactory) -> None:
    async def scenario() -> None:
        async with mcp_session(served.url, make_token("alice-id"), host="todo-backend:8000") as session:
            assert len((await session.list_tools()).tools) == 5

    anyio.run(scenario)


def test_requests_without_a_valid_token_are_401(served: Served, make_token: TokenFactory) -> None:
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    for token in (None, "garbage", make_token("alice-id", aud="http://elsewhere")):
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(f"{served.url}/mcp", json=request, headers={**headers, **auth})
        assert response.status_code == 401
