"""Each image run as the charts run it: user, process, port, health, read-only root, signals, contents."""

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import docker
import pytest
import requests
import testinfra
from container_support import (
    BACKEND_OPTIONS,
    FRONTEND_OPTIONS,
    Launcher,
    Stack,
    answers,
    exit_code_after_sigterm,
    health_status,
    layer_paths,
    listening_tcp_ports,
    published_port,
    wait_until,
)
from docker.models.containers import Container, ExecResult

APP_UID = 10001
SECRET_LIKE_NAMES = {".netrc", ".npmrc", ".pypirc", ".git-credentials", "id_rsa", "id_ecdsa", "id_ed25519"}
SECRET_LIKE_VARIABLE = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|DATABASE_URL", re.IGNORECASE)
CACHE_PATH = re.compile(r"(^|/)(\.npm|\.cache/pip|\.cache/node|npm-cache|\.next/cache/.+)(/|$)")
PACKAGE_MANAGER_PATH = re.compile(r"(^|/)usr/local/(lib/node_modules/npm|bin/(npm|npx|yarn|corepack))$")
# What the backend's cut-down base (backend/image/prune_rootfs.py) leaves out: package managers, perl, pip.
BACKEND_TOOLING_PATH = re.compile(r"^(usr/bin/(apt|apt-get|dpkg|perl)|(opt/venv|usr/local)/bin/pip3?)$")
# What it must keep: TLS with the CA bundle, time zones, the MIME and services tables, the compiled modules.
BACKEND_RUNTIME_CHECK = (
    "import ssl, zoneinfo, mimetypes, socket, sqlite3, lzma, ctypes.util, uuid; "
    "assert ssl.create_default_context().cert_store_stats()['x509_ca'] > 0; "
    "zoneinfo.ZoneInfo('Europe/Berlin'); "
    "assert mimetypes.guess_type('a.json')[0] == 'application/json'; "
    "assert socket.getservbyname('https') == 443; "
    "assert ctypes.util.find_library('c')"
)


@dataclass(frozen=True)
class Expected:
    service: str
    port: int
    health_path: str
    program: str  # PID 1's executable
    command: str  # in PID 1's command line, its arguments' base names joined by spaces
    writable: tuple[str, ...]  # the only paths the app may write


EXPECTED = {
    "backend": Expected("backend", 8000, "/health", "python3.11", "uvicorn app.main:app", ("/tmp",)),
    "frontend": Expected(
        "frontend", 3000, "/api/health", "node", "next-server", ("/tmp", "/app/.next/cache")
    ),
}

# The frontend image has no shell (FROM scratch), so the tests look inside a container through the app's own
# interpreter: `<program> <flag> <script> <operation> <path>`, run as the image's user.
INSPECTORS = {
    "python3.11": (
        "-c",
        "import os, sys\n"
        "operation, path = sys.argv[1:]\n"
        "if operation == 'read': sys.stdout.write(open(path).read())\n"
        "elif operation == 'link': sys.stdout.write(os.readlink(path))\n"
        "else: open(os.path.join(path, 'probe'), 'w').close(); os.remove(os.path.join(path, 'probe'))\n",
    ),
    "node": (
        "-e",
        "const fs = require('fs'); const [operation, path] = process.argv.slice(1);"
        "if (operation === 'read') process.stdout.write(fs.readFileSync(path, 'utf8'));"
        "else if (operation === 'link') process.stdout.write(fs.readlinkSync(path));"
        "else { fs.writeFileSync(path + '/probe', ''); fs.rmSync(path + '/probe'); }",
    ),
}


@dataclass(frozen=True)
class Running:
    expected: Expected
    image: str
    container: Container
    url: str  # the published health endpoint on 127.0.0.1

    def inspect(self, operation: str, path: str) -> ExecResult:
        program = self.expected.program
        flag, script = INSPECTORS[program]
        return self.container.exec_run([program, flag, script, operation, path])

    def read(self, path: str, operation: str = "read") -> str:
        result = self.inspect(operation, path)
        assert result.exit_code == 0, result.output.decode(errors="replace")
        return result.output.decode()

    def can_write_in(self, directory: str) -> bool:
        return self.inspect("write", directory).exit_code == 0


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def running(request: pytest.FixtureRequest, stack: Stack, image_references: dict[str, str]) -> Running:
    expected = EXPECTED[request.param]
    container = stack.backend if expected.service == "backend" else stack.frontend
    url = f"http://127.0.0.1:{published_port(container, expected.port)}{expected.health_path}"
    return Running(expected, image_references[expected.service], container, url)


def test_runs_as_the_unprivileged_app_user(running: Running) -> None:
    assert running.container.image.attrs["Config"]["User"] == f"{APP_UID}:{APP_UID}"
    status = running.read("/proc/1/status")
    ids = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    assert ids["Uid"].split() == [str(APP_UID)] * 4
    assert ids["Gid"].split() == [str(APP_UID)] * 4
    assert int(ids["CapEff"], 16) == 0, "the process holds capabilities"


