"""Fixtures for the browser end-to-end test: the site under test and a system Chromium.

With TODO_BASE_URL set the test drives that site (for example a deployed release). Without it, this file
starts the real stack on 127.0.0.1: a fresh PostgreSQL database on TEST_DATABASE_URL's server, the backend
(alembic, then uvicorn) and the frontend's production build (the standalone server), on free ports; it stops
them by pid afterwards.
The frontend must be built first: `npm ci && npm run build` in frontend/.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from psycopg import sql

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
BACKEND_DIR = ROOT / "backend"
FRONTEND_DIR = ROOT / "frontend"
STANDALONE_DIR = FRONTEND_DIR / ".next" / "standalone"
DEFAULT_DATABASE_URL = "postgresql://todo:todo@127.0.0.1:5432/todo_test"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_DEADLINE_S = 90


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    """Poll url until it answers 200; fail with the server's log if the process dies or never gets there."""
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode} during start-up:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not become healthy within {STARTUP_DEADLINE_S}s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Stack:
    """The processes this test run started, each stopped by its own pid."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(
        self, name: str, command: list[str], cwd: Path, env: dict[str, str], health_url: str
    ) -> subprocess.Popen:
        log = self.log_dir / f"{name}.log"
        with log.open("a") as output:
            process = subprocess.Popen(
                command, cwd=cwd, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        wait_until_healthy(health_url, process, log)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)  # a paused process cannot act on SIGTERM
                stop(process)


class Backend:
    """The backend process of this run, which a test may pause (SIGSTOP), stop and start again (same port)."""

    def __init__(self, stack: Stack, command: list[str], env: dict[str, str], health_url: str) -> None:
        self.stack, self.command, self.health_url = stack, command, health_url
        self.base_env, self.env = env, env
        self.process = stack.start("backend", command, BACKEND_DIR, env, health_url)
        self.paused = False

    def pause(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

    def stop(self) -> None:
        if self.paused:
            self.resume()
        stop(self.process)

    def start(self) -> None:
        self.process = self.stack.start("backend", self.command, BACKEND_DIR, self.env, self.health_url)

    def restart(self, extra_env: dict[str, str]) -> None:
        """Start it again with these settings added to the run's own (none: the run's own)."""
        self.stop()
        self.env = {**self.base_env, **extra_env}
        self.start()

    def ensure_running(self) -> None:
        """After a test, whatever it did: the backend answers again, with the run's own settings."""
        if self.paused:
            self.resume()
        if self.env != self.base_env:
            self.restart({})
        elif self.process.poll() is not None:
            self.start()


def backend_python() -> str:
    """The backend's interpreter: TODO_BACKEND_PYTHON, else backend/.venv (as CI makes it), else this one."""
    if os.environ.get("TODO_BACKEND_PYTHON"):
        return os.environ["TODO_BACKEND_PYTHON"]
    venv_python = BACKEND_DIR / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def create_database(server_url: str) -> tuple[str, str]:
    """A new, empty database on server_url's PostgreSQL, so the test shares no state: (name, its URL)."""
    name = f"todo_browser_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name, server_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def prepare_standalone_server() -> Path:
    """The standalone server serves static assets from beside server.js, as the image lays them out."""
    server = STANDALONE_DIR / "server.js"
    if not server.exists():
        pytest.fail(
            "No frontend build: run `npm ci && npm run build` in frontend/ first (or set TODO_BASE_URL)."
        )
    shutil.copytree(
        FRONTEND_DIR / ".next" / "static", STANDALONE_DIR / ".next" / "static", dirs_exist_ok=True
    )
    if (FRONTEND_DIR / "public").is_dir():
        shutil.copytree(FRONTEND_DIR / "public", STANDALONE_DIR / "public", dirs_exist_ok=True)
    return server


def start_local_stack(stack: Stack, database_url: str) -> tuple[str, Backend]:
    backend_port, frontend_port = free_port(), free_port()
    site = f"http://127.0.0.1:{frontend_port}"
    backend_env = {"DATABASE_URL": database_url, "BETTER_AUTH_URL": site, "LOG_LEVEL": "WARNING"}
    python = backend_python()
    subprocess.run(
        [python, "-m", "alembic", "upgrade", "head"],
        cwd=BACKEND_DIR,
        env={**os.environ, **backend_env},
        check=True,
        capture_output=True,
    )
    backend = Backend(
        stack,
        [python, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(backend_port)],
        backend_env,
        f"http://127.0.0.1:{backend_port}/health",
    )
    server = prepare_standalone_server()
    frontend_env = {
        "DATABASE_URL": database_url,
        "BETTER_AUTH_URL": site,
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(32),
        "BACKEND_URL": f"http://127.0.0.1:{backend_port}",
        "HOSTNAME": "127.0.0.1",
        "PORT": str(frontend_port),
        "NEXT_TELEMETRY_DISABLED": "1",
    }
    stack.start("frontend", ["node", str(server)], server.parent, frontend_env, f"{site}/api/health")
    return site, backend


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Backend | None]]:
    """The site's URL, and the backend process when this run started it (None for TODO_BASE_URL)."""
    if os.environ.get("TODO_BASE_URL"):
        yield os.environ["TODO_BASE_URL"].rstrip("/"), None
        return
    server_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    database, database_url = create_database(server_url)
    stack = Stack(tmp_path_factory.mktemp("stack-logs"))
    try:
        yield start_local_stack(stack, database_url)
    finally:
        stack.stop_all()
        drop_database(server_url, database)


@pytest.fixture(scope="session")
def base_url(site: tuple[str, Backend | None]) -> str:
    return site[0]


@pytest.fixture
def backend(site: tuple[str, Backend | None]) -> Iterator[Backend]:
    """The backend to pause or restart; tests that need it are skipped against a deployed site."""
    if site[1] is None:
        pytest.skip("needs the backend process this run starts (not with TODO_BASE_URL)")
    yield site[1]
    site[1].ensure_running()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(f"No Chromium at {executable}: `apt-get install -y chromium`, or set CHROMIUM_PATH.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    yield page
    context.close()
