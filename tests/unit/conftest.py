"""Fixtures for the task runner's unit tests (none is autouse: test modules ask for what they need)."""

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import docker
import pytest
from runner_fakes import FakeDocker

from ops.secrets import KEYS


class FrontendStub(BaseHTTPRequestHandler):
    """Answers the smoke test's two requests like a healthy frontend; anything else is 404."""

    status_by_path: ClassVar[dict[str, int]] = {"/api/health": 200, "/api/auth/jwks": 200}

    def do_GET(self) -> None:
        self.send_response(self.status_by_path.get(self.path, 404))
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def tools_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every tool is on PATH and Docker answers, unless a test says otherwise."""
    monkeypatch.setattr(shutil, "which", lambda tool: f"/usr/local/bin/{tool}")
    monkeypatch.setattr(docker, "from_env", FakeDocker)


@pytest.fixture
def no_secrets_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    return tmp_path / "env" / "local.env"


@pytest.fixture
def frontend_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FrontendStub)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
