"""Running the project's images in tests: hardened containers on a private network, published on 127.0.0.1."""

import io
import os
import tarfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import docker
import requests
from docker.models.containers import Container
from docker.models.images import Image

from ops import images

WAIT_LIMIT_SECONDS = 90  # how long a container may take to become ready before the test gives up
POLL_SECONDS = 0.2
STOP_GRACE_SECONDS = 10  # after this, Docker would SIGKILL (exit code 137)

# What the charts run with: read-only root filesystem, no capabilities, no privilege escalation, tmpfs /tmp.
HARDENING: dict[str, Any] = {
    "read_only": True,
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
    "tmpfs": {"/tmp": "rw,nosuid,nodev,size=64m"},
}


def with_writable(*paths: str) -> dict[str, Any]:
    """HARDENING plus tmpfs mounts the app user (uid 10001) may write."""
    owned = {path: "rw,nosuid,nodev,size=64m,uid=10001,gid=10001" for path in paths}
    return {**HARDENING, "tmpfs": {**HARDENING["tmpfs"], **owned}}


BACKEND_OPTIONS = HARDENING
FRONTEND_OPTIONS = with_writable("/app/.next/cache")

Launcher = Callable[..., Container]  # (image, role, **docker run options) -> a started container


@dataclass(frozen=True)
class Stack:
    """The three containers, and the addresses the host reaches them at."""

    base_url: str  # the frontend, as a browser on this machine sees it (BETTER_AUTH_URL)
    backend_url: str
    frontend_environment: dict[str, str]
    backend_environment: dict[str, str]
    postgres: Container
    backend: Container
    frontend: Container


def images_under_test(client: docker.DockerClient) -> dict[str, str]:
    """backend/frontend -> TODO_BACKEND_IMAGE / TODO_FRONTEND_IMAGE, else the current sources' image (built if
    missing; raises OpsError if the build fails)."""
    return {
        name: os.environ.get(f"TODO_{name.upper()}_IMAGE") or images.build(client, service, output=ignore)
        for name, service in images.SERVICES.items()
    }


def ignore(line: str) -> None:
    """Build output is not shown: a failed build's message carries its last lines."""


def wait_until(
    ready: Callable[[], bool], what: str, container: Container | None = None, poll: float = POLL_SECONDS
) -> None:
    """Poll `ready` until it holds; fail with the container's last log lines after WAIT_LIMIT_SECONDS."""
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while not ready():
        if time.monotonic() > deadline:
            logs = container_logs(container) if container else ""
            raise AssertionError(f"{what} did not happen within {WAIT_LIMIT_SECONDS}s\n{logs}")
        if container is not None:
            container.reload()
            if container.status == "exited":
                raise AssertionError(f"{container.name} exited before {what}\n{container_logs(container)}")
        time.sleep(poll)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def published_port(container: Container, port: int) -> int:
    container.reload()
    return int(container.ports[f"{port}/tcp"][0]["HostPort"])


def health_status(container: Container) -> str:
    container.reload()
    return container.attrs["State"].get("Health", {}).get("Status", "none")


def exit_code_after_sigterm(container: Container) -> int:
    """Stop the container (SIGTERM, then SIGKILL after the grace period) and return its exit code."""
    container.stop(timeout=STOP_GRACE_SECONDS)
    return container.wait(timeout=STOP_GRACE_SECONDS + 5)["StatusCode"]


def listening_tcp_ports(read_file: Callable[[str], str]) -> set[int]:
    """Ports in LISTEN state, read from /proc/net/tcp{,6} (the images ship neither ss nor netstat)."""
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in read_file(table).splitlines()[1:]:
            fields = row.split()
            if fields[3] == "0A":  # TCP_LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def layer_paths(image: Image) -> Iterator[str]:
    """Every path in every layer of the image, including files a later layer deletes (whiteouts)."""
    saved_stream = io.BufferedReader(ChunkStream(image.save(named=False)), buffer_size=1 << 20)
    with tarfile.open(fileobj=saved_stream, mode="r|") as saved:
        for member in saved:
            if member.name.endswith("layer.tar") and member.isfile():
                with tarfile.open(fileobj=saved.extractfile(member), mode="r|") as layer:
                    yield from (entry.name for entry in layer)


class ChunkStream(io.RawIOBase):
    """A readable stream over the byte chunks the Docker SDK yields (tarfile's stream mode wants a file)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = iter(chunks)
        self.pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            self.pending = memoryview(chunk)
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def container_logs(container: Container) -> str:
    return container.logs(tail=30).decode(errors="replace")


def remove_quietly(resource: Container | Any) -> None:
    """Remove a container (with its anonymous volumes) or network this run created, even if already gone."""
    try:
        if isinstance(resource, Container):
            resource.remove(force=True, v=True)
        else:
            resource.remove()
    except docker.errors.NotFound:
        pass
