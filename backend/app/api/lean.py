"""The hot routes' fast lane: one thread hop and one statement per request, and JSON written once.

A plain FastAPI route costs three thread hops (the endpoint, its dependencies, closing the session) and
re-validates every returned row into its response model before serialising it. Rows read from our own tables
need no validation: they were validated on the way in and the columns fix their types. So these helpers open
a connection, run the work, write the JSON in the response model's exact shape and give the connection back,
all in one hop. The routes keep `response_model=` for the OpenAPI document, and request input is validated as
before (FastAPI does that before the endpoint runs).

Each request here is one SQL statement, run in autocommit: a transaction around a single statement would cost
two more round trips (BEGIN, then COMMIT or ROLLBACK) and protect nothing. On PostgreSQL a list is built as
one JSON text by the database itself (`json_agg`), which Python passes through as the body; other databases
(SQLite, for development and tests) get the same JSON written from the rows in Python.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic_core import to_json
from sqlalchemy import ColumnElement, Connection, Engine, Row, Text, case, cast, func, literal_column, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.base import Executable
from sqlmodel import SQLModel

from app.models import as_utc

Fields = tuple[tuple[str, bool], ...]

AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


def public_fields(model: type[SQLModel]) -> Fields:
    """The response model's fields in order, each with whether it is a timestamp (written as ISO 8601)."""
    return tuple((name, field.annotation is datetime) for name, field in model.model_fields.items())


def as_public(item: Any, fields: Fields) -> dict[str, Any]:
    """A row or table object as its response model would serialise it (timestamps in ISO 8601, as UTC)."""
    return {
        name: as_utc(getattr(item, name)).isoformat() if is_time else getattr(item, name)
        for name, is_time in fields
    }


def many(items: Iterable[Any], fields: Fields) -> list[dict[str, Any]]:
    return [as_public(item, fields) for item in items]


def _sql(constant: str) -> ColumnElement[Any]:
    # Our own constants, written into the SQL: PostgreSQL cannot infer the type of a parameter given to
    # json_build_object's "any" arguments.
    return literal_column("'" + constant.replace("'", "''") + "'")


ISO_SECONDS = 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'
ISO_MICROSECONDS = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'


def _isoformat(column: ColumnElement[datetime]) -> ColumnElement[str]:
    """PostgreSQL's text for a timestamp, exactly as Python's `isoformat()` of it in UTC: microseconds only
    when there are some (`to_json` would drop trailing zeros and follow the session's time zone)."""
    utc = func.timezone(_sql("UTC"), column)
    whole_second = func.date_trunc(_sql("second"), column) == column
    return case(
        (whole_second, func.to_char(utc, _sql(ISO_SECONDS))), else_=func.to_char(utc, _sql(ISO_MICROSECONDS))
    )


class JsonList:
    """The rows of `table` that match `where`, in order, as a JSON array of `model`: built by PostgreSQL in
    one text value, or written from the rows in Python on other databases. Built once, at import: `where`
    names its values as bound parameters (`bindparam`), given for each request."""

    def __init__(
        self,
        model: type[SQLModel],
        table: type[SQLModel],
        where: ColumnElement[bool],
        order_by: Sequence[ColumnElement[Any]],
    ) -> None:
        self.fields = public_fields(model)
        columns = [getattr(table, name) for name, _ in self.fields]
        pairs = chain.from_iterable(
            (_sql(name), _isoformat(column) if is_time else column)
            for (name, is_time), column in zip(self.fields, columns, strict=True)
        )
        items = func.json_agg(func.json_build_object(*pairs)).aggregate_order_by(*order_by)
        self.as_json = select(cast(func.coalesce(items, literal_column("'[]'::json")), Text)).where(where)
        self.as_rows = select(*columns).where(where).order_by(*order_by)

    def __call__(self, connection: Connection, params: dict[str, Any]) -> bytes:
        if connection.dialect.name == "postgresql":
            return connection.execute(self.as_json, params).scalar_one().encode()
        return to_json(many(connection.execute(self.as_rows, params), self.fields))


async def read_json(request: Request, query: JsonList, params: dict[str, Any]) -> Response:
    """Answer with `query`'s JSON, run in one thread hop; retried once on a connection the server had closed
    (a restart while the request waited): a read changes nothing, so running it again is safe."""
    body = await run_in_threadpool(_read_retried, request.app.state.engine, query, params)
    return Response(body, status.HTTP_200_OK, media_type="application/json")


async def write_one(request: Request, statement: Executable, missing: str = "Not found") -> Row[Any]:
    """Run a write, one statement returning one row, in one thread hop; 404 with `missing` if it returned none
    (it matched no row of the user's). Not retried: it may have been done before its connection broke."""
    row = await run_in_threadpool(_write, request.app.state.engine, statement)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, missing)
    return row


async def row_json(
    request: Request,
    statement: Executable,
    fields: Fields,
    status_code: int = status.HTTP_200_OK,
    missing: str = "Not found",
) -> Response:
    """`write_one`, answered with the returned row as JSON."""
    row = await write_one(request, statement, missing)
    return Response(to_json(as_public(row, fields)), status_code, media_type="application/json")


def _read_retried(engine: Engine, query: JsonList, params: dict[str, Any]) -> bytes:
    try:
        return _read(engine, query, params)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    return _read(engine, query, params)


def _read(engine: Engine, query: JsonList, params: dict[str, Any]) -> bytes:
    with engine.connect() as connection:
        return query(connection.execution_options(**AUTOCOMMIT), params)


def _write(engine: Engine, statement: Executable) -> Row[Any] | None:
    with engine.connect() as connection:
        return connection.execution_options(**AUTOCOMMIT).execute(statement).first()
