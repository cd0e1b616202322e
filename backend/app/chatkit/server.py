"""The ChatKit server: each reply is one chat turn of app.chat_turn, its events turned into ChatKit's.

The turn is the one /chat and /chat/stream run: the same agent and MCP tools through the Agents SDK, with
the OpenAI model when a key is configured and the built-in offline model when not, and the same storage
(the reply with its tool actions, `stopped` when the client goes away, `failed` when the model fails).
Its events are already the Agents SDK stream reduced to what a person sees, so they map one to one:
tool calls become tasks of a workflow item, text deltas an assistant message, a failure an error event.
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import UTC, datetime
from typing import Any

from chatkit.server import ChatKitServer
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    ClientEffectEvent,
    CustomTask,
    ErrorEvent,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
    Workflow,
    WorkflowItem,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)

from app.agent.pipeline import TurnEvent
from app.chat_turn import events, open_stored_turn
from app.chatkit.store import (
    ConversationStore,
    RequestContext,
    conversation_id_of,
    message_id_of,
    tool_summary,
    tool_task,
)
from app.models import ToolAction

# Sent when a tool has changed the user's tasks, so that the page can refresh its task list at once.
TASKS_CHANGED = "tasks_changed"
TOOL_LABELS = {
    "add_task": "Adding a task",
    "list_tasks": "Looking at your tasks",
    "complete_task": "Completing a task",
    "update_task": "Updating a task",
    "delete_task": "Deleting a task",
}


class Reply:
    """The ChatKit items of one turn as they stream: tool activity first, then the reply's text."""

    def __init__(self, thread: ThreadMetadata) -> None:
        self.thread = thread
        self.workflow: WorkflowItem | None = None
        self.tasks: dict[str, int] = {}  # call id -> task index
        self.message: AssistantMessageItem | None = None

    def _common(self, kind: str) -> dict[str, Any]:
        return {
            "id": f"{kind}_live_{uuid.uuid4().hex}",
            "thread_id": self.thread.id,
            "created_at": datetime.now(UTC),
        }

    def on(self, event: TurnEvent) -> list[ThreadStreamEvent]:
        match event.name:
            case "tool_call":
                return self._tool_call(event.data)
            case "tool_result":
                return self._tool_result(event.data)
            case "delta":
                return self._delta(event.data["text"])
            case "done":
                return self._done(event.data["response"])
            case "error":
                message = event.data["message"]
                return [*self._finish_message(), ErrorEvent(code="custom", message=message, allow_retry=True)]
        return []  # start: the user message is already on screen

    def _tool_call(self, data: dict[str, Any]) -> list[ThreadStreamEvent]:
        name = str(data["name"])
        task = CustomTask(title=TOOL_LABELS.get(name, f"Using {name}") + "…", status_indicator="loading")
        if self.workflow is None:
            self.workflow = WorkflowItem(workflow=Workflow(type="custom", tasks=[task]), **self._common("wf"))
            self.tasks[data["call_id"]] = 0
            return [ThreadItemAddedEvent(item=self.workflow.model_copy(deep=True))]
        self.workflow.workflow.tasks.append(task)
        index = self.tasks[data["call_id"]] = len(self.workflow.workflow.tasks) - 1
        return [
            ThreadItemUpdatedEvent(
                item_id=self.workflow.id, update=WorkflowTaskAdded(task=task, task_index=index)
            )
        ]

    def _tool_result(self, data: dict[str, Any]) -> list[ThreadStreamEvent]:
        index = self.tasks.get(data["call_id"])
        if self.workflow is None or index is None:
            return []
        action = ToolAction(name=data["name"], arguments={}, ok=data["ok"], summary=data["summary"])
        task = self.workflow.workflow.tasks[index] = tool_task(action)
        effect = (
            [ClientEffectEvent(name=TASKS_CHANGED)] if data["ok"] and data["name"] != "list_tasks" else []
        )
        return [
            *effect,
            ThreadItemUpdatedEvent(
                item_id=self.workflow.id, update=WorkflowTaskUpdated(task=task, task_index=index)
            ),
        ]

    def _finish_workflow(self) -> list[ThreadStreamEvent]:
        if self.workflow is None:
            return []
        workflow, self.workflow = self.workflow, None
        workflow.workflow.summary = tool_summary(len(workflow.workflow.tasks))
        return [ThreadItemDoneEvent(item=workflow)]

    def _delta(self, text: str) -> list[ThreadStreamEvent]:
        started: list[ThreadStreamEvent] = [*self._finish_workflow()]
        if self.message is None:
            self.message = AssistantMessageItem(
                content=[AssistantMessageContent(text="")], **self._common("msg")
            )
            started.append(ThreadItemAddedEvent(item=self.message.model_copy(deep=True)))
        self.message.content[0].text += text
        delta = AssistantMessageContentPartTextDelta(content_index=0, delta=text)
        return [*started, ThreadItemUpdatedEvent(item_id=self.message.id, update=delta)]

    def _finish_message(self) -> list[ThreadStreamEvent]:
        finished = self._finish_workflow()
        if self.message is not None:
            finished.append(ThreadItemDoneEvent(item=self.message))
            self.message = None
        return finished

    def _done(self, text: str) -> list[ThreadStreamEvent]:
        finished = self._finish_workflow()
        if self.message is None and text:
            self.message = AssistantMessageItem(
                content=[AssistantMessageContent(text="")], **self._common("msg")
            )
        if self.message is not None:
            self.message.content[0].text = text
        return [*finished, *self._finish_message()]


class TodoChatKitServer(ChatKitServer[RequestContext]):
    def __init__(self) -> None:
        super().__init__(ConversationStore())

    async def respond(
        self, thread: ThreadMetadata, input_user_message: UserMessageItem | None, context: RequestContext
    ) -> AsyncIterator[ThreadStreamEvent]:
        conversation_id = conversation_id_of(thread.id)
        message_id = message_id_of(input_user_message.id) if input_user_message else None
        if conversation_id is None or message_id is None:
            yield ErrorEvent(code="custom", message="There is no message to answer.", allow_retry=False)
            return
        if thread.title is None:  # a new thread: its conversation is titled after the first message
            # (changing `thread` makes the SDK save it and send the client a thread.updated event)
            thread.title = (await self.store.load_thread(thread.id, context)).title
        turn = await open_stored_turn(context.engine, context.user_id, conversation_id, message_id)
        reply = Reply(thread)
        async with aclosing(events(context.engine, context.agent, turn)) as turn_events:
            async for event in turn_events:
                for chatkit_event in reply.on(event):
                    yield chatkit_event

    async def handle_stream_cancelled(
        self, thread: ThreadMetadata, pending_items: list[ThreadItem], context: RequestContext
    ) -> None:
        """Nothing to do: the chat turn has stored what was said and done so far, as `stopped`."""
