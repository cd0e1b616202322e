"""The backend and frontend images: content-derived tags, builds, and delivery to a cluster's registry.

Plain functions over the Docker SDK, called by `invoke images.*` (ops/tasks/images.py) and by the deploy.
Builds use the engine's classic builder, the one the SDK drives (BuildKit needs the CLI's gRPC session, which
the SDK lacks), so the Dockerfiles use nothing BuildKit-only: dependency layers are cached by ordering alone.
"""

import hashlib
import re
import shutil
import tarfile
import tempfile
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
from docker.errors import APIError, DockerException, ImageNotFound

from ops.errors import OpsError
from ops.settings import IMAGE_SERVICES, ROOT, ImageSettings
from ops.shell import Shell

BUILD_TIMEOUT_SECONDS = 1800  # a read may wait that long: `npm ci` and `next build` print little for minutes
FAILURE_TAIL_LINES = 15
REVISION_LENGTH = 12
DIRTY_HASH_LENGTH = 10
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # the classic builder colours a step's stderr
BUILDER_BOOKKEEPING = re.compile(r" ---> |Removing intermediate container ")


BUILD_CACHE_LABEL = "org.todo.build-cache"  # the build stage's label; its value names the image being built
BUILD_CACHE_ARG = "BUILD_CACHE_KEY"  # the build arg that sets it


@dataclass(frozen=True)
class BuildCache:
    """A directory of the build stage carried from one image build to the next through the build context.

    The classic builder has no cache mounts, so after a build the runner copies `stage_path` out of the build
    stage's image (the one labelled BUILD_CACHE_LABEL=<reference>) into `context/<context_path>`, where the
    Dockerfile picks it up; the directory is git-ignored, so it never changes a tag.
    """

    stage_path: str  # e.g. /app/.next/cache
    context_path: str  # relative to the build context, e.g. .build-cache/next


@dataclass(frozen=True)
class Service:
    name: str  # backend | frontend
    repository: str  # the image name (docs/architecture.md)
    context: Path  # the Docker build context; its Dockerfile sits at its top
    build_cache: BuildCache | None = None


BUILD_CACHE_LIMIT_BYTES = 300_000_000  # a cold frontend build makes about 75 MB
BUILD_CACHES = {"frontend": BuildCache("/app/.next/cache", ".build-cache/next")}
SERVICES = {
    name: Service(name, f"todo-{name}", ROOT / name, BUILD_CACHES.get(name)) for name in IMAGE_SERVICES
}


def select_services(choice: str) -> list[Service]:
    """`backend`, `frontend` or `all`."""
    if choice == "all":
        return list(SERVICES.values())
    if choice not in SERVICES:
        raise OpsError(f"unknown service {choice!r}: choose backend, frontend or all")
    return [SERVICES[choice]]


def docker_client() -> docker.DockerClient:
    """A client of a running Docker engine, or one clear error saying what is wrong."""
    try:
        client = docker.from_env(timeout=BUILD_TIMEOUT_SECONDS)
        client.ping()
    except DockerException as error:
        raise OpsError(
            f"cannot reach the Docker engine ({first_line(error)}); is Docker installed and running? "
            "(CI: bash ci/start-docker.sh)"
        ) from error
    return client


def first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --- tags ---------------------------------------------------------------------------------------------------


def git(*args: str) -> bytes:
    """Run git in the repository and return its output byte for byte (a diff is hashed)."""
    return Shell().read(
        ["git", "-C", str(ROOT), *args], f"`git {' '.join(args)}` failed (image tags come from git)"
    )


def revision() -> str:
    """The full commit id of HEAD."""
    return git("rev-parse", "HEAD").decode().strip()


def committed_tree(path: Path) -> str:
    """The git object id of `path`'s committed contents: it changes only when something under `path` does."""
    return git("rev-parse", f"HEAD:{path.relative_to(ROOT)}").decode().strip()


