"""The user's chat conversations and their history."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from app import crud
from app.api.deps import CurrentUser, SessionDep
from app.models import MAX_ID, Conversation, ConversationPublic, Message, MessagePublic

router = APIRouter(prefix="/api/{user_id}/conversations", tags=["chat"])


@router.get("", response_model=list[ConversationPublic])
def list_conversations(user: CurrentUser, session: SessionDep) -> Sequence[Conversation]:
    """Most recently active first."""
    return crud.list_conversations(session, user)


@router.get("/{conversation_id}/messages", response_model=list[MessagePublic])
def list_messages(
    user: CurrentUser, session: SessionDep, conversation_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Sequence[Message]:
    """Oldest first."""
    conversation = crud.get_conversation(session, user, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Conversation not found")
    return crud.list_messages(session, conversation)
