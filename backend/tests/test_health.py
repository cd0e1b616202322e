"""Liveness, readiness, and what a user of the served process sees: JSON access logs and a clean SIGTERM."""

import json
import signal
import time
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
        "reason": "database not migrated: at no revision, expected 0003",
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


def access_entries(log_path: Path, method: str, path: str) -> list[dict]:
    """The access lines for one request; the line is written just after the response, so wait for it."""
    for _ in range(100):
        entries = [json.loads(line) for line in log_path.read_text().splitlines()]
        matching = [entry for entry in entries if (entry.get("method"), entry.get("path")) == (method, path)]
        if matching:
            return matching
        time.sleep(0.1)
    return []


def test_one_json_access_line_per_request_without_secrets(served: Served, make_token: TokenFactory) -> None:
    token = make_token("logged-user")
    headers = {"Authorization": f"Bearer {token}"}
    tasks = f"{served.url}/api/logged-user/tasks"
    assert httpx.post(tasks, json={"title": "very private title"}, headers=headers).status_code == 201
    assert httpx.get(f"{tasks}/2147483647", headers=headers).status_code == 404

    [created] = access_entries(served.log_path, "POST", "/api/logged-user/tasks")
    assert created["logger"] == "todo.access"
    assert created["status"] == 201
    assert created["duration_ms"] >= 0
    [missing] = access_entries(served.log_path, "GET", "/api/logged-user/tasks/2147483647")
    assert missing["status"] == 404
    log = served.log_path.read_text()
    assert token not in log and "very private title" not in log


def test_sigterm_stops_the_server_cleanly(database_url: URL, jwks_server: JWKSServer, tmp_path: Path) -> None:
    with serve(database_url, jwks_server.url, tmp_path / "uvicorn.log") as served:
        served.process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why it stopped.
        assert served.process.wait(timeout=30) == -signal.SIGTERM
    log = served.log_path.read_text()
    assert "Traceback" not in log
    assert "Application shutdown complete." in log


def test_the_openapi_schema_lists_the_contracts_paths(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/{user_id}/tasks",
        "/api/{user_id}/tasks/{task_id}",
        "/api/{user_id}/tasks/{task_id}/complete",
        "/api/{user_id}/chat",
        "/api/{user_id}/chat/stream",
        "/api/{user_id}/conversations",
        "/api/{user_id}/conversations/{conversation_id}",
        "/api/{user_id}/conversations/{conversation_id}/messages",
        "/health",
        "/ready",
    }
    assert set(paths["/api/{user_id}/tasks/{task_id}"]) == {"get", "put", "delete"}
