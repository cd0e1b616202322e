"""The MCP server: the contract's five task tools, served over streamable HTTP at /mcp with bearer auth.

The chat agent calls these same tools in process (app/agent/tools.py): one code path for the tool logic.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Literal

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Engine, Row
from sqlmodel import Session

from app import crud
from app.core.db import open_session
from app.core.errors import first_sentence
from app.core.security import InvalidToken, KeysUnavailable, TokenVerifier
from app.models import MAX_ID, USER_ID_MAX, Description, Task, TaskCreate, TaskStatus, TaskUpdate, Title

# The user on whose behalf the chat agent calls tools in process (over HTTP the bearer token says who it is).
agent_user_id: ContextVar[str | None] = ContextVar("agent_user_id", default=None)

UserId = Annotated[
    str, Field(min_length=1, max_length=USER_ID_MAX, description="Your user id (must match your token)")
]
TaskId = Annotated[int, Field(ge=1, le=MAX_ID, description="The task's id (its number, as list_tasks shows)")]
NewTitle = Annotated[Title, Field(description="The task's title: 1-200 characters, e.g. 'Buy groceries'")]
ChangedTitle = Annotated[Title | None, Field(description="The new title (1-200 characters), if it changes")]
NewDescription = Annotated[
    Description | None, Field(description="Optional details, up to 1000 characters; an empty one clears them")
]
StatusFilter = Annotated[
    TaskStatus, Field(description="Which tasks: 'all' (default), 'pending' or 'completed'")
]


class TaskAction(BaseModel):
    task_id: int
    status: Literal["created", "completed", "deleted", "updated"]
    title: str


class TaskSummary(BaseModel):
    id: int
    title: str
    description: str | None
    completed: bool


def _action(task: Task | Row, status: Literal["created", "completed", "deleted", "updated"]) -> TaskAction:
    assert task.id is not None  # saved rows always have one
    return TaskAction(task_id=task.id, status=status, title=task.title)


def authenticated_user_id() -> str | None:
    token = get_access_token()
    return token.subject if token else agent_user_id.get()


class TaskTools:
    """The tools; each opens its own session, so nothing is kept between calls."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_task(self, user_id: UserId, title: NewTitle, description: NewDescription = None) -> TaskAction:
        """Create a new task with a short title and an optional description."""
        with self._session(user_id) as session:
            task = crud.create_task(session, user_id, TaskCreate(title=title, description=description))
            return _action(task, "created")

    def list_tasks(self, user_id: UserId, status: StatusFilter = TaskStatus.all) -> list[TaskSummary]:
        """List the user's tasks, newest first: all of them, only pending ones, or only completed ones."""
        with self._session(user_id) as session:
            tasks = crud.list_tasks(session, user_id, status)
            return [TaskSummary.model_validate(task, from_attributes=True) for task in tasks]

    def complete_task(self, user_id: UserId, task_id: TaskId) -> TaskAction:
        """Mark a task as completed."""
        with self._session(user_id) as session:
            task = crud.update_task(
                session, self._task(session, user_id, task_id), TaskUpdate(completed=True)
            )
            return _action(task, "completed")

    def delete_task(self, user_id: UserId, task_id: TaskId) -> TaskAction:
        """Delete a task for good."""
        with self._session(user_id) as session:
            task = self._task(session, user_id, task_id)
            crud.delete_task(session, task)
            return _action(task, "deleted")

    def update_task(
        self,
        user_id: UserId,
        task_id: TaskId,
        title: ChangedTitle = None,
        description: NewDescription = None,
    ) -> TaskAction:
        """Change a task's title and/or description."""
        if title is None and description is None:
            raise ToolError("Nothing to update: give a new title or description.")
        with self._session(user_id) as session:
            # Only what was given: an omitted description stays as it is (an empty one clears it).
            given = {"title": title, "description": description}
            changes = TaskUpdate.model_validate(
                {name: value for name, value in given.items() if value is not None}
            )
            return _action(
                crud.update_task(session, self._task(session, user_id, task_id), changes), "updated"
            )

    @contextmanager
    def _session(self, user_id: str) -> Iterator[Session]:
        if user_id != authenticated_user_id():
            raise ToolError("user_id does not match the authenticated user.")
        with open_session(self.engine) as session:
            yield session

    @staticmethod
    def _task(session: Session, user_id: str, task_id: int) -> Task:
        task = crud.get_task(session, user_id, task_id)
        if task is None:
            raise ToolError(f"Task {task_id} not found.")
        return task


class BearerTokenVerifier:
    """Adapts our JWT verification to the MCP SDK's TokenVerifier protocol (None means 401)."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            user_id = await self.verifier.user_id(token)
        except (InvalidToken, KeysUnavailable):
            return None
        return AccessToken(token=token, client_id=user_id, scopes=[], subject=user_id)


class TodoMCPServer(MCPServer):
    """The SDK's server, with argument errors worded for people (the chat relays them to the user)."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            if isinstance(error.__cause__, ValidationError):
                raise ToolError(first_sentence(error.__cause__.errors())) from None
            raise


def _hints(
    *, read_only: bool = False, destructive: bool = False, idempotent: bool = False
) -> ToolAnnotations:
    # Every tool works on the user's own list only: a closed world.
    return ToolAnnotations(
        readOnlyHint=read_only, destructiveHint=destructive, idempotentHint=idempotent, openWorldHint=False
    )


def build_mcp_server(engine: Engine, verifier: TokenVerifier, issuer: str) -> MCPServer:
    server = TodoMCPServer(
        "todo",
        instructions="Manage the authenticated user's todo list. Pass your own user id as user_id.",
        token_verifier=BearerTokenVerifier(verifier),
        auth=AuthSettings(issuer_url=issuer, resource_server_url=None),
    )
    tools = TaskTools(engine)
    annotated = (
        (tools.add_task, _hints()),  # each call adds another task
        (tools.list_tasks, _hints(read_only=True, idempotent=True)),
        (tools.complete_task, _hints(idempotent=True)),
        (tools.delete_task, _hints(destructive=True, idempotent=True)),
        (tools.update_task, _hints(destructive=True, idempotent=True)),  # overwrites the old text
    )
    for tool, hints in annotated:
        server.add_tool(tool, annotations=hints)
    return server
