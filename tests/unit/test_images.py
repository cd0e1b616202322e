"""ops/images.py and `invoke images.*`: content tags in a scratch git repository, real builds of a tiny image,
and the error paths (Docker down, failed builds, unreachable registries)."""

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import docker
import pytest
from invoke import MockContext
from runner_fakes import cluster_context, commands, invoke_config, settings_for

from ops import delivery, images
from ops.errors import OpsError
from ops.tasks import images as image_tasks

TINY_DOCKERFILE = """\
FROM scratch
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.version="${VERSION}" \\
      org.opencontainers.image.revision="${REVISION}" \\
      org.opencontainers.image.source="${SOURCE}"
COPY hello.txt /
"""


def git(repository: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repository, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with one committed service (`app/`, a scratch image) and another directory."""
    for path, text in {
        "app/Dockerfile": TINY_DOCKERFILE,
        "app/hello.txt": "hello\n",
        "docs/x.md": "x\n",
    }.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "start")
    monkeypatch.setattr(images, "ROOT", tmp_path)
    return tmp_path


@pytest.fixture
def service(repository: Path) -> images.Service:
    return images.Service("app", f"todo-unit-{uuid.uuid4().hex[:8]}", repository / "app")


# --- tags ---------------------------------------------------------------------------------------------------


def test_a_clean_tree_is_tagged_with_its_contents(repository: Path, service: images.Service) -> None:
    assert images.image_tag(service) == git(repository, "rev-parse", "HEAD:app")[:12]


def test_a_commit_elsewhere_keeps_the_tag(repository: Path, service: images.Service) -> None:
    before = images.image_tag(service)
    (repository / "docs/x.md").write_text("y\n")
    git(repository, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "docs")
    assert images.image_tag(service) == before
    (repository / "app/hello.txt").write_text("hi\n")
    git(repository, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "app")
    assert images.image_tag(service) != before


def test_uncommitted_changes_give_a_tag_per_content(repository: Path, service: images.Service) -> None:
    clean = images.image_tag(service)
    (repository / "app/hello.txt").write_text("changed\n")
    changed = images.image_tag(service)
    assert changed.startswith(f"{clean}-dirty-")
    assert images.image_tag(service) == changed  # the same content, the same tag
    (repository / "app/hello.txt").write_text("changed again\n")
    assert images.image_tag(service) not in (clean, changed)
    (repository / "app/hello.txt").write_text("hello\n")
    assert images.image_tag(service) == clean


def test_untracked_and_deleted_files_change_the_tag(repository: Path, service: images.Service) -> None:
    clean = images.image_tag(service)
    (repository / "app/new.txt").write_text("new\n")
    untracked = images.image_tag(service)
    (repository / "app/new.txt").unlink()
    (repository / "app/hello.txt").unlink()
    deleted = images.image_tag(service)
    assert len({clean, untracked, deleted}) == 3


def test_changes_outside_the_service_keep_its_tag(repository: Path, service: images.Service) -> None:
    clean = images.image_tag(service)
    (repository / "docs/x.md").write_text("edited\n")
    (repository / "docs/y.md").write_text("new\n")
    assert images.image_tag(service) == clean


def test_outside_a_git_repository_the_error_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "ROOT", tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    with pytest.raises(OpsError, match=r"git rev-parse HEAD:.*` failed"):
        images.image_tag(images.Service("app", "todo-app", tmp_path))


def test_services_are_chosen_by_name() -> None:
    assert [service.repository for service in images.select_services("all")] == [
        "todo-backend",
        "todo-frontend",
    ]
    assert [service.name for service in images.select_services("frontend")] == ["frontend"]
    with pytest.raises(OpsError, match="unknown service 'db': choose backend, frontend or all"):
        images.select_services("db")


# --- Docker -------------------------------------------------------------------------------------------------


def test_docker_not_running_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-such.sock")
    with pytest.raises(OpsError, match=r"cannot reach the Docker engine .*is Docker installed and running"):
        images.docker_client()


@pytest.fixture
def client() -> Iterator[docker.DockerClient]:
    try:
        engine = images.docker_client()
    except OpsError as error:
        pytest.skip(f"needs Docker: {error}")
    yield engine
    engine.close()


@pytest.fixture
def built(client: docker.DockerClient, service: images.Service) -> Iterator[str]:
    """The tiny image, really built; removed afterwards."""
    reference = images.build(client, service, source="https://example.com/todo", output=lambda line: None)
    yield reference
    client.images.remove(reference, force=True)


def test_a_build_tags_and_labels_the_image(
    client: docker.DockerClient, service: images.Service, built: str
) -> None:
    assert built == f"{service.repository}:{images.image_tag(service)}"
    labels = client.images.get(built).labels
    assert labels["org.opencontainers.image.version"] == images.image_tag(service)
    assert labels["org.opencontainers.image.revision"] == images.revision()
    assert labels["org.opencontainers.image.source"] == "https://example.com/todo"


def test_an_existing_tag_is_not_rebuilt(
    client: docker.DockerClient, service: images.Service, built: str
) -> None:
    said: list[str] = []
    assert images.build(client, service, output=said.append) == built
    assert said == [f"{built} is up to date"]


def test_a_failed_build_names_the_failure(client: docker.DockerClient, service: images.Service) -> None:
    (service.context / "Dockerfile").write_text("FROM scratch\nCOPY missing.txt /\n")
    with pytest.raises(OpsError, match=r"building todo-unit-\S+ failed: .*missing\.txt"):
        images.build(client, service, output=lambda line: None)


def test_a_failed_step_shows_its_last_lines() -> None:
    """The classic builder's events, faked at the SDK boundary: the failing step's output, no earlier one."""
    events = [
        {"stream": "Step 1/2 : COPY . /src\n"},
        {"stream": " ---> 1234\n"},
        {"stream": "Step 2/2 : RUN make\n"},
        {"stream": " ---> Running in 5678\n"},
        {"stream": "compiling\n\x1b[91mmain.c:1: missing header\n\x1b[0m"},
        {"error": "The command '/bin/sh -c make' returned a non-zero code: 2"},
    ]
    with pytest.raises(OpsError) as failure:
        images.follow_build(events, "todo-backend:abc", output=lambda line: None)
    message = str(failure.value)
    assert message.startswith(
        "error: building todo-backend:abc failed: The command '/bin/sh -c make' returned"
    )
    assert "main.c:1: missing header" in message
    assert "COPY . /src" not in message
    assert "Running in" not in message  # the builder's bookkeeping, and its colours, are left out
    assert "\x1b" not in message


CACHING_DOCKERFILE = """\
FROM scratch AS build
COPY . /cache/
ARG BUILD_CACHE_KEY=""
LABEL org.todo.build-cache="${BUILD_CACHE_KEY}"

FROM scratch
COPY --from=build /cache/hello.txt /
"""


@pytest.fixture
def caching_service(client: docker.DockerClient, service: images.Service) -> Iterator[images.Service]:
    """The tiny service with a two-stage Dockerfile whose build stage's /cache is its build cache."""
    (service.context / "Dockerfile").write_text(CACHING_DOCKERFILE)
    yield images.Service(
        service.name, service.repository, service.context, images.BuildCache("/cache", ".build-cache/stage")
    )
    for image in client.images.list(service.repository):
        client.images.remove(image.id, force=True)
    for stage in client.images.list(filters={"label": f"{images.BUILD_CACHE_LABEL}"}):
        if stage.labels[images.BUILD_CACHE_LABEL].startswith(f"{service.repository}:"):
            client.images.remove(stage.id, force=True)


def test_a_build_keeps_its_stage_cache_in_the_context(
    client: docker.DockerClient, caching_service: images.Service
) -> None:
    said: list[str] = []
    images.build(client, caching_service, output=said.append)
    kept = caching_service.context / ".build-cache" / "stage"
    assert (kept / "hello.txt").read_text() == "hello\n"
    assert said[-1] == "kept the build cache in app/.build-cache/stage/ (0 MB) for the next build"
    (caching_service.context / "hello.txt").write_text("edited\n")
    images.build(client, caching_service, output=said.append)
    assert (kept / "hello.txt").read_text() == "edited\n", "the second build replaces the first one's cache"
    assert (kept / ".build-cache" / "stage" / "hello.txt").read_text() == "hello\n", "it saw the first cache"


def test_without_a_labelled_build_stage_the_next_build_starts_cold(
    client: docker.DockerClient, caching_service: images.Service
) -> None:
    (caching_service.context / "Dockerfile").write_text(TINY_DOCKERFILE)
    said: list[str] = []
    images.build(client, caching_service, output=said.append)
    assert said[-1].endswith(": the next build starts cold")
    assert not (caching_service.context / ".build-cache").exists()


def test_a_registry_must_be_a_host(client: docker.DockerClient) -> None:
    with pytest.raises(OpsError, match=r"should be host\[:port\] with no scheme"):
        images.push(client, "todo-backend:abc", "https://registry.example.com")


def test_pushing_to_an_unreachable_registry_fails_clearly(client: docker.DockerClient, built: str) -> None:
    with pytest.raises(OpsError, match=r"pushing 127\.0\.0\.1:9/todo-unit-\S+ failed"):
        images.push(client, built, "127.0.0.1:9", output=lambda line: None)
    client.images.remove(f"127.0.0.1:9/{built}")


def test_pushing_an_image_that_was_never_built(client: docker.DockerClient) -> None:
    with pytest.raises(OpsError, match="no local image todo-unit-absent:x: build it first"):
        images.push(client, "todo-unit-absent:x", "127.0.0.1:5000")


# --- tasks --------------------------------------------------------------------------------------------------


@pytest.fixture
def built_without_docker(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tasks' builds, faked at the SDK boundary: each returns `<repository>:c0ffee`."""
    monkeypatch.setattr(images, "docker_client", object)
    built: list[str] = []

    def build(client: object, service: images.Service, **options: object) -> str:
        built.append(f"{service.repository}:c0ffee")
        return built[-1]

    monkeypatch.setattr(images, "build", build)
    return built


def test_load_puts_each_image_into_minikube(built_without_docker: list[str]) -> None:
    c = cluster_context(invoke_config())
    image_tasks.load(c)
    assert built_without_docker == ["todo-backend:c0ffee", "todo-frontend:c0ffee"]
    loads = [command for command in commands(c) if " image load " in command]
    assert loads == [f"minikube -p todo image load {reference}" for reference in built_without_docker]


def test_load_streams_images_into_a_containerd_node(built_without_docker: list[str]) -> None:
    """The docker driver with containerd: `docker save` straight into the node's containerd, no cache copy."""
    c = cluster_context(invoke_config(), {r"kubectl .*containerRuntimeVersion": "containerd://1.7.24"})
    image_tasks.load(c, service="frontend")
    loads = [command for command in commands(c) if "image load" in command or "images import" in command]
    assert loads == [
        "bash -o pipefail -c 'docker save todo-frontend:c0ffee"
        " | docker exec -i todo ctr -n k8s.io images import -'"
    ]


def test_push_without_a_registry_says_how_to_give_one(built_without_docker: list[str]) -> None:
    with pytest.raises(OpsError, match=r"no registry: pass --registry HOST\[:PORT\]"):
        image_tasks.push(MockContext(config=invoke_config()))
    assert built_without_docker == []


def test_build_passes_the_configured_build_args(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "docker_client", object)
    seen: dict[str, object] = {}
    monkeypatch.setattr(images, "build", lambda client, service, **options: seen.update(options) or "x:y")
    config = invoke_config(images={"build_args": {"backend": {"PYTHON_IMAGE": "mirror/python:3.11-slim"}}})
    image_tasks.build(MockContext(config=config), service="backend")
    assert seen["build_args"] == {"PYTHON_IMAGE": "mirror/python:3.11-slim"}
    assert seen["force"] is False


def test_deploy_builds_with_the_configured_build_args(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(images, "docker_client", object)
    seen: dict[str, object] = {}
    monkeypatch.setattr(images, "build", lambda client, service, **options: seen.update(options) or "x:y")
    settings = settings_for("minikube", tmp_path / "env")
    configured = replace(
        settings.images, source="https://example.com/todo", build_args={"frontend": {"A": "1"}}
    )
    delivery.build_image(replace(settings, images=configured), images.SERVICES["frontend"], dry=False)
    assert (seen["source"], seen["build_args"]) == ("https://example.com/todo", {"A": "1"})


def test_the_build_cache_is_kept_under_its_limit_and_dropped_over_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "ROOT", tmp_path)
    cache = tmp_path / "frontend" / ".build-cache" / "next"
    (cache / "turbopack").mkdir(parents=True)
    (cache / "turbopack" / "00001.sst").write_bytes(b"x" * 2_000_000)

    kept = images.bound_build_cache(cache, limit_bytes=3_000_000)
    assert kept == "kept the build cache in frontend/.build-cache/next/ (2 MB) for the next build"
    assert cache.is_dir()

    dropped = images.bound_build_cache(cache, limit_bytes=1_000_000)
    assert dropped.startswith("dropped the build cache frontend/.build-cache/next/ (2 MB): over 1 MB")
    assert not cache.exists()
