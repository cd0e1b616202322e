"""ChatKit's Store on the project's own tables: a thread is a conversation, its items are the messages.

So a conversation started in the project's chat UI is a ChatKit thread, and a ChatKit thread is a
conversation of the REST API. Ids carry the row ids: thread `thr_7` is conversation 7; item `msg_12` is
message 12, and `wf_12` is the tool activity of assistant message 12 (stored with it, in `tool_calls`).

Only user messages are written through the Store: assistant replies are stored by the chat turn that
produces them (app.chat_turn), exactly as for /chat, with their tool actions and how they ended.
"""

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from chatkit.store import NotFoundError, Store, StoreItemType
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageItem,
    Attachment,
    CustomSummary,
    CustomTask,
    InferenceOptions,
    Page,
    ThreadItem,
    ThreadMetadata,
    UserMessageItem,
    UserMessageTextContent,
    Workflow,
    WorkflowItem,
)
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlmodel import Session

from app import crud
from app.agent.pipeline import ChatAgent
from app.core.db import open_session
from app.models import MAX_ID, Conversation, Message, Role, ToolAction, as_utc

T = TypeVar("T")
THREAD_ID = re.compile(r"thr_([1-9][0-9]{0,9})")
ITEM_ID = re.compile(r"(msg|wf)_([1-9][0-9]{0,9})")


@dataclass
class RequestContext:
    """Who is asking, and what the request needs: the database, the agent, a conversation made for it."""

    user_id: str
    engine: Engine
    agent: ChatAgent
    new_conversation_id: int | None = None  # threads.create: the conversation made before the SDK runs


def thread_id(conversation_id: int) -> str:
    return f"thr_{conversation_id}"


def _row_id(digits: str | None) -> int | None:
    # ids beyond PostgreSQL's integer cannot exist, and asking for one would be a database error
    return int(digits) if digits and int(digits) <= MAX_ID else None


def conversation_id_of(thread: str) -> int | None:
    match = THREAD_ID.fullmatch(thread)
    return _row_id(match.group(1)) if match else None


def message_id_of(item_id: str) -> int | None:
    match = ITEM_ID.fullmatch(item_id)
    return _row_id(match.group(2)) if match else None


def user_text(item: UserMessageItem) -> str:
    return "".join(part.text for part in item.content)


def as_thread(conversation: Conversation) -> ThreadMetadata:
    assert conversation.id is not None
    return ThreadMetadata(
        id=thread_id(conversation.id), title=conversation.title, created_at=as_utc(conversation.created_at)
    )


def tool_task(action: ToolAction) -> CustomTask:
    """One tool action as a finished workflow task: its sentence for people, or its name."""
    return CustomTask(
        title=action.summary or action.name,
        icon="check" if action.ok else "info",
        status_indicator="complete",
    )


def tool_summary(count: int) -> CustomSummary:
    return CustomSummary(title="Updated your tasks" if count else "Worked on your tasks", icon="check")


def as_items(message: Message) -> list[ThreadItem]:
    """A stored message as ChatKit shows it: a user message, or tool activity then the reply's text."""
    assert message.id is not None
    common: dict[str, Any] = {
        "thread_id": thread_id(message.conversation_id),
        "created_at": as_utc(message.created_at),
    }
    if message.role == Role.user:
        return [
            UserMessageItem(
                id=f"msg_{message.id}",
                content=[UserMessageTextContent(text=message.content)],
                inference_options=InferenceOptions(),
                **common,
            )
        ]
    items: list[ThreadItem] = []
    if message.tool_calls:
        tasks = [tool_task(ToolAction.model_validate(call)) for call in message.tool_calls]
        workflow = Workflow(type="custom", tasks=list(tasks), summary=tool_summary(len(tasks)))
        items.append(WorkflowItem(id=f"wf_{message.id}", workflow=workflow, **common))
    if message.content:
        content = [AssistantMessageContent(text=message.content)]
        items.append(AssistantMessageItem(id=f"msg_{message.id}", content=content, **common))
    return items


def page(items: Sequence[T], key: Callable[[T], str], after: str | None, limit: int, order: str) -> Page[T]:
    """`limit` items after the one with id `after`, in `order` (the lists come oldest or newest first)."""
    ordered = list(items) if order == "asc" else list(reversed(items))
    ids = [key(item) for item in ordered]
    start = ids.index(after) + 1 if after in ids else 0
    chosen = ordered[start : start + max(limit, 1)]
    has_more = start + len(chosen) < len(ordered)
    return Page(data=chosen, has_more=has_more, after=key(chosen[-1]) if chosen else None)


