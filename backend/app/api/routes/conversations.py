"""The user's chat conversations and their history."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from fastapi.responses import Response
from sqlalchemy import bindparam

from app import crud
from app.api.deps import CurrentUser, SessionDep
from app.api.lean import JsonList, read_json
from app.api.responses import AUTH_ERRORS, BAD_JSON, error_responses, not_found
from app.models import (
    MAX_ID,
    Conversation,
    ConversationPublic,
    ConversationUpdate,
    Message,
    MessagePublic,
)

router = APIRouter(
    prefix="/api/{user_id}/conversations", tags=["chat"], responses=error_responses(*AUTH_ERRORS)
)
NOT_FOUND_SPEC = not_found("conversation")
NOT_FOUND = error_responses(NOT_FOUND_SPEC)


def owned_conversation(
    user: CurrentUser, session: SessionDep, conversation_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Conversation:
    """The conversation with this id if it belongs to the user; else 404."""
    conversation = crud.get_conversation(session, user, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Conversation not found")
    return conversation


OwnedConversation = Annotated[Conversation, Depends(owned_conversation)]


LIST = JsonList(
    ConversationPublic, Conversation, crud.user_conversations(bindparam("user")), crud.CONVERSATION_ORDER
)


@router.get("", response_model=list[ConversationPublic])
async def list_conversations(request: Request, user: CurrentUser) -> Response:
    """Most recently active first."""
    # The chat page's first request: one thread hop, one statement, JSON built once (see app.api.lean).
    return await read_json(request, LIST, {"user": user})


@router.patch(
    "/{conversation_id}",
    response_model=ConversationPublic,
    responses=error_responses(NOT_FOUND_SPEC, BAD_JSON),
)
def rename_conversation(
    conversation: OwnedConversation, session: SessionDep, body: ConversationUpdate
) -> Conversation:
    """Give the conversation a title of the user's choosing (1-80 characters)."""
    return crud.rename_conversation(session, conversation, body.title)


@router.delete("/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_conversation(conversation: OwnedConversation, session: SessionDep) -> None:
    """Delete the conversation and all its messages."""
    crud.delete_conversation(session, conversation)


@router.get("/{conversation_id}/messages", response_model=list[MessagePublic], responses=NOT_FOUND)
def list_messages(conversation: OwnedConversation, session: SessionDep) -> Sequence[Message]:
    """Oldest first; assistant messages carry their tool actions and how they ended."""
    return crud.list_messages(session, conversation)
