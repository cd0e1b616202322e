"""The hot routes' fast lane: one thread hop per request, and JSON written once from the stored rows.

A plain FastAPI route costs three thread hops (the endpoint, its dependencies, closing the session) and
re-validates every returned row into its response model before serialising it. Rows read from our own tables
need no validation: they were validated on the way in and the columns fix their types. So these helpers open
the session, run the work, write the JSON in the response model's exact shape and give the connection back,
all in one hop. The routes keep `response_model=` for the OpenAPI document, and request input is validated as
before (FastAPI does that before the endpoint runs).
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from fastapi import Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic_core import to_json
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from app.core.db import open_session
from app.models import as_utc

Work = Callable[[Session], Any]


def public_fields(model: type[SQLModel]) -> tuple[tuple[str, bool], ...]:
    """The response model's fields in order, each with whether it is a timestamp (written as ISO 8601)."""
    return tuple((name, field.annotation is datetime) for name, field in model.model_fields.items())


def as_public(item: Any, fields: tuple[tuple[str, bool], ...]) -> dict[str, Any]:
    """A row or table object as its response model would serialise it (timestamps in ISO 8601, as UTC)."""
    return {
        name: as_utc(getattr(item, name)).isoformat() if is_time else getattr(item, name)
        for name, is_time in fields
    }


def many(items: Iterable[Any], fields: tuple[tuple[str, bool], ...]) -> list[dict[str, Any]]:
    return [as_public(item, fields) for item in items]


async def json_from_db(
    request: Request, work: Work, status_code: int = status.HTTP_200_OK, read_only: bool = False
) -> Response:
    """Run `work(session)` in one thread hop and answer with its result as JSON.

    `read_only` work is retried once on a connection the server had closed (a restart while the request
    waited): it changes nothing, so running it again is safe."""
    engine: Engine = request.app.state.engine
    body = await run_in_threadpool(_run, engine, work, read_only)
    return Response(body, status_code, media_type="application/json")


def _run(engine: Engine, work: Work, read_only: bool) -> bytes:
    try:
        return _once(engine, work)
    except DBAPIError as error:
        if not (read_only and error.connection_invalidated):
            raise
    return _once(engine, work)


def _once(engine: Engine, work: Work) -> bytes:
    with open_session(engine) as session:
        return to_json(work(session))