def uncommitted_changes_hash(path: Path) -> str | None:
    """A hash of all that differs from HEAD under `path` (edits, deletions, untracked files), or None."""
    relative = str(path.relative_to(ROOT))
    untracked = git("ls-files", "--others", "--exclude-standard", "-z", "--", relative).split(b"\0")
    untracked = sorted(name for name in untracked if name)
    diff = git("diff", "--binary", "HEAD", "--", relative)
    if not diff and not untracked:
        return None
    digest = hashlib.sha256(diff)
    for name in untracked:
        digest.update(b"\0" + name + b"\0" + (ROOT / name.decode()).read_bytes())
    return digest.hexdigest()[:DIRTY_HASH_LENGTH]


def image_tag(service: Service) -> str:
    """`<tree>`, or `<tree>-dirty-<hash>` when the service's sources have uncommitted changes.

    `<tree>` identifies the committed contents of the service's directory (its build context), so equal tags
    mean equal sources: an image whose tag exists is reused, a commit elsewhere in the repository rebuilds and
    rolls nothing, and a changed tree never reuses an old image; `latest` is never used.
    """
    tag = committed_tree(service.context)[:REVISION_LENGTH]
    changes = uncommitted_changes_hash(service.context)
    return f"{tag}-dirty-{changes}" if changes else tag


def image_reference(service: Service) -> str:
    return f"{service.repository}:{image_tag(service)}"


# --- builds -------------------------------------------------------------------------------------------------


def image_exists(client: docker.DockerClient, reference: str) -> bool:
    try:
        client.images.get(reference)
    except ImageNotFound:
        return False
    return True


def label_args(reference: str, source: str) -> dict[str, str]:
    """The build args behind the OCI labels: version (the tag), revision (the commit) and source (a URL)."""
    return {"VERSION": reference.rsplit(":", 1)[1], "REVISION": revision(), "SOURCE": source}


def build(
    client: docker.DockerClient,
    service: Service,
    *,
    source: str = "",
    build_args: dict[str, str] | None = None,
    force: bool = False,
    output: Callable[[str], None] = print,
) -> str:
    """Build the service's image unless an image with its tag exists (or `force`); return its reference.

    `build_args` adds to the label args, e.g. `PYTHON_IMAGE` to build on a mirrored base image.
    """
    reference = image_reference(service)
    if not force and image_exists(client, reference):
        output(f"{reference} is up to date")
        return reference
    if not (service.context / "Dockerfile").is_file():
        raise OpsError(f"no Dockerfile in {service.context}")
    output(f"building {reference} from {service.context.relative_to(ROOT)}/")
    cache_key = {BUILD_CACHE_ARG: reference} if service.build_cache else {}
    try:
        events = client.api.build(
            path=str(service.context),
            tag=reference,
            buildargs={**label_args(reference, source), **cache_key, **(build_args or {})},
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
        )
        follow_build(events, reference, output)
    except (APIError, DockerException) as error:
        raise OpsError(f"building {reference} failed: {first_line(error)}") from error
    save_build_cache(client, service, reference, output)
    return reference


def save_build_cache(
    client: docker.DockerClient, service: Service, reference: str, output: Callable[[str], None]
) -> None:
    """Copy the service's build cache out of the build stage that built `reference` into its context.

    Best effort: the image is built either way, and without a cache the next build only starts cold.
    """
    cache = service.build_cache
    if cache is None:
        return
    stages = client.images.list(filters={"label": f"{BUILD_CACHE_LABEL}={reference}"})
    if not stages:
        output(f"no build stage labelled {BUILD_CACHE_LABEL}={reference}: the next build starts cold")
        return
    stage = max(stages, key=lambda image: image.attrs["Created"])
    target = service.context / cache.context_path
    try:
        container = client.containers.create(stage.id, command=["true"])  # never started: only read
        try:
            chunks, _ = container.get_archive(cache.stage_path)
            replace_with_archive(target, chunks)
        finally:
            container.remove()
    except (APIError, DockerException, OSError, tarfile.TarError) as error:
        output(f"could not keep the build cache ({first_line(error)}): the next build starts cold")
        return
    output(bound_build_cache(target, BUILD_CACHE_LIMIT_BYTES))


