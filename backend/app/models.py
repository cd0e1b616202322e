"""SQLModel tables and the API schemas built on them."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer, StringConstraints
from pydantic import Field as Constraint
from sqlalchemy import Column, DateTime, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

MAX_ID = 2**31 - 1  # PostgreSQL integer: larger ids cannot exist, so they are refused as invalid input
TITLE_MAX = 200
DESCRIPTION_MAX = 1000
MESSAGE_MAX = 4000
USER_ID_MAX = 255
CONVERSATION_TITLE_MAX = 80


def utcnow() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were stored as UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, PlainSerializer(lambda value: _as_utc(value).isoformat(), return_type=str)]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL characters: refuse them as invalid input rather than fail on insert.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Title = Annotated[str, _text(1, TITLE_MAX), AfterValidator(_no_nul)]
Description = Annotated[str, _text(0, DESCRIPTION_MAX), AfterValidator(_no_nul)]
ChatText = Annotated[str, _text(1, MESSAGE_MAX), AfterValidator(_no_nul)]
ObjectId = Annotated[int, Constraint(ge=1, le=MAX_ID)]


def _timestamp_column() -> Column:
    return Column(DateTime(timezone=True), nullable=False)


class TaskStatus(StrEnum):
    all = "all"
    pending = "pending"
    completed = "completed"


class Role(StrEnum):
    user = "user"
    assistant = "assistant"


# ---- tables ---------------------------------------------------------------------------------------------


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True, max_length=USER_ID_MAX)
    title: str = Field(max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    completed: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp_column())


class Conversation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True, max_length=USER_ID_MAX)
    title: str | None = Field(default=None, max_length=CONVERSATION_TITLE_MAX)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp_column())


class Message(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True, max_length=USER_ID_MAX)
    conversation_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    role: str = Field(max_length=16)
    content: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp_column())


# ---- API schemas ----------------------------------------------------------------------------------------


class TaskCreate(SQLModel):
    title: Title
    description: Description | None = None


class TaskUpdate(SQLModel):
    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None


class TaskPublic(SQLModel):
    id: int
    title: str
    description: str | None
    completed: bool
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ConversationPublic(SQLModel):
    id: int
    title: str | None  # the start of its first message
    created_at: UtcDatetime
    updated_at: UtcDatetime


class MessagePublic(SQLModel):
    id: int
    conversation_id: int
    role: Role
    content: str
    created_at: UtcDatetime


class ChatRequest(SQLModel):
    conversation_id: ObjectId | None = None
    message: ChatText


class ToolCall(SQLModel):
    name: str
    arguments: dict
    result: dict | list | str


class ChatResponse(SQLModel):
    conversation_id: int
    response: str
    tool_calls: list[ToolCall]
