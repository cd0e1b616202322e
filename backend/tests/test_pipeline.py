"""The agent's wiring: the MCP tools without user_id, the offline model without a key, OpenAI with one."""

import ipaddress
import socket

import anyio
from agents import OpenAIProvider
from agents.tracing import trace
from agents.tracing.traces import NoOpTrace
from fastapi import FastAPI

from app.agent.offline_model import OfflineModel
from app.agent.pipeline import build_chat_agent
from app.core.config import Settings


def test_the_agent_tools_are_the_mcp_tools_without_user_id(client, app: FastAPI) -> None:
    tools = {tool.name: tool for tool in app.state.chat_agent.agent.tools}
    assert set(tools) == {"add_task", "list_tasks", "complete_task", "delete_task", "update_task"}
    for tool in tools.values():
        assert "user_id" not in tool.params_json_schema["properties"]
        assert "user_id" not in tool.params_json_schema.get("required", [])
    assert tools["add_task"].params_json_schema["required"] == ["title"]


def test_offline_without_a_key_and_openai_with_one(app: FastAPI, settings: Settings) -> None:
    server = app.state.mcp

    async def build(configured: Settings):
        return await build_chat_agent(server, configured)

    offline = anyio.run(build, settings)
    assert isinstance(offline.run_config.model, OfflineModel)
    assert offline.run_config.tracing_disabled

    keyed = Settings(**{**settings.model_dump(), "OPENAI_API_KEY": "sk-test", "OPENAI_MODEL": "gpt-4.1-mini"})
    online = anyio.run(build, keyed)
    assert online.run_config.model == "gpt-4.1-mini"
    assert isinstance(online.run_config.model_provider, OpenAIProvider)
    assert online.run_config.tracing_disabled
    assert isinstance(trace("probe"), NoOpTrace)  # nothing is exported, with or without a key


def test_an_offline_chat_turn_reaches_no_other_host(alice, monkeypatch) -> None:
    """Every connection and name lookup during the turn must stay on this machine."""
    attempts: list[object] = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(sock: socket.socket, address: object) -> None:
        if isinstance(address, tuple) and not ipaddress.ip_address(address[0]).is_loopback:
            attempts.append(address)
            raise OSError("network disabled by the test")
        real_connect(sock, address)

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
        if host not in ("127.0.0.1", "localhost", "::1", None):
            attempts.append(host)
            raise OSError("name lookups disabled by the test")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    reply = alice.chat("Add a task to buy groceries")
    assert reply["tool_calls"][0]["name"] == "add_task"
    assert attempts == []
