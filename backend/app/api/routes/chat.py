"""The chat endpoints: the JSON form for API clients and the server-sent event stream for the chat UI."""

import json
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import anyio
from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.types import Send

from app.agent.pipeline import ChatAgent, TurnEvent
from app.api.deps import CurrentUser
from app.api.responses import AUTH_ERRORS, BAD_JSON, error_responses, not_found
from app.chat_turn import events, open_turn
from app.models import ChatErrorBody, ChatRequest, ChatResponse, ErrorBody

router = APIRouter(prefix="/api/{user_id}", tags=["chat"])

CHAT_ERRORS = error_responses(
    *AUTH_ERRORS,
    BAD_JSON,
    not_found("conversation"),
    (
        status.HTTP_503_SERVICE_UNAVAILABLE,
        ChatErrorBody | ErrorBody,  # type: ignore[arg-type]
        "The model failed: the body names the conversation and the stored user message; re-send the same "
        "message to retry (it is not stored twice). Or the database or sign-in keys are unavailable (then "
        "only `detail`).",
    ),
)
STREAM_DESCRIPTION = """\
Server-sent events, each `event: <name>` and `data: <one JSON object>`:
`start` {conversation_id, user_message_id}; `delta` {text}; `tool_call` {call_id, name, arguments};
`tool_result` {call_id, name, ok, summary, result}; then `done` {conversation_id, message_id, response,
tool_calls} or `error` {code, message, retryable, conversation_id, user_message_id}.
"""


def _event(name: str, *fields: str) -> dict[str, Any]:
    """One server-sent event in OpenAPI 3.1 terms: its name, and its data as a JSON object with these keys."""
    data = {"type": "object", "required": list(fields)}
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"const": name},
            "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": data},
        },
    }


EVENT_SCHEMA = {
    "oneOf": [
        _event("start", "conversation_id", "user_message_id"),
        _event("delta", "text"),
        _event("tool_call", "call_id", "name", "arguments"),
        _event("tool_result", "call_id", "name", "ok", "summary", "result"),
        _event("done", "conversation_id", "message_id", "response", "tool_calls"),
        _event("error", "code", "message", "retryable", "conversation_id", "user_message_id"),
    ]
}


@router.post("/chat", response_model=ChatResponse, responses=CHAT_ERRORS)
async def chat(user: CurrentUser, body: ChatRequest, request: Request) -> Any:
    """One chat turn, answered when it is over."""
    engine, agent = request.app.state.engine, _agent(request)
    turn = await open_turn(engine, user, body)
    async for event in events(engine, agent, turn, live=False):
        if event.name == "done":
            return event.data
        if event.name == "error":
            return JSONResponse(_chat_error(event.data), status.HTTP_503_SERVICE_UNAVAILABLE)
    raise AssertionError("a turn always ends with done or error")


@router.post(
    "/chat/stream",
    response_class=StreamingResponse,
    responses={
        200: {"description": STREAM_DESCRIPTION, "content": {"text/event-stream": {"schema": EVENT_SCHEMA}}},
        **CHAT_ERRORS,
    },
)
async def chat_stream(user: CurrentUser, body: ChatRequest, request: Request) -> StreamingResponse:
    """One chat turn as server-sent events; closing the connection stops the turn (stored as `stopped`)."""
    turn = await open_turn(request.app.state.engine, user, body)
    return EventStreamResponse(_sse(events(request.app.state.engine, _agent(request), turn)))


class EventStreamResponse(StreamingResponse):
    """text/event-stream that proxies pass through unbuffered, and that always closes its turn.

    When the client disconnects, Starlette cancels the sending task; the event generator may then be left
    suspended at a `yield`, so it is closed here (shielded) to let the turn store what it has so far.
    """

    media_type = "text/event-stream"

    def __init__(self, content: AsyncGenerator[str] | AsyncGenerator[bytes]) -> None:
        super().__init__(content, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        self._events = content

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            with anyio.CancelScope(shield=True):
                await self._events.aclose()


async def _sse(turn_events: AsyncGenerator[TurnEvent]) -> AsyncGenerator[str]:
    async with aclosing(turn_events):
        async for event in turn_events:
            yield f"event: {event.name}\ndata: {json.dumps(event.data, separators=(',', ':'))}\n\n"


def _chat_error(data: dict[str, Any]) -> dict[str, Any]:
    body = {key: value for key, value in data.items() if key != "message"}
    return ChatErrorBody(detail=data["message"], **body).model_dump()


def _agent(request: Request) -> ChatAgent:
    return request.app.state.chat_agent
