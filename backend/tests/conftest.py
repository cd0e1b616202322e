"""Shared fixtures: a real JWKS server, Ed25519-signed tokens, migrated databases (SQLite and, when
TEST_DATABASE_URL is set, PostgreSQL), the app under TestClient, and the app served by uvicorn."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from app.core.config import Settings, normalise_database_url
from app.core.migrations import alembic_config
from app.main import create_app
from tests.support import JWKSServer, free_port, parse_sse, public_jwk, running_jwks_server, sign_token

BACKEND_DIR = Path(__file__).resolve().parents[1]
ISSUER = "http://auth.example.test:3000"  # the tokens' iss and aud; never contacted
KID = "test-key-1"
PG_SCHEMA = "backend_tests"  # our own schema, so other users of the test database are left alone
TABLES = ("message", "conversation", "task")


# ---- tokens and the JWKS server -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def jwks_server_session(signing_key: Ed25519PrivateKey) -> Iterator[JWKSServer]:
    with running_jwks_server(JWKSServer()) as state:
        yield state


@pytest.fixture
def jwks_server(jwks_server_session: JWKSServer, signing_key: Ed25519PrivateKey) -> JWKSServer:
    jwks_server_session.keys = [public_jwk(signing_key, KID)]
    jwks_server_session.available = True
    jwks_server_session.fetches = 0
    return jwks_server_session


TokenFactory = Callable[..., str]


@pytest.fixture
def make_token(signing_key: Ed25519PrivateKey) -> TokenFactory:
    """make_token(sub, **claim overrides; None removes a claim) -> an EdDSA token like Better Auth's."""

    def factory(
        sub: str | None, *, key: Any = None, kid: str = KID, algorithm: str = "EdDSA", **claims: Any
    ) -> str:
        return sign_token(key or signing_key, sub, issuer=ISSUER, kid=kid, algorithm=algorithm, **claims)

    return factory


# ---- databases --------------------------------------------------------------------------------------------


def _database_kinds() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


def migrate(url: URL) -> None:
    config = alembic_config()
    config.attributes.update(database_url=url, configure_logger=False)
    command.upgrade(config, "head")


def postgres_test_url(schema: str = PG_SCHEMA) -> URL:
    """TEST_DATABASE_URL with its own schema first on the search path (created fresh)."""
    base = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return base.update_query_dict({"options": f"-csearch_path={schema}"})


@pytest.fixture(scope="session", params=_database_kinds())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> URL:
    if request.param == "sqlite":
        url = URL.create("sqlite", database=str(tmp_path_factory.mktemp("db") / "todo.db"))
    else:
        url = postgres_test_url()
    migrate(url)
    return url


def as_string(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def clean_tables(url: URL) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


# ---- the app ----------------------------------------------------------------------------------------------


@pytest.fixture
def settings(database_url: URL, jwks_server: JWKSServer) -> Settings:
    return Settings(
        DATABASE_URL=as_string(database_url), BETTER_AUTH_URL=ISSUER, BETTER_AUTH_JWKS_URL=jwks_server.url
    )


@pytest.fixture
def app(settings: Settings, database_url: URL) -> Iterator[FastAPI]:
    application = create_app(settings)
    application.state.verifier.jwks.refetch_interval = 0  # tests switch keys and outages on and off at will
    yield application
    application.state.engine.dispose()
    clean_tables(database_url)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class User:
    """A signed-in user of the REST API: requests go to /api/{id}/... with the user's token."""

    client: TestClient
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {**self.headers, **(headers or {})}
        return self.client.request(method, f"/api/{self.id}{path}", headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def add_task(self, title: str, **fields: Any) -> dict[str, Any]:
        response = self.post("/tasks", json={"title": title, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def stream(self, message: str, conversation_id: int | None = None) -> list[tuple[str, dict[str, Any]]]:
        """POST /chat/stream: the server-sent events as (name, data) pairs."""
        body = {"message": message, "conversation_id": conversation_id}
        response = self.post("/chat/stream", json=body)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        return parse_sse(response.text)

    def chat(self, message: str, conversation_id: int | None = None) -> dict[str, Any]:
        response = self.post("/chat", json={"message": message, "conversation_id": conversation_id})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def alice(client: TestClient, make_token: TokenFactory) -> User:
    return User(client, "alice-id", make_token("alice-id"))


@pytest.fixture
def bob(client: TestClient, make_token: TokenFactory) -> User:
    return User(client, "bob-id", make_token("bob-id"))


# ---- the app served by uvicorn ----------------------------------------------------------------------------


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    log_path: Path


@contextmanager
def serve(
    database_url: URL,
    jwks_url: str,
    log_path: Path,
    extra_env: dict[str, str] | None = None,
    backend_dir: Path = BACKEND_DIR,
) -> Iterator[Served]:
    """The app in its own uvicorn process on 127.0.0.1, configured through the environment like production.

    The offline model answers unless `extra_env` configures another (the developer's OPENAI_* never count)."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPENAI_")}
    env.update(DATABASE_URL=as_string(database_url), BETTER_AUTH_URL=ISSUER, BETTER_AUTH_JWKS_URL=jwks_url)
    env.update(extra_env or {})
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=backend_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, process, log_path)
        yield Served(url, process, log_path)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="session")
def served_session(
    database_url: URL, jwks_server_session: JWKSServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    with serve(
        database_url, jwks_server_session.url, tmp_path_factory.mktemp("uvicorn") / "uvicorn.log"
    ) as served:
        yield served


@pytest.fixture
def served(served_session: Served, jwks_server: JWKSServer, database_url: URL) -> Iterator[Served]:
    yield served_session
    clean_tables(database_url)


def _wait_until_serving(url: str, process: subprocess.Popen[str], log_path: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not start:\n{log_path.read_text()}")
