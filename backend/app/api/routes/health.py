"""Liveness and readiness probes."""

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from app.core.migrations import migration_problem

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process serves requests; touches no dependency."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "Not ready, with the reason"}})
def ready(request: Request) -> JSONResponse:
    """Ready when the database is reachable and migrated to the latest revision."""
    problem = migration_problem(request.app.state.engine)
    if problem:
        return JSONResponse({"status": "unavailable", "reason": problem}, status.HTTP_503_SERVICE_UNAVAILABLE)
    return JSONResponse({"status": "ready"})
