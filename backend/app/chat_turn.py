"""One stateless chat turn: history from the database, the agent's events, the reply back to the database.

Both chat endpoints run a turn through `events()`: the stream sends each event as it comes, the JSON form
waits for the last one. Whatever happens, the turn leaves the conversation whole: the user message is stored
before the model runs; the reply is stored as `complete`, as `stopped` when the client goes away (the Stop
button), or as `failed` when the model fails after it has already said or done something.
"""

import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

import anyio
from agents.items import TResponseInputItem
from fastapi import HTTPException, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from app import crud
from app.agent.pipeline import AgentUnavailable, ChatAgent, TurnEvent
from app.agent.tools import ChatContext
from app.core.db import open_session
from app.models import ChatRequest, Conversation, Message, MessageStatus, Role

logger = logging.getLogger(__name__)

HISTORY_LIMIT = 40  # messages of earlier turns given to the model


@dataclass
class OpenedTurn:
    """The stored user message and the model's input."""

    user_id: str
    conversation_id: int
    user_message_id: int
    history: list[TResponseInputItem]


@dataclass
class Progress:
    """What the user has seen so far, to store if the turn ends early."""

    text: list[str] = field(default_factory=list)
    stored: bool = False


async def open_turn(engine: Engine, user_id: str, body: ChatRequest) -> OpenedTurn:
    """Store the user message (404 for an unknown conversation) before anything can fail."""
    return await run_in_threadpool(_store_user_message, engine, user_id, body)


async def open_stored_turn(engine: Engine, user_id: str, conversation_id: int, message_id: int) -> OpenedTurn:
    """A turn on a user message already stored (ChatKit stores it itself before asking for a reply)."""
    return await run_in_threadpool(_stored_turn, engine, user_id, conversation_id, message_id)


async def events(
    engine: Engine, agent: ChatAgent, turn: OpenedTurn, live: bool = True
) -> AsyncGenerator[TurnEvent]:
    """start, then delta / tool_call / tool_result as they happen (when `live`), then done or error."""
    yield TurnEvent(
        "start", {"conversation_id": turn.conversation_id, "user_message_id": turn.user_message_id}
    )
    context, progress = ChatContext(user_id=turn.user_id), Progress()
    try:
        async with aclosing(agent.stream(context, turn.history, live)) as agent_events:
            async for event in agent_events:
                if event.name == "reply":
                    yield await _finish(engine, turn, context, progress, event.data["text"])
                    return
                if event.name == "delta":
                    progress.text.append(event.data["text"])
                yield event
    except AgentUnavailable as error:
        await _store_partial(engine, turn, context, progress, MessageStatus.failed)
        yield _error_event(turn, str(error))
    finally:
        # The client went away (Stop) and the response was cancelled: keep what was said and done so far.
        # Shielded, because the cancellation would otherwise also cancel this last write.
        with anyio.CancelScope(shield=True):
            await _store_partial(engine, turn, context, progress, MessageStatus.stopped)


async def _finish(
    engine: Engine, turn: OpenedTurn, context: ChatContext, progress: Progress, text: str
) -> TurnEvent:
    progress.stored = True
    reply = text or "".join(progress.text)
    message = await _store_reply(engine, turn, reply, context, MessageStatus.complete)
    calls = [call.model_dump() for call in context.tool_calls]
    data = {"conversation_id": turn.conversation_id, "message_id": message.id, "response": reply}
    return TurnEvent("done", {**data, "tool_calls": calls})


async def _store_partial(
    engine: Engine, turn: OpenedTurn, context: ChatContext, progress: Progress, ending: MessageStatus
) -> None:
    """Store what the user saw of an unfinished turn, once; nothing at all if there was nothing yet."""
    if progress.stored:
        return
    progress.stored = True
    if progress.text or context.tool_calls:
        await _store_reply(engine, turn, "".join(progress.text), context, ending)


def _error_event(turn: OpenedTurn, message: str) -> TurnEvent:
    return TurnEvent(
        "error",
        {
            "code": "model_unavailable",
            "message": message,
            "retryable": True,
            "conversation_id": turn.conversation_id,
            "user_message_id": turn.user_message_id,
        },
    )


def _store_user_message(engine: Engine, user_id: str, body: ChatRequest) -> OpenedTurn:
    with open_session(engine) as session:
        conversation = _conversation(session, user_id, body)
        earlier = list(crud.list_messages(session, conversation, last=HISTORY_LIMIT))
        if _is_retry(earlier, body.message):
            user_message = earlier.pop()  # re-run the failed turn on the stored message, not a copy of it
        else:
            user_message = crud.add_message(session, conversation, Role.user, body.message)
        assert conversation.id is not None and user_message.id is not None
        history = [_as_input(message) for message in earlier if message.content]
        history.append({"role": "user", "content": body.message})
        return OpenedTurn(user_id, conversation.id, user_message.id, history)


def _stored_turn(engine: Engine, user_id: str, conversation_id: int, message_id: int) -> OpenedTurn:
    with open_session(engine) as session:
        conversation = crud.get_conversation(session, user_id, conversation_id)
        if conversation is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Conversation not found")
        earlier = crud.list_messages(session, conversation, last=HISTORY_LIMIT, up_to=message_id)
        history = [_as_input(message) for message in earlier if message.content]
        return OpenedTurn(user_id, conversation_id, message_id, history)


def _conversation(session: Any, user_id: str, body: ChatRequest) -> Conversation:
    if body.conversation_id is None:
        return crud.new_conversation(session, user_id, body.message)
    conversation = crud.get_conversation(session, user_id, body.conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Conversation not found")
    return conversation


def _is_retry(earlier: list[Message], text: str) -> bool:
    """The same text again right after a user message that got no answer: the client retries a failed turn."""
    return bool(earlier) and earlier[-1].role == Role.user and earlier[-1].content == text


def _as_input(message: Message) -> TResponseInputItem:
    return {"role": message.role, "content": message.content}  # type: ignore[return-value,misc]


async def _store_reply(
    engine: Engine, turn: OpenedTurn, text: str, context: ChatContext, ending: MessageStatus
) -> Message:
    actions = [call.model_dump(exclude={"result"}) for call in context.tool_calls]
    return await run_in_threadpool(_add_reply, engine, turn, text, actions or None, ending)


def _add_reply(
    engine: Engine, turn: OpenedTurn, text: str, actions: list[dict[str, Any]] | None, ending: MessageStatus
) -> Message:
    with open_session(engine) as session:
        conversation = crud.get_conversation(session, turn.user_id, turn.conversation_id)
        if conversation is None:  # deleted while the turn ran: nothing to attach the reply to
            logger.info("conversation deleted during a chat turn; reply not stored")
            return Message(
                id=0, user_id=turn.user_id, conversation_id=turn.conversation_id, role="", content=""
            )
        return crud.add_message(session, conversation, Role.assistant, text, actions, ending)
