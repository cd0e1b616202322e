"""The lean lists (app.api.lean) answer exactly what validating each row into its response model would.

On PostgreSQL the database writes the JSON itself, so its text for strings, nulls, booleans and timestamps
must match pydantic's. The rows here are written straight to the tables, past the API's trimming and
validation, so that they hold what the API would never store (control characters, surrounding spaces)."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from app import crud
from app.api.routes import tasks
from app.models import CONVERSATION_TITLE_MAX, Conversation, ConversationPublic, Task, TaskPublic, TaskStatus
from tests.conftest import User

AWKWARD_TEXT = [
    "quotes \" and ' and back\\slash \\n (not a newline)",
    "new\nline, tab\t, carriage\rreturn, form\x0cfeed, bell\x07, escape\x1b, delete\x7f",
    "  spaces around  ",
    "Acheter du pain 🥖 — 買い物 ✓ \u2028\u2029 \ufeff zero\u200bwidth",
    "</script><script>alert(1)</script> & <b>",
    "x" * 200,
]
# Whole seconds (isoformat() leaves the fraction out), a fraction with trailing zeros, one microsecond,
# and the end of a day and of a year, given in another zone than UTC.
AWKWARD_TIMES = [
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
    datetime(1999, 12, 31, 23, 0, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
]


def validated(model: type[SQLModel], rows: Any) -> list[dict[str, Any]]:
    """What the route answered before the lean path: each row validated into the response model."""
    return [model.model_validate(row, from_attributes=True).model_dump(mode="json") for row in rows]


def add_awkward_tasks(session: Session, user_id: str) -> None:
    descriptions: list[str | None] = [*AWKWARD_TEXT, None, ""]
    for number, description in enumerate(descriptions):
        when = AWKWARD_TIMES[number % len(AWKWARD_TIMES)]
        title = AWKWARD_TEXT[number % len(AWKWARD_TEXT)]
        session.add(
            Task(
                user_id=user_id,
                title=title,
                description=description,
                completed=number % 2 == 0,
                created_at=when,
                updated_at=AWKWARD_TIMES[-1 - number % len(AWKWARD_TIMES)],
            )
        )
    session.commit()


@pytest.mark.parametrize("status", list(TaskStatus))
def test_the_task_list_is_the_validated_rows(alice: User, app: FastAPI, status: TaskStatus) -> None:
    with Session(app.state.engine) as session:
        add_awkward_tasks(session, alice.id)
        add_awkward_tasks(session, "someone-else")
        expected = validated(TaskPublic, crud.list_tasks(session, alice.id, status))
    response = alice.get("/tasks", params={"status": status.value})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == expected
    assert len(expected) == (8 if status is TaskStatus.all else 4)


def test_an_empty_list_is_an_empty_array(alice: User) -> None:
    for status in TaskStatus:
        assert alice.get("/tasks", params={"status": status.value}).json() == []
    assert alice.get("/conversations").json() == []


def test_the_conversation_list_is_the_validated_rows(alice: User, app: FastAPI) -> None:
    with Session(app.state.engine) as session:
        for number, title in enumerate([*AWKWARD_TEXT, None]):
            when = AWKWARD_TIMES[number % len(AWKWARD_TIMES)]
            short = title and title[:CONVERSATION_TITLE_MAX]
            session.add(Conversation(user_id=alice.id, title=short, created_at=when, updated_at=when))
        session.commit()
        expected = validated(ConversationPublic, crud.list_conversations(session, alice.id))
    assert alice.get("/conversations").json() == expected
    assert len(expected) == len(AWKWARD_TEXT) + 1


def test_timestamps_do_not_follow_the_sessions_time_zone(alice: User, app: FastAPI) -> None:
    """PostgreSQL formats timestamps in the session's zone unless told otherwise: the lists must not."""
    engine = app.state.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("the SQL-built JSON is PostgreSQL's")
    with Session(engine) as session:
        add_awkward_tasks(session, alice.id)
        expected = validated(TaskPublic, session.exec(select(Task).where(Task.user_id == alice.id)))
    with engine.connect() as connection:
        connection.execute(text("SET TIME ZONE 'America/St_Johns'"))  # UTC-03:30 or -02:30
        listed = tasks.LISTS[TaskStatus.all](connection, {"user": alice.id})
        connection.rollback()
    assert sorted(json.loads(listed), key=by_id) == sorted(expected, key=by_id)


def by_id(item: dict[str, Any]) -> int:
    return item["id"]
