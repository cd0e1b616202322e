"""REST endpoints for the user's tasks."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from fastapi.responses import Response
from sqlalchemy import bindparam

from app import crud
from app.api.deps import CurrentUser, SessionDep
from app.api.lean import JsonList, public_fields, read_json, row_json, write_one
from app.api.responses import AUTH_ERRORS, BAD_JSON, error_responses, not_found
from app.models import MAX_ID, Task, TaskCreate, TaskPublic, TaskStatus, TaskUpdate

router = APIRouter(prefix="/api/{user_id}/tasks", tags=["tasks"], responses=error_responses(*AUTH_ERRORS))
NOT_FOUND = error_responses(not_found("task"))
TASK_NOT_FOUND = "Task not found"
WITH_BODY = error_responses(BAD_JSON)


def owned_task(
    user: CurrentUser, session: SessionDep, task_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Task:
    """The task with this id if it belongs to the user; else 404 (another user's task stays invisible)."""
    task = crud.get_task(session, user, task_id)
    if task is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, TASK_NOT_FOUND)
    return task


OwnedTask = Annotated[Task, Depends(owned_task)]
TaskId = Annotated[int, Path(ge=1, le=MAX_ID)]
PUBLIC = public_fields(TaskPublic)

# The list, create, update and delete routes are the user's hot path: one thread hop each (see app.api.lean).


LISTS = {
    status: JsonList(TaskPublic, Task, crud.user_tasks(bindparam("user"), status), crud.TASK_ORDER)
    for status in TaskStatus
}


@router.get("", response_model=list[TaskPublic])
async def list_tasks(request: Request, user: CurrentUser, status: TaskStatus = TaskStatus.all) -> Response:
    return await read_json(request, LISTS[status], {"user": user})


@router.post("", response_model=TaskPublic, status_code=status.HTTP_201_CREATED, responses=WITH_BODY)
async def create_task(request: Request, user: CurrentUser, body: TaskCreate) -> Response:
    return await row_json(request, crud.new_task(user, body), PUBLIC, status.HTTP_201_CREATED)


@router.get("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND)
def read_task(task: OwnedTask) -> Task:
    return task


@router.put("/{task_id}", response_model=TaskPublic, responses={**NOT_FOUND, **WITH_BODY})
async def update_task(request: Request, user: CurrentUser, task_id: TaskId, body: TaskUpdate) -> Response:
    return await row_json(request, crud.changed_task(user, task_id, body), PUBLIC, missing=TASK_NOT_FOUND)


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_task(request: Request, user: CurrentUser, task_id: TaskId) -> Response:
    await write_one(request, crud.removed_task(user, task_id), missing=TASK_NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch("/{task_id}/complete", response_model=TaskPublic, responses=NOT_FOUND)
def toggle_completion(task: OwnedTask, session: SessionDep) -> Task:
    return crud.update_task(session, task, TaskUpdate(completed=not task.completed))
