"""The backend and frontend images: content-derived tags, builds, and delivery to a cluster's registry.

Plain functions over the Docker SDK, called by `invoke images.*` (ops/tasks/images.py) and by the deploy.
Builds use the engine's classic builder, the one the SDK drives (BuildKit needs the CLI's gRPC session, which
the SDK lacks), so the Dockerfiles use nothing BuildKit-only: dependency layers are cached by ordering alone.
"""

import hashlib
import re
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


@dataclass(frozen=True)
class Service:
    name: str  # backend | frontend
    repository: str  # the image name (docs/architecture.md)
    context: Path  # the Docker build context; its Dockerfile sits at its top


SERVICES = {name: Service(name, f"todo-{name}", ROOT / name) for name in IMAGE_SERVICES}


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
    try:
        events = client.api.build(
            path=str(service.context),
            tag=reference,
            buildargs={**label_args(reference, source), **(build_args or {})},
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
        )
        follow_build(events, reference, output)
    except (APIError, DockerException) as error:
        raise OpsError(f"building {reference} failed: {first_line(error)}") from error
    return reference


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
