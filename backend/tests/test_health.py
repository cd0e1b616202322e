"""Liveness, readiness, and what a user of the served process sees: JSON access logs and a clean SIGTERM."""

import json
import signal
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from app.core.config import Settings
from app.main import create_app
from tests.conftest import Served, TokenFactory, serve
from tests.support import JWKSServer


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


def test_not_ready_when_the_database_is_not_migrated(settings: Settings, tmp_path: Path) -> None:
    empty = Settings(**{**settings.model_dump(), "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    with TestClient(create_app(empty)) as client:
        assert client.get("/health").status_code == 200
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reason": "database not migrated: at no revision, expected 0001",
    }


def test_not_ready_when_the_database_is_unreachable(settings: Settings, tmp_path: Path) -> None:
    for url in (
        f"sqlite:///{tmp_path / 'missing-dir' / 'todo.db'}",
        "postgresql://todo:todo@127.0.0.1:1/todo",
    ):
        unreachable = Settings(**{**settings.model_dump(), "DATABASE_URL": url})
        with TestClient(create_app(unreachable)) as client:
            assert client.get("/health").status_code == 200
            response = client.get("/ready")
        assert response.status_code == 503
        assert response.json()["reason"] == "database unreachable"


def test_database_outage_is_503_not_500(settings: Settings, make_token: TokenFactory) -> None:
    down = Settings(**{**settings.model_dump(), "DATABASE_URL": "postgresql://todo:todo@127.0.0.1:1/todo"})
    headers = {"Authorization": f"Bearer {make_token('alice-id')}"}
    with TestClient(create_app(down)) as client:
        assert client.get("/api/alice-id/tasks", headers=headers).status_code == 503
        assert client.post("/api/alice-id/chat", headers=headers, json={"message": "hi"}).status_code == 503


def test_one_json_access_line_per_request_without_secrets(served: Served, make_token: TokenFactory) -> None:
    token = make_token("alice-id")
    body = {"title": "very private title"}
    response = httpx.post(
        f"{served.url}/api/alice-id/tasks", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201
    httpx.get(f"{served.url}/api/alice-id/tasks/2147483647", headers={"Authorization": f"Bearer {token}"})
    log = served.log_path.read_text()
    assert token not in log and "very private title" not in log
    access = [entry for entry in map(json.loads, log.splitlines()) if entry["logger"] == "todo.access"]
    created = [
        entry for entry in access if entry["method"] == "POST" and entry["path"] == "/api/alice-id/tasks"
    ]
    assert len(created) == 1
    assert created[0]["status"] == 201
    assert created[0]["duration_ms"] >= 0
    assert any(entry["status"] == 404 for entry in access)


def test_sigterm_stops_the_server_cleanly(database_url: URL, jwks_server: JWKSServer, tmp_path: Path) -> None:
    with serve(database_url, jwks_server.url, tmp_path / "uvicorn.log") as served:
        served.process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why it stopped.
        assert served.process.wait(timeout=30) == -signal.SIGTERM
    log = served.log_path.read_text()
    assert "Traceback" not in log
    assert "Application shutdown complete." in log
