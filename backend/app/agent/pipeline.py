"""One chat turn through the Agents SDK: the agent, its model (OpenAI or offline) and its MCP tools."""

import logging

import openai
from agents import Agent, AgentsException, OpenAIProvider, RunConfig, Runner, set_tracing_disabled
from agents.items import TResponseInputItem
from mcp.server.mcpserver import MCPServer

from app.agent.offline_model import OfflineModel
from app.agent.tools import ChatContext, agent_tools
from app.core.config import Settings
from app.models import ToolCall

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


class ChatAgent:
    def __init__(self, agent: Agent[ChatContext], run_config: RunConfig) -> None:
        self.agent = agent
        self.run_config = run_config

    async def reply(self, user_id: str, history: list[TResponseInputItem]) -> tuple[str, list[ToolCall]]:
        """Run the agent on the conversation so far (ending with the new user message)."""
        context = ChatContext(user_id=user_id)
        try:
            result = await Runner.run(
                self.agent, history, context=context, max_turns=MAX_TURNS, run_config=self.run_config
            )
        except (AgentsException, openai.OpenAIError) as error:
            logger.error("agent run failed: %s", type(error).__name__)
            raise AgentUnavailable(
                "The assistant is unavailable right now; please try again shortly."
            ) from None
        return str(result.final_output), context.tool_calls


async def build_chat_agent(server: MCPServer, settings: Settings) -> ChatAgent:
    # Traces would leave the machine (and carry the user's tasks): keep them off, with or without a key.
    set_tracing_disabled(True)
    agent = Agent[ChatContext](
        name="Todo assistant", instructions=INSTRUCTIONS, tools=await agent_tools(server)
    )
    if settings.OPENAI_API_KEY:
        provider = OpenAIProvider(api_key=settings.OPENAI_API_KEY.get_secret_value())
        run_config = RunConfig(model=settings.OPENAI_MODEL, model_provider=provider, tracing_disabled=True)
    else:
        run_config = RunConfig(model=OfflineModel(), tracing_disabled=True)
    return ChatAgent(agent, run_config)
