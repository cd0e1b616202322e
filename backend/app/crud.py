"""Task and conversation queries, shared by the REST routes, the MCP tools and the chat cycle.

Every query is scoped to one user: another user's rows are indistinguishable from missing ones.
"""

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import BindParameter, ColumnElement, Row, and_, delete, insert, update
from sqlalchemy.sql.dml import ReturningDelete, ReturningInsert, ReturningUpdate
from sqlmodel import Session, col, select

from app.models import (
    CONVERSATION_TITLE_MAX,
    Conversation,
    Message,
    MessageStatus,
    Role,
    Task,
    TaskCreate,
    TaskStatus,
    TaskUpdate,
    utcnow,
)

Saved = TypeVar("Saved", Task, Conversation, Message)


TASK_COLUMNS = (Task.id, Task.title, Task.description, Task.completed, Task.created_at, Task.updated_at)
TASK_ORDER = (col(Task.created_at).desc(), col(Task.id).desc())  # newest first
CONVERSATION_ORDER = (col(Conversation.updated_at).desc(), col(Conversation.id).desc())  # latest activity


def user_tasks(user_id: str | BindParameter[str], status: TaskStatus = TaskStatus.all) -> ColumnElement[bool]:
    """Which tasks a list shows: the user's, all of them or those of one status."""
    if status is TaskStatus.all:
        return col(Task.user_id) == user_id
    return and_(col(Task.user_id) == user_id, col(Task.completed) == (status is TaskStatus.completed))


def list_tasks(session: Session, user_id: str, status: TaskStatus = TaskStatus.all) -> Sequence[Row]:
    """The listed fields as plain rows: listing is the hot path, and ORM objects would double its cost."""
    return session.exec(select(*TASK_COLUMNS).where(user_tasks(user_id, status)).order_by(*TASK_ORDER)).all()


def get_task(session: Session, user_id: str, task_id: int) -> Task | None:
    task = session.get(Task, task_id)
    return task if task is not None and task.user_id == user_id else None


def new_task(user_id: str, data: TaskCreate) -> ReturningInsert[Any]:
    """One INSERT ... RETURNING the listed fields: no ORM object to build and flush (a fifth of a create's
    CPU), as creating is on the user's hot path (app.api.lean runs it as it is)."""
    now = utcnow()
    values = {"title": data.title, "description": data.description or None, "completed": False}
    query = insert(Task).values(user_id=user_id, **values, created_at=now, updated_at=now)
    return query.returning(*TASK_COLUMNS)


def create_task(session: Session, user_id: str, data: TaskCreate) -> Row:
    row = session.execute(new_task(user_id, data)).one()
    session.commit()
    return row


def task_changes(changes: TaskUpdate) -> dict[str, Any]:
    """The columns an update sets: the fields given, where a null or empty description clears it and a null
    title or completed is ignored; and the time of the change."""
    values = changes.model_dump(exclude_unset=True)
    if "description" in values:
        values["description"] = values["description"] or None
    kept = {name: value for name, value in values.items() if value is not None or name == "description"}
    return {**kept, "updated_at": utcnow()}


def update_task(session: Session, task: Task, changes: TaskUpdate) -> Task:
    task.sqlmodel_update(task_changes(changes))
    return _save(session, task)


def changed_task(user_id: str, task_id: int, changes: TaskUpdate) -> ReturningUpdate[Any]:
    """`update_task` as one statement, UPDATE ... RETURNING the listed fields (no row: the user has no such
    task), for the REST hot path."""
    query = update(Task).where(col(Task.id) == task_id, col(Task.user_id) == user_id)
    return query.values(task_changes(changes)).returning(*TASK_COLUMNS)


def removed_task(user_id: str, task_id: int) -> ReturningDelete[Any]:
    """Deleting the user's task as one statement, DELETE ... RETURNING its id (no row: the user has no such
    task), for the REST hot path: no SELECT first, no ORM object."""
    query = delete(Task).where(col(Task.id) == task_id, col(Task.user_id) == user_id)
    return query.returning(col(Task.id))


def delete_task(session: Session, task: Task) -> None:
    session.delete(task)
    session.commit()


def user_conversations(user_id: str | BindParameter[str]) -> ColumnElement[bool]:
    return col(Conversation.user_id) == user_id


def list_conversations(session: Session, user_id: str) -> Sequence[Conversation]:
    query = select(Conversation).where(user_conversations(user_id))
    return session.exec(query.order_by(*CONVERSATION_ORDER)).all()


def get_conversation(session: Session, user_id: str, conversation_id: int) -> Conversation | None:
    conversation = session.get(Conversation, conversation_id)
    return conversation if conversation is not None and conversation.user_id == user_id else None


def new_conversation(session: Session, user_id: str, first_message: str) -> Conversation:
    """A conversation with its id, committed together with its first message (one round trip less)."""
    conversation = Conversation(user_id=user_id, title=_title_from(first_message))
    session.add(conversation)
    session.flush()
    return conversation


def rename_conversation(session: Session, conversation: Conversation, title: str) -> Conversation:
    conversation.title = title
    return _save(session, conversation)


def delete_conversation(session: Session, conversation: Conversation) -> None:
    """Its messages go with it (ON DELETE CASCADE; deleted here too for SQLite without foreign keys)."""
    session.exec(delete(Message).where(col(Message.conversation_id) == conversation.id))
    session.delete(conversation)
    session.commit()


def list_messages(
    session: Session, conversation: Conversation, last: int | None = None, up_to: int | None = None
) -> Sequence[Message]:
    """Oldest first; with `last`, only the latest `last` messages (the database picks them, not Python);
    with `up_to`, only messages up to the one with that id."""
    query = select(Message).where(Message.conversation_id == conversation.id)
    if up_to is not None:
        query = query.where(col(Message.id) <= up_to)
    if last is None:
        return session.exec(query.order_by(col(Message.created_at), col(Message.id))).all()
    latest = query.order_by(col(Message.created_at).desc(), col(Message.id).desc()).limit(last)
    return list(reversed(session.exec(latest).all()))


def delete_message(session: Session, conversation: Conversation, message_id: int) -> None:
    session.exec(
        delete(Message).where(col(Message.conversation_id) == conversation.id, col(Message.id) == message_id)
    )
    session.commit()


def add_message(
    session: Session,
    conversation: Conversation,
    role: Role,
    content: str,
    tool_calls: list[dict[str, Any]] | None = None,
    status: MessageStatus = MessageStatus.complete,
) -> Message:
    message = Message(
        user_id=conversation.user_id,
        conversation_id=conversation.id,
        role=role,
        content=content,
        tool_calls=tool_calls,
        status=status,
    )
    conversation.updated_at = message.created_at
    session.add(conversation)
    return _save(session, message)


def _title_from(message: str) -> str:
    text = " ".join(message.split())
    if len(text) <= CONVERSATION_TITLE_MAX:
        return text
    return text[: CONVERSATION_TITLE_MAX - 1].rstrip() + "\u2026"


def _save(session: Session, row: Saved) -> Saved:
    # Sessions keep their objects after commit (see open_session) and every column is set in Python or
    # returned by the INSERT, so there is nothing to refresh.
    session.add(row)
    session.commit()
    return row