def bound_build_cache(target: Path, limit_bytes: int) -> str:
    """Drop the kept cache once it has grown past `limit_bytes`; say what was kept or dropped.

    Next's cache only grows (every build adds entries and none leaves), and it travels in every build context:
    past the limit one cold build is cheaper than carrying it.
    """
    size = sum(path.stat().st_size for path in target.rglob("*") if path.is_file() and not path.is_symlink())
    shown = f"{target.relative_to(ROOT)}/ ({size / 1e6:.0f} MB)"
    if size <= limit_bytes:
        return f"kept the build cache in {shown} for the next build"
    shutil.rmtree(target)
    return f"dropped the build cache {shown}: over {limit_bytes / 1e6:.0f} MB, the next build starts cold"


def replace_with_archive(target: Path, chunks: Iterable[bytes]) -> None:
    """Make `target` the one directory in the tar stream `chunks` (what `docker cp` of a directory gives)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".incoming-") as incoming:
        archive = Path(incoming) / "archive.tar"
        with archive.open("wb") as file:
            for chunk in chunks:
                file.write(chunk)
        unpacked = Path(incoming) / "unpacked"
        with tarfile.open(archive) as tar:
            tar.extractall(unpacked, filter="data")
        (top,) = unpacked.iterdir()
        shutil.rmtree(target, ignore_errors=True)
        top.rename(target)


def build_configured(
    client: docker.DockerClient,
    service: Service,
    configured: ImageSettings,
    *,
    force: bool = False,
    output: Callable[[str], None] = print,
) -> str:
    """`build` as the `images` settings say: their `source` label and the service's `build_args`."""
    build_args = configured.args_for(service.name)
    return build(client, service, source=configured.source, build_args=build_args, force=force, output=output)


def follow_build(events: Iterable[dict[str, Any]], reference: str, output: Callable[[str], None]) -> None:
    """Stream the build's output; on a failed step raise OpsError with that step's last lines."""
    step: deque[str] = deque(maxlen=FAILURE_TAIL_LINES)
    for event in events:
        if "error" in event:
            lines = "\n".join(f"  {line}" for line in step)
            raise OpsError(f"building {reference} failed: {event['error'].strip()}\n{lines}".rstrip())
        for line in ANSI_COLOUR.sub("", event.get("stream", "")).splitlines():
            if line.startswith("Step "):
                step.clear()
            if line.strip():
                output(line)
                if not BUILDER_BOOKKEEPING.match(line):
                    step.append(line)


# --- delivery -----------------------------------------------------------------------------------------------


def push(
    client: docker.DockerClient, reference: str, registry: str, output: Callable[[str], None] = print
) -> str:
    """Tag `reference` into `registry` (host[:port]) and push it there; return the remote reference."""
    if not registry or "://" in registry or registry.endswith("/"):
        raise OpsError(f"registry {registry!r} should be host[:port] with no scheme, e.g. 127.0.0.1:5000")
    repository, tag = reference.rsplit(":", 1)
    remote = f"{registry}/{repository}"
    try:
        client.images.get(reference).tag(remote, tag)
        events = client.api.push(remote, tag=tag, stream=True, decode=True)
        follow_push(events, f"{remote}:{tag}", output)
    except ImageNotFound as error:
        raise OpsError(f"no local image {reference}: build it first (invoke images.build)") from error
    except (APIError, DockerException) as error:
        raise OpsError(f"pushing {remote}:{tag} failed: {first_line(error)}") from error
    return f"{remote}:{tag}"


PUSH_PROGRESS_STATES = {"Preparing", "Waiting", "Pushing"}


def follow_push(events: Iterable[dict[str, Any]], remote: str, output: Callable[[str], None]) -> None:
    """Print each layer's outcome, not its byte counts; raise OpsError on the registry's first error."""
    for event in events:
        if "error" in event:
            raise OpsError(f"pushing {remote} failed: {event['error'].strip()}")
        status = event.get("status", "")
        if status and status not in PUSH_PROGRESS_STATES:
            output(f"{event['id']}: {status}" if "id" in event else status)