def test_runs_the_expected_process_on_its_port(running: Running) -> None:
    assert PurePosixPath(running.read("/proc/1/exe", "link")).name == running.expected.program
    # The backend's is `/opt/venv/bin/python3.11 /opt/venv/bin/uvicorn app.main:app ...`; Next's server sets
    # its process title to `next-server (v16...)`.
    arguments = running.read("/proc/1/cmdline").strip("\0").split("\0")
    assert running.expected.command in " ".join(PurePosixPath(argument).name for argument in arguments)
    assert running.expected.port in listening_tcp_ports(running.read)


def test_health_endpoint_answers_and_the_healthcheck_passes(running: Running) -> None:
    response = requests.get(running.url, timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    wait_until(lambda: health_status(running.container) == "healthy", "Docker's HEALTHCHECK passing")


def test_root_filesystem_is_read_only_except_the_writable_paths(running: Running) -> None:
    host_config = running.container.attrs["HostConfig"]
    assert host_config["ReadonlyRootfs"] is True
    assert host_config["CapDrop"] == ["ALL"]
    for path in ("/app", "/", "/home"):
        assert not running.can_write_in(path), f"{path} is writable"
    for path in running.expected.writable:
        assert running.can_write_in(path), f"{path} is not writable"


def test_sigterm_stops_the_server_promptly(running: Running, launch: Launcher, stack: Stack) -> None:
    """A second container of the image exits by itself on SIGTERM (Docker would SIGKILL it: exit code 137)."""
    backend = running.expected.service == "backend"
    container = launch(
        running.image,
        f"{running.expected.service}-sigterm",
        environment=stack.backend_environment if backend else stack.frontend_environment,
        ports={f"{running.expected.port}/tcp": ("127.0.0.1", None)},
        **(BACKEND_OPTIONS if backend else FRONTEND_OPTIONS),
    )
    url = f"http://127.0.0.1:{published_port(container, running.expected.port)}{running.expected.health_path}"
    wait_until(lambda: answers(url), "the second container answering", container)
    assert exit_code_after_sigterm(container) in (0, 143)


def test_image_has_oci_labels(running: Running) -> None:
    labels = running.container.image.labels
    assert re.fullmatch(r"[0-9a-f]{40}", labels["org.opencontainers.image.revision"])
    assert labels["org.opencontainers.image.version"] == running.image.rsplit(":", 1)[1]
    assert "org.opencontainers.image.source" in labels
    assert labels["org.opencontainers.image.title"] == f"todo-{running.expected.service}"


@pytest.fixture(scope="module")
def layer_contents(running: Running, docker_client: docker.DockerClient) -> list[str]:
    """Every path of every layer of the image under test (`docker save`, read once per image)."""
    return list(layer_paths(docker_client.images.get(running.image)))


def test_no_secrets_env_files_or_shell_history_in_any_layer(
    running: Running, layer_contents: list[str], docker_client: docker.DockerClient
) -> None:
    assert sorted(path for path in layer_contents if secret_like(PurePosixPath(path).name)) == []
    environment = docker_client.images.get(running.image).attrs["Config"]["Env"]
    variables = [entry.split("=", 1)[0] for entry in environment]
    assert [name for name in variables if SECRET_LIKE_VARIABLE.search(name)] == []


def test_no_package_manager_caches_in_any_layer(layer_contents: list[str]) -> None:
    assert [path for path in layer_contents if CACHE_PATH.search(path)] == []


def test_the_frontend_runtime_has_no_npm(
    image_references: dict[str, str], docker_client: docker.DockerClient
) -> None:
    image = docker_client.images.get(image_references["frontend"])
    assert [path for path in layer_paths(image) if PACKAGE_MANAGER_PATH.search(path)] == []


def test_the_backend_runtime_has_no_package_manager(
    image_references: dict[str, str], docker_client: docker.DockerClient
) -> None:
    image = docker_client.images.get(image_references["backend"])
    assert [path for path in layer_paths(image) if BACKEND_TOOLING_PATH.match(path)] == []


def test_the_backend_runtime_keeps_what_the_standard_library_reads(stack: Stack) -> None:
    host = testinfra.get_host(f"docker://{stack.backend.id}")
    result = host.run(f'python -c "{BACKEND_RUNTIME_CHECK}"')
    assert result.rc == 0, result.stderr


def secret_like(name: str) -> bool:
    name = name.removeprefix(".wh.")  # a whiteout still means the file was in an earlier layer
    return (
        name == ".env"
        or name.startswith(".env.")
        or name.endswith("_history")
        or name in SECRET_LIKE_NAMES
        or name == ".git"
    )
