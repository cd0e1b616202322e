"""SQLModel tables and the API schemas built on them."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    Strict,
    StringConstraints,
    field_validator,
)
from pydantic import Field as Constraint
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

MAX_ID = 2**31 - 1  # PostgreSQL integer: larger ids cannot exist, so they are refused as invalid input
TITLE_MAX = 200
DESCRIPTION_MAX = 1000
MESSAGE_MAX = 4000
USER_ID_MAX = 255
CONVERSATION_TITLE_MAX = 80


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were stored as UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, PlainSerializer(lambda value: as_utc(value).isoformat(), return_type=str)]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL characters: refuse them as invalid input rather than fail on insert.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# The rules in the schema too, so that clients and schema-driven tools know them: no NUL characters, and
# required text must have something besides spaces (it is trimmed). The validators stay the real check.
# "Spaces" are spelled out rather than `\s`, whose meaning differs between regex dialects (ECMAScript's counts
# U+FEFF but not U+0085): they are exactly what the trimming removes, Unicode's White_Space characters.
WHITE_SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL_PATTERN = r"^[^\x00]*$"
NOT_BLANK_PATTERN = rf"^[^\x00]*[^\x00{WHITE_SPACE}][^\x00]*$"


def _text(min_length: int, max_length: int) -> StringConstraints:
    pattern = NOT_BLANK_PATTERN if min_length else NO_NUL_PATTERN
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=pattern
    )


Title = Annotated[str, _text(1, TITLE_MAX), AfterValidator(_no_nul)]
Description = Annotated[str, _text(0, DESCRIPTION_MAX), AfterValidator(_no_nul)]
ChatText = Annotated[str, _text(1, MESSAGE_MAX), AfterValidator(_no_nul)]
ConversationTitle = Annotated[str, _text(1, CONVERSATION_TITLE_MAX), AfterValidator(_no_nul)]


def _json_number(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer, so ids accept it (lax mode), but never text or booleans.
    if isinstance(value, str | bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


ObjectId = Annotated[int, Constraint(ge=1, le=MAX_ID), BeforeValidator(_json_number), Strict(False)]


def _timestamp_column() -> Column:
    return Column(DateTime(timezone=True), nullable=False)


class TaskStatus(StrEnum):
    all = "all"
    pending = "pending"
    completed = "completed"


class Role(StrEnum):
    user = "user"
    assistant = "assistant"


class MessageStatus(StrEnum):
    """How an assistant message ended: answered, stopped by the user, or cut short by a model failure."""

    complete = "complete"
    stopped = "stopped"
    failed = "failed"


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
    # The tool actions of an assistant turn, as a JSON list on the message itself rather than a table of
    # their own: they are only ever written and read together with their message, never queried on their
    # own, so a column saves a join on every history read. Null for user messages and older rows.
    tool_calls: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON().with_variant(JSONB(), "postgresql"), nullable=True)
    )
    status: str = Field(
        default=MessageStatus.complete,
        sa_column=Column(String(16), nullable=False, server_default=MessageStatus.complete.value),
    )


# ---- API schemas ----------------------------------------------------------------------------------------


# Request bodies are strict: JSON `0` is not `false` and `"5"` is not `5`, exactly as the schema says.
STRICT_BODY = ConfigDict(strict=True)


class TaskCreate(SQLModel):
    model_config = STRICT_BODY

    title: Title
    description: Description | None = None


class TaskUpdate(SQLModel):
    model_config = STRICT_BODY

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


class ConversationUpdate(SQLModel):
    model_config = STRICT_BODY

    title: ConversationTitle


class ToolAction(SQLModel):
    """One tool call of an assistant turn as stored with its message: enough to show it again later."""

    call_id: str = ""
    name: str
    arguments: dict[str, Any]
    ok: bool = True
    summary: str = ""  # a sentence for people, such as 'Added task #3 "Buy milk"'


class ToolCall(ToolAction):
    """A tool call as the chat endpoints report it: the stored action plus what the tool returned."""

    result: dict[str, Any] | list[Any] | str


class MessagePublic(SQLModel):
    id: int
    conversation_id: int
    role: Role
    content: str
    created_at: UtcDatetime
    status: MessageStatus = MessageStatus.complete
    tool_calls: list[ToolAction] = []

    @field_validator("tool_calls", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class ChatRequest(SQLModel):
    model_config = STRICT_BODY

    conversation_id: ObjectId | None = None
    message: ChatText


class ChatResponse(SQLModel):
    conversation_id: int
    message_id: int  # the stored assistant message
    response: str
    tool_calls: list[ToolCall]


# ---- error bodies (declared in OpenAPI) -------------------------------------------------------------


class ErrorBody(SQLModel):
    detail: str


class ValidationIssue(SQLModel):
    loc: list[str | int]
    msg: str  # one sentence for a person
    type: str


class ValidationErrorBody(SQLModel):
    detail: list[ValidationIssue]
    message: str  # the first issue, as one sentence for a person


class ChatErrorBody(SQLModel):
    """The model failed: the user message is stored; re-send it to retry (it will not be stored twice)."""

    detail: str
    code: str
    retryable: bool
    conversation_id: int
    user_message_id: int