class ConversationStore(Store[RequestContext]):
    """Each call opens its own session in the thread pool (the queries are synchronous)."""

    def generate_item_id(
        self, item_type: StoreItemType, thread: ThreadMetadata, context: RequestContext
    ) -> str:
        # Streamed items get a name that can never be mistaken for a stored row's (msg_12).
        return f"{item_type}_live_{uuid.uuid4().hex}"

    def generate_thread_id(self, context: RequestContext) -> str:
        if context.new_conversation_id is None:
            raise NotFoundError("no conversation was made for this request")
        return thread_id(context.new_conversation_id)

    async def _run(self, context: RequestContext, work: Callable[[Session], T]) -> T:
        def in_session() -> T:
            with open_session(context.engine) as session:
                return work(session)

        return await run_in_threadpool(in_session)

    @staticmethod
    def _conversation(session: Session, thread: str, context: RequestContext) -> Conversation:
        conversation_id = conversation_id_of(thread)
        found = conversation_id and crud.get_conversation(session, context.user_id, conversation_id)
        if not found:
            raise NotFoundError(f"Thread {thread} not found")
        return found

    async def load_thread(self, thread_id: str, context: RequestContext) -> ThreadMetadata:
        return await self._run(
            context, lambda session: as_thread(self._conversation(session, thread_id, context))
        )

    async def save_thread(self, thread: ThreadMetadata, context: RequestContext) -> None:
        def save(session: Session) -> None:
            conversation = self._conversation(session, thread.id, context)
            if thread.title and thread.title != conversation.title:
                crud.rename_conversation(session, conversation, thread.title)

        await self._run(context, save)

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: RequestContext
    ) -> Page[ThreadMetadata]:
        def load(session: Session) -> list[ThreadMetadata]:
            # newest first from the database; `page` wants them oldest first
            return [as_thread(row) for row in reversed(crud.list_conversations(session, context.user_id))]

        return page(await self._run(context, load), lambda thread: thread.id, after, limit, order)

    async def delete_thread(self, thread_id: str, context: RequestContext) -> None:
        await self._run(
            context,
            lambda session: crud.delete_conversation(
                session, self._conversation(session, thread_id, context)
            ),
        )

    async def _items(self, thread_id: str, context: RequestContext) -> list[ThreadItem]:
        def load(session: Session) -> list[ThreadItem]:
            messages = crud.list_messages(session, self._conversation(session, thread_id, context))
            return [item for message in messages for item in as_items(message)]

        return await self._run(context, load)

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: RequestContext
    ) -> Page[ThreadItem]:
        return page(await self._items(thread_id, context), lambda item: item.id, after, limit, order)

    async def load_item(self, thread_id: str, item_id: str, context: RequestContext) -> ThreadItem:
        found = next((item for item in await self._items(thread_id, context) if item.id == item_id), None)
        if found is None:
            raise NotFoundError(f"Item {item_id} not found")
        return found

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: RequestContext) -> None:
        """Stores user messages; everything else comes from the chat turn, which stored it already."""
        if not isinstance(item, UserMessageItem):
            return

        def add(session: Session) -> Message:
            conversation = self._conversation(session, thread_id, context)
            return crud.add_message(session, conversation, Role.user, user_text(item))

        stored = await self._run(context, add)
        # The SDK streams this very object to the client next: give it the stored row's id, so that the
        # client's later requests about it (retry, items.list after=) name a row.
        item.id = f"msg_{stored.id}"

    async def save_item(self, thread_id: str, item: ThreadItem, context: RequestContext) -> None:
        """Items are never edited here (this server streams no replacements)."""

    async def delete_thread_item(self, thread_id: str, item_id: str, context: RequestContext) -> None:
        message_id = message_id_of(item_id)
        if message_id is None or item_id.startswith("wf_"):  # tool activity goes with its message
            return

        def delete(session: Session) -> None:
            crud.delete_message(session, self._conversation(session, thread_id, context), message_id)

        await self._run(context, delete)

    # No attachments: the route refuses requests with any before they get here.
    async def save_attachment(self, attachment: Attachment, context: RequestContext) -> None:
        raise NotFoundError("attachments are not supported")

    async def load_attachment(self, attachment_id: str, context: RequestContext) -> Attachment:
        raise NotFoundError("attachments are not supported")

    async def delete_attachment(self, attachment_id: str, context: RequestContext) -> None:
        raise NotFoundError("attachments are not supported")
