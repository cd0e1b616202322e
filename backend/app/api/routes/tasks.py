"""REST endpoints for the user's tasks."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from sqlalchemy import Row

from app import crud
from app.api.deps import CurrentUser, SessionDep
from app.api.responses import AUTH_ERRORS, BAD_JSON, error_responses, not_found
from app.models import MAX_ID, Task, TaskCreate, TaskPublic, TaskStatus, TaskUpdate

router = APIRouter(prefix="/api/{user_id}/tasks", tags=["tasks"], responses=error_responses(*AUTH_ERRORS))
NOT_FOUND = error_responses(not_found("task"))
WITH_BODY = error_responses(BAD_JSON)


def owned_task(
    user: CurrentUser, session: SessionDep, task_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Task:
    """The task with this id if it belongs to the user; else 404 (another user's task stays invisible)."""
    task = crud.get_task(session, user, task_id)
    if task is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Task not found")
    return task


OwnedTask = Annotated[Task, Depends(owned_task)]


@router.get("", response_model=list[TaskPublic])
def list_tasks(user: CurrentUser, session: SessionDep, status: TaskStatus = TaskStatus.all) -> Sequence[Row]:
    return crud.list_tasks(session, user, status)


@router.post("", response_model=TaskPublic, status_code=status.HTTP_201_CREATED, responses=WITH_BODY)
def create_task(user: CurrentUser, session: SessionDep, body: TaskCreate) -> Task:
    return crud.create_task(session, user, body)


@router.get("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
def read_task(task: OwnedTask) -> Task:
    return task


@router.put("/{task_id}", response_model=TaskPublic, responses={**NOT_FOUND, **WITH_BODY})
def update_task(task: OwnedTask, session: SessionDep, body: TaskUpdate) -> Task:
    return crud.update_task(session, task, body)


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_task(task: OwnedTask, session: SessionDep) -> None:
    crud.delete_task(session, task)


@router.patch("/{task_id}/complete", response_model=TaskPublic, responses=NOT_FOUND)
def toggle_completion(task: OwnedTask, session: SessionDep) -> Task:
    return crud.update_task(session, task, TaskUpdate(completed=not task.completed))
