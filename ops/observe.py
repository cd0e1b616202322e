"""`invoke status` and `invoke logs`: what runs where, and what it says."""

from ops.errors import OpsError
from ops.settings import RELEASES, Settings
from ops.shell import Shell
from ops.targets import helm, kubectl, public_url

LOG_TAIL_LINES = 100


def status(shell: Shell, settings: Settings) -> None:
    print(shell.query(helm(settings, "list", "--all"), "cannot list the Helm releases"))
    print(
        shell.query(kubectl(settings, "get", "pods,services", "-o", "wide"), "cannot list pods and services")
    )
    print(f"frontend URL: {public_url(shell, settings)}")


def release_of(service: str) -> str:
    """`backend`, `todo-backend` and the like name a release; anything else is a clear error."""
    release = service if service.startswith("todo-") else f"todo-{service}"
    if release not in RELEASES:
        short = ", ".join(name.removeprefix("todo-") for name in RELEASES)
        raise OpsError(f"unknown service {service!r}: choose one of {short}")
    return release


def logs_command(settings: Settings, service: str | None, follow: bool) -> list[str]:
    releases = [release_of(service)] if service else list(RELEASES)
    selector = f"app.kubernetes.io/instance in ({','.join(releases)})"
    streaming = ["--follow", "--max-log-requests=20"] if follow else []
    return kubectl(
        settings,
        "logs",
        "-l",
        selector,
        "--all-containers",
        "--prefix",
        f"--tail={LOG_TAIL_LINES}",
        *streaming,
    )


def logs(shell: Shell, settings: Settings, service: str | None, follow: bool) -> None:
    shell.stream(
        logs_command(settings, service, follow), "kubectl logs failed (is anything deployed? `invoke status`)"
    )
