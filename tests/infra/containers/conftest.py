"""Fixtures of the container tests: the project's images, run hardened on a private Docker network.

    python -m pytest tests/infra/containers

Needs a running Docker and the base images (CI: ci/base-images/build.sh). The images under test are
TODO_BACKEND_IMAGE and TODO_FRONTEND_IMAGE if set, else the current sources' tags, built when missing.
Everything the run creates (a network, its containers and their volumes) carries the run's id and is removed.
"""

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docker
import pytest
from container_support import (
    BACKEND_OPTIONS,
    FRONTEND_OPTIONS,
    Launcher,
    Stack,
    answers,
    container_logs,
    images_under_test,
    published_port,
    remove_quietly,
    wait_until,
)
from docker.models.containers import Container
from docker.models.networks import Network

from ops import images
from ops.errors import OpsError
from tests.helpers import free_port

RUN_ID = uuid.uuid4().hex[:8]
LABELS = {"org.todo.test-run": RUN_ID}
POSTGRES_IMAGE = "postgres:15-bookworm"
MIGRATION_LIMIT_SECONDS = 120


def container_name(role: str) -> str:
    return f"todo-ct-{RUN_ID}-{role}"


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    try:
        return images.docker_client()
    except OpsError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def image_references(docker_client: docker.DockerClient) -> dict[str, str]:
    """backend/frontend -> the image reference under test."""
    try:
        return images_under_test(docker_client)
    except OpsError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def network(docker_client: docker.DockerClient) -> Iterator[Network]:
    created = docker_client.networks.create(container_name("net"), driver="bridge", labels=LABELS)
    yield created
    remove_quietly(created)


@pytest.fixture(scope="session")
def launch(docker_client: docker.DockerClient, network: Network) -> Iterator[Launcher]:
    """Start a named container on the private network; every one started is removed at the end."""
    started: list[Container] = []

    def start(image: str, role: str, **options: Any) -> Container:
        container = docker_client.containers.run(
            image, name=container_name(role), network=network.name, labels=LABELS, detach=True, **options
        )
        started.append(container)
        return container

    yield start
    for container in reversed(started):
        remove_quietly(container)


@dataclass(frozen=True)
class Database:
    container: Container
    url: str  # as the other containers reach it on the network


@pytest.fixture(scope="session")
def database(launch: Launcher) -> Database:
    password = secrets.token_urlsafe(18)
    postgres = launch(
        POSTGRES_IMAGE,
        "postgres",
        environment={"POSTGRES_USER": "todo", "POSTGRES_PASSWORD": password, "POSTGRES_DB": "todo"},
    )
    # Over TCP: during initialisation the entrypoint's temporary server listens on the socket only.
    wait_until(
        lambda: postgres.exec_run(["pg_isready", "-h", "127.0.0.1", "-U", "todo"]).exit_code == 0,
        "PostgreSQL accepting connections",
        postgres,
    )
    return Database(postgres, f"postgresql://todo:{password}@{postgres.name}:5432/todo")


def migrate(launch: Launcher, backend_image: str, database_url: str) -> None:
    """`alembic upgrade head`, as the charts' migration job runs it: same image, read-only root filesystem."""
    job = launch(
        backend_image,
        "migrate",
        command=["alembic", "upgrade", "head"],
        environment={"DATABASE_URL": database_url},
        **BACKEND_OPTIONS,
    )
    status = job.wait(timeout=MIGRATION_LIMIT_SECONDS)["StatusCode"]
    assert status == 0, f"migrations failed (exit {status}):\n{container_logs(job)}"


@pytest.fixture(scope="session")
def stack(launch: Launcher, image_references: dict[str, str], database: Database) -> Stack:
    """PostgreSQL, the migrated schema, the backend and the frontend, each published on 127.0.0.1 only."""
    database_url = database.url
    migrate(launch, image_references["backend"], database_url)
    base_url = f"http://127.0.0.1:{free_port()}"
    backend_environment = {
        "DATABASE_URL": database_url,
        "BETTER_AUTH_URL": base_url,
        "BETTER_AUTH_JWKS_URL": f"http://{container_name('frontend')}:3000/api/auth/jwks",
    }
    frontend_environment = {
        "DATABASE_URL": database_url,
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(32),
        "BETTER_AUTH_URL": base_url,
        "BACKEND_URL": f"http://{container_name('backend')}:8000",
    }
    backend = launch(
        image_references["backend"],
        "backend",
        environment=backend_environment,
        ports={"8000/tcp": ("127.0.0.1", None)},
        **BACKEND_OPTIONS,
    )
    frontend = launch(
        image_references["frontend"],
        "frontend",
        environment=frontend_environment,
        ports={"3000/tcp": ("127.0.0.1", int(base_url.rsplit(":", 1)[1]))},
        **FRONTEND_OPTIONS,
    )
    backend_url = f"http://127.0.0.1:{published_port(backend, 8000)}"
    wait_until(lambda: answers(f"{backend_url}/health"), "the backend answering /health", backend)
    wait_until(lambda: answers(f"{base_url}/api/health"), "the frontend answering /api/health", frontend)
    return Stack(
        base_url=base_url,
        backend_url=backend_url,
        frontend_environment=frontend_environment,
        backend_environment=backend_environment,
        postgres=database.container,
        backend=backend,
        frontend=frontend,
    )
