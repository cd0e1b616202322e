"""Progress output: each phase's name and duration, and pod readiness while Helm waits."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ops.settings import Settings
from ops.shell import Shell
from ops.targets import kubectl

WATCH_INTERVAL_SECONDS = 10


class PhaseClock:
    """Times named phases and prints a summary, so a slow deploy shows where the time went."""

    def __init__(self) -> None:
        self.durations: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        print(f"==> {name}", flush=True)
        start = time.monotonic()
        yield
        self.durations[name] = time.monotonic() - start
        print(f"<== {name}: {self.durations[name]:.1f}s", flush=True)

    def summary(self) -> str:
        width = max(map(len, self.durations), default=0)
        lines = [f"  {name:<{width}}  {seconds:6.1f}s" for name, seconds in self.durations.items()]
        return "\n".join(
            ["time per phase:", *lines, f"  {'total':<{width}}  {sum(self.durations.values()):6.1f}s"]
        )


def readiness_line(pods: dict) -> str:
    """One line such as `2/3 pods Ready; waiting: todo-backend-7d9 (ContainerCreating)`."""
    items = pods.get("items", [])
    waiting = [f"{pod['metadata']['name']} ({pod_state(pod)})" for pod in items if not pod_ready(pod)]
    line = f"{len(items) - len(waiting)}/{len(items)} pods Ready"
    return f"{line}; waiting: {', '.join(waiting)}" if waiting else line


def pod_ready(pod: dict) -> bool:
    conditions = pod.get("status", {}).get("conditions", [])
    return any(cond.get("type") == "Ready" and cond.get("status") == "True" for cond in conditions)


def pod_state(pod: dict) -> str:
    """The most telling reason a pod is not Ready: a container's waiting reason, else its phase."""
    status = pod.get("status", {})
    for container in status.get("initContainerStatuses", []) + status.get("containerStatuses", []):
        reason = container.get("state", {}).get("waiting", {}).get("reason")
        if reason:
            return reason
    return status.get("phase", "Unknown")


@contextmanager
def watch_pods(shell: Shell, settings: Settings) -> Iterator[None]:
    """While the block runs, print pod readiness every few seconds (Helm's --wait is silent)."""
    stop = threading.Event()

    def report() -> None:
        while not stop.wait(WATCH_INTERVAL_SECONDS):
            pods = shell.try_json(kubectl(settings, "get", "pods", "-o", "json"))
            if pods is not None:
                print(f"    ... {readiness_line(pods)}", flush=True)

    watcher = threading.Thread(target=report, daemon=True)
    if not shell.dry:
        watcher.start()
    try:
        yield
    finally:
        stop.set()
