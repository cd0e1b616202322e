"""One stateless chat turn: history from the database, the agent, the reply back to the database."""

from agents.items import TResponseInputItem
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from app import crud
from app.agent.pipeline import AgentUnavailable, ChatAgent
from app.api.deps import CurrentUser
from app.core.db import open_session
from app.models import ChatRequest, ChatResponse, Role

router = APIRouter(prefix="/api/{user_id}", tags=["chat"])

HISTORY_LIMIT = 40  # messages of earlier turns given to the model


@router.post("/chat", response_model=ChatResponse)
async def chat(user: CurrentUser, body: ChatRequest, request: Request) -> ChatResponse:
    engine: Engine = request.app.state.engine
    agent: ChatAgent = request.app.state.chat_agent
    conversation_id, history = await run_in_threadpool(_store_user_message, engine, user, body)
    try:
        response, tool_calls = await agent.reply(user, history)
    except AgentUnavailable as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from None
    await run_in_threadpool(_store_reply, engine, user, conversation_id, response)
    return ChatResponse(conversation_id=conversation_id, response=response, tool_calls=tool_calls)


def _store_user_message(engine: Engine, user: str, body: ChatRequest) -> tuple[int, list[TResponseInputItem]]:
    """Open (or resume) the conversation, record the message, and return the model's input."""
    with open_session(engine) as session:
        if body.conversation_id is None:
            conversation = crud.new_conversation(session, user, body.message)
        else:
            conversation = crud.get_conversation(session, user, body.conversation_id)
            if conversation is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "Conversation not found")
        earlier = crud.list_messages(session, conversation, last=HISTORY_LIMIT)
        crud.add_message(session, conversation, Role.user, body.message)
        assert conversation.id is not None
        history: list[TResponseInputItem] = [
            {"role": message.role, "content": message.content}  # type: ignore[misc]
            for message in earlier
        ]
        history.append({"role": "user", "content": body.message})
        return conversation.id, history


def _store_reply(engine: Engine, user: str, conversation_id: int, response: str) -> None:
    with open_session(engine) as session:
        conversation = crud.get_conversation(session, user, conversation_id)
        assert conversation is not None  # created or checked moments ago
        crud.add_message(session, conversation, Role.assistant, response)
