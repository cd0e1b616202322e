"""Measure the images: size, gzipped size, and start-to-healthy time, run as the container tests run them.

    PYTHONPATH=. python tests/infra/containers/measure_images.py [--runs 5]

Images: TODO_BACKEND_IMAGE and TODO_FRONTEND_IMAGE, else the current sources' tags (built when missing).
Start-to-healthy is from `docker run` to the first 200 from the health endpoint on 127.0.0.1, with PostgreSQL
already up and migrated; the median of the runs is printed. Everything it starts is removed.
"""

import argparse
import secrets
import statistics
import time
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

import docker
from container_support import (
    BACKEND_OPTIONS,
    FRONTEND_OPTIONS,
    answers,
    images_under_test,
    remove_quietly,
    wait_until,
)
from docker.models.containers import Container

from ops import images
from tests.helpers import free_port

MEGABYTE = 1_000_000


def gzipped_size(image: docker.models.images.Image) -> int:
    """Bytes of `docker save IMAGE | gzip` (gzip's default level 6), counted without writing a file."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: the gzip container
    compressed = sum(len(compressor.compress(chunk)) for chunk in image.save(named=False))
    return compressed + len(compressor.flush())


@dataclass(frozen=True)
class Case:
    port: int
    health: str
    options: dict[str, Any]  # docker run options


def seconds_to_healthy(client: docker.DockerClient, image: str, case: Case) -> float:
    host_port = free_port()
    published = {f"{case.port}/tcp": ("127.0.0.1", host_port)}
    start = time.monotonic()
    container = client.containers.run(image, detach=True, ports=published, **case.options)
    try:
        health = f"http://127.0.0.1:{host_port}{case.health}"
        wait_until(lambda: answers(health), f"{image} answering {case.health}", container, poll=0.05)
        return time.monotonic() - start
    finally:
        remove_quietly(container)


def migrated_database(client: docker.DockerClient, network: str, backend_image: str) -> tuple[Container, str]:
    """A PostgreSQL container with the backend's schema, and its URL on the network."""
    password = secrets.token_urlsafe(18)
    database = client.containers.run(
        "postgres:15-bookworm",
        name=f"{network}-db",
        network=network,
        environment={"POSTGRES_USER": "todo", "POSTGRES_PASSWORD": password, "POSTGRES_DB": "todo"},
        detach=True,
    )
    ready = ["pg_isready", "-h", "127.0.0.1"]
    wait_until(lambda: database.exec_run(ready).exit_code == 0, "PostgreSQL accepting connections", database)
    url = f"postgresql://todo:{password}@{database.name}:5432/todo"
    migration = ["alembic", "upgrade", "head"]
    client.containers.run(
        backend_image, migration, network=network, environment={"DATABASE_URL": url}, remove=True
    )
    return database, url


def report(client: docker.DockerClient, reference: str, case: Case, runs: int) -> str:
    image = client.images.get(reference)
    timings = [seconds_to_healthy(client, reference, case) for _ in range(runs)]
    return (
        f"{reference}: {image.attrs['Size'] / MEGABYTE:.0f} MB, "
        f"{gzipped_size(image) / MEGABYTE:.0f} MB gzipped; "
        f"start to healthy: median {statistics.median(timings):.2f} s of {runs} "
        f"(min {min(timings):.2f}, max {max(timings):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    client = images.docker_client()
    references = images_under_test(client)
    network = client.networks.create(f"todo-measure-{uuid.uuid4().hex[:8]}")
    database = None
    try:
        database, url = migrated_database(client, network.name, references["backend"])
        backend_env = {"DATABASE_URL": url}
        frontend_env = {"DATABASE_URL": url, "BETTER_AUTH_SECRET": secrets.token_urlsafe(32)}
        cases = {
            "backend": Case(8000, "/health", {**BACKEND_OPTIONS, "environment": backend_env}),
            "frontend": Case(3000, "/api/health", {**FRONTEND_OPTIONS, "environment": frontend_env}),
        }
        for name, case in cases.items():
            on_network = Case(case.port, case.health, {**case.options, "network": network.name})
            print(report(client, references[name], on_network, runs), flush=True)
    finally:
        if database is not None:
            remove_quietly(database)
        remove_quietly(network)


if __name__ == "__main__":
    main()
