"""POST /api/{user_id}/chatkit: the ChatKit protocol (OpenAI's ChatKit web component, self-hosted mode).

Every ChatKit request is one JSON object {"type": ..., "params": ...} to this one endpoint; streaming ones
are answered with server-sent events, the others with JSON. The request is checked here before the SDK
sees it, so that anything wrong gets one clear 4xx instead of a broken stream: a body that is not a ChatKit
request (422), a feature this server does not offer (400), another user's or a missing thread (404).

Left out of the OpenAPI document: its request and event types are the ChatKit SDK's (a union of a dozen
request kinds and two dozen event kinds), defined and versioned by that SDK, not by this API.
"""

from typing import Any

from chatkit.server import StreamingResult
from chatkit.store import NotFoundError
from chatkit.types import (
    ChatKitReq,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsUpdateReq,
    UserMessageInput,
)
from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Engine

from app import crud
from app.api.deps import CurrentUser
from app.api.routes.chat import EventStreamResponse
from app.chatkit.server import TodoChatKitServer
from app.chatkit.store import RequestContext, conversation_id_of
from app.core.db import open_session
from app.core.errors import describe
from app.models import ChatText, ConversationTitle

router = APIRouter(prefix="/api/{user_id}", tags=["chatkit"])

REQUEST = TypeAdapter[ChatKitReq](ChatKitReq)
MESSAGE = TypeAdapter(ChatText)
TITLE = TypeAdapter(ConversationTitle)
SUPPORTED = {
    "threads.create",
    "threads.add_user_message",
    "threads.retry_after_item",
    "threads.get_by_id",
    "threads.list",
    "threads.update",
    "threads.delete",
    "items.list",
    "items.feedback",
}
SERVER = TodoChatKitServer()


def _invalid(errors: list[dict[str, Any]], field: str | None = None) -> JSONResponse:
    """422 in the API's usual shape: the issues, and the first as a sentence for a person."""
    issues = [
        {
            "loc": [field] if field else list(error.get("loc", ())),
            "msg": describe({**error, "loc": (field,)} if field else error),
            "type": error.get("type", ""),
        }
        for error in errors
    ]
    body = {"detail": issues, "message": issues[0]["msg"] if issues else "The request is invalid."}
    return JSONResponse(body, status.HTTP_422_UNPROCESSABLE_CONTENT)


def _parse(body: bytes) -> ChatKitReq | JSONResponse:
    try:
        return REQUEST.validate_json(body)
    except ValidationError as error:
        errors = error.errors(include_url=False, include_context=False, include_input=False)
        if errors and errors[0]["type"] == "json_invalid":
            return JSONResponse({"detail": "The body is not valid JSON."}, status.HTTP_400_BAD_REQUEST)
        sentence = "This is not a ChatKit request: " + describe(dict(errors[0])).rstrip(".") + "."
        issues = [{"loc": list(issue["loc"]), "msg": issue["msg"], "type": issue["type"]} for issue in errors]
        return JSONResponse({"detail": issues, "message": sentence}, status.HTTP_422_UNPROCESSABLE_CONTENT)


def _refusal(request: ChatKitReq) -> JSONResponse | None:
    """What this server does not offer, or text the chat would not accept either; None if all is well."""
    if request.type not in SUPPORTED:
        detail = f"This server does not support {request.type} (no attachments, widgets or client tools)."
        return JSONResponse({"detail": detail}, status.HTTP_400_BAD_REQUEST)
    if isinstance(request, ThreadsCreateReq | ThreadsAddUserMessageReq):
        return _check_input(request.params.input)
    if isinstance(request, ThreadsUpdateReq):
        try:
            request.params.title = TITLE.validate_python(request.params.title)
        except ValidationError as error:
            return _invalid([dict(issue) for issue in error.errors()], "title")
    return None


def _check_input(given: UserMessageInput) -> JSONResponse | None:
    if given.attachments:
        detail = "This server does not support attachments; send text only."
        return JSONResponse({"detail": detail}, status.HTTP_400_BAD_REQUEST)
    try:
        MESSAGE.validate_python("".join(part.text for part in given.content))
    except ValidationError as error:
        return _invalid([dict(issue) for issue in error.errors()], "message")
    return None


def _owns_thread(engine: Engine, user_id: str, thread: str) -> bool:
    conversation_id = conversation_id_of(thread)
    if conversation_id is None:
        return False
    with open_session(engine) as session:
        return crud.get_conversation(session, user_id, conversation_id) is not None


def _new_conversation(engine: Engine, user_id: str, first_message: str) -> int:
    with open_session(engine) as session:
        conversation = crud.new_conversation(session, user_id, first_message)
        session.commit()
        assert conversation.id is not None
        return conversation.id


async def _context(user: str, request: Request, parsed: ChatKitReq) -> RequestContext:
    """The request's context; for threads.create, with the new conversation the thread will be."""
    engine = request.app.state.engine
    context = RequestContext(user_id=user, engine=engine, agent=request.app.state.chat_agent)
    if isinstance(parsed, ThreadsCreateReq):
        text = "".join(part.text for part in parsed.params.input.content)
        context.new_conversation_id = await run_in_threadpool(_new_conversation, engine, user, text)
        return context
    thread = getattr(getattr(parsed, "params", None), "thread_id", None)
    if thread is not None and not await run_in_threadpool(_owns_thread, engine, user, thread):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Thread not found")
    return context


@router.post("/chatkit", include_in_schema=False)
async def chatkit(user: CurrentUser, request: Request) -> Response:
    """One ChatKit request: JSON for reads and edits, server-sent events for a reply."""
    parsed = _parse(await request.body())
    if isinstance(parsed, JSONResponse):
        return parsed
    refusal = _refusal(parsed)
    if refusal is not None:
        return refusal
    context = await _context(user, request, parsed)
    try:
        # the request as checked (a title trimmed), not as sent
        result = await SERVER.process(parsed.model_dump_json(by_alias=True), context)
    except NotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found") from None
    if isinstance(result, StreamingResult):
        return EventStreamResponse(result.json_events)
    return Response(result.json, media_type="application/json")
