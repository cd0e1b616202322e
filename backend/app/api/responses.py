"""The error responses each route declares in OpenAPI, with their bodies."""

from typing import Any

from fastapi import status
from pydantic import BaseModel

from app.models import ErrorBody, ValidationErrorBody

ErrorSpec = tuple[int, type[BaseModel], str]

AUTH_ERRORS: tuple[ErrorSpec, ...] = (
    (status.HTTP_401_UNAUTHORIZED, ErrorBody, "No bearer token, or an invalid or expired one"),
    (status.HTTP_403_FORBIDDEN, ErrorBody, "The token belongs to another user than `{user_id}`"),
    (status.HTTP_422_UNPROCESSABLE_CONTENT, ValidationErrorBody, "Invalid path, query or body"),
    (
        status.HTTP_503_SERVICE_UNAVAILABLE,
        ErrorBody,
        "The database or the sign-in service's signing keys are unavailable; retry later",
    ),
)


BAD_JSON: ErrorSpec = (status.HTTP_400_BAD_REQUEST, ErrorBody, "The body is not valid JSON")


def error_responses(*specs: ErrorSpec) -> dict[int | str, dict[str, Any]]:
    """FastAPI `responses=` for these errors; a later spec for the same status replaces an earlier one."""
    return {code: {"model": model, "description": description} for code, model, description in specs}


def not_found(what: str) -> ErrorSpec:
    return (status.HTTP_404_NOT_FOUND, ErrorBody, f"No such {what} (or another user's)")
