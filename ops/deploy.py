"""`invoke deploy`, `reset` and `destroy`: from source to a smoke-tested release, phase by phase."""

import time
from dataclasses import dataclass

from invoke import Context

from ops import delivery
from ops.doctor import print_recent_warnings
from ops.errors import OpsError
from ops.preflight import (
    check_cluster_capacity,
    check_cluster_reachable,
    check_minikube_capacity,
    check_tools,
    docker_capacity,
)
from ops.progress import PhaseClock, watch_pods
from ops.releases import (
    apply_secrets,
    install,
    keep_live_scale,
    lint,
    release_values,
    releases_for,
    smoke_test,
    wait_for_rollouts,
)
from ops.secrets import load_secrets
from ops.settings import Settings
from ops.shell import Shell
from ops.targets import kubectl, public_url, target_for


@dataclass(frozen=True)
class Deployment:
    url: str
    ready_at: float  # time.monotonic() when every release had rolled out


def deploy(
    c: Context, settings: Settings, dry: bool = False, clock: PhaseClock | None = None, dev: bool = False
) -> Deployment:
    """From source to a smoke-tested release; `dev` installs the backend in its chart's dev mode (for `invoke
    dev`), any other deploy in production mode."""
    clock = clock or PhaseClock()
    shell = Shell(c, dry)
    target = target_for(settings)
    with clock.phase("preflight"):
        versions = check_tools(shell, settings)
        secrets = load_secrets(settings, dry)  # before anything touches the cluster
        if target.name == "minikube":
            check_minikube_capacity(settings)
        else:
            docker_capacity()  # Docker answers: it builds the images
    with clock.phase("cluster"):
        target.ensure_cluster(shell, settings)
        if not dry:
            check_cluster_reachable(shell, settings)
            check_cluster_capacity(shell, settings)
        url = public_url(shell, settings)
    with clock.phase("images"):
        images = delivery.deliver_images(shell, settings)
    releases = releases_for(secrets)
    values = {release: release_values(release, settings, secrets, images, url, dev) for release in releases}
    for release in releases:
        keep_live_scale(shell, settings, release, values[release])
    with clock.phase("chart lint"):
        for release in releases:
            lint(shell, settings, release, values[release])
    with clock.phase("secrets"):
        apply_secrets(shell, settings, releases, secrets)
    with clock.phase("helm releases"), watch_pods(shell, settings):
        for release in releases:
            try:
                install(shell, settings, release, values[release], helm_major=versions["helm"][0])
            except OpsError:
                print_recent_warnings(shell, settings)
                raise
    with clock.phase("rollout"):
        if not dry:
            wait_for_rollouts(shell, settings, releases)
    ready_at = time.monotonic()
    with clock.phase("smoke test"):
        if not dry:
            smoke_test(url, settings.smoke_timeout)
    print_outcome(shell, settings, url, clock)
    return Deployment(url=url, ready_at=ready_at)


def print_outcome(shell: Shell, settings: Settings, url: str, clock: PhaseClock) -> None:
    if not shell.dry:
        print(shell.query(kubectl(settings, "get", "pods", "-o", "wide"), "cannot list the pods"))
    print(clock.summary())
    print(f"\nThe Todo AI Chatbot is at {url}")


def reset(c: Context, settings: Settings, dry: bool = False) -> Deployment:
    """Tear the deployment down, deploy from scratch, and hold the time to all pods Ready to the limit."""
    clock = PhaseClock()
    shell = Shell(c, dry)
    with clock.phase("tear down"):
        check_tools(shell, settings)
        target_for(settings).teardown(shell, settings)
    started = time.monotonic()
    deployment = deploy(c, settings, dry, clock)
    to_ready = deployment.ready_at - started
    print(f"all pods Ready {to_ready:.1f}s after the tear-down (limit {settings.ready_limit}s)")
    if to_ready > settings.ready_limit and not dry:
        raise OpsError(f"pods took {to_ready:.0f}s to become Ready, over the {settings.ready_limit}s limit")
    return deployment


def destroy(c: Context, settings: Settings, dry: bool = False) -> None:
    shell = Shell(c, dry)
    check_tools(shell, settings)
    target_for(settings).teardown(shell, settings)
    print(f"destroyed the {settings.target} deployment")
