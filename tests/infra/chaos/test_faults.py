"""Faults injected into the deployed release while 8 writers create tasks through the browser's path.

After each fault every task is read back: no acknowledged write may be lost, no write reported failed may be
stored, a database blip may answer 503 only (never 401 or 500), and with 2 replicas a lost backend pod or a
rolling restart may fail no request at all. Writers keep going until the pods present before the fault are
gone and the replacements answer, not merely until `rollout status` returns. Every fault touches only the
namespace the release runs in and ends within FAULT_LIMIT_SECONDS.
"""

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from todo_release import Deployment, TodoUser
from writers import RESULTS, WRITERS, Counts, Writers

FAULT_LIMIT_SECONDS = 90
POLL_SECONDS = 1.0
REPLICAS_NEEDED = 2  # the chart default; with one, losing the pod must fail requests
DATABASE_BLIP_STATUSES = {"503"}  # "try again": the user's session and data are fine


class Fault:
    """One fault's deadline and the release's pods as kubectl sees them."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.deadline = time.monotonic() + FAULT_LIMIT_SECONDS

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        while not condition():
            assert time.monotonic() < self.deadline, f"{what}: not within {FAULT_LIMIT_SECONDS}s"
            time.sleep(POLL_SECONDS)

    def pods(self, release: str) -> list[dict[str, Any]]:
        return self.deployment.pods(release)

    def uids(self, release: str) -> dict[str, str]:
        """Pod UID -> name. A StatefulSet's new pod has the old name, so pods are told apart by UID."""
        return {pod["metadata"]["uid"]: pod["metadata"]["name"] for pod in self.pods(release)}

    def replaced(self, release: str, old: set[str], replicas: int) -> Callable[[], bool]:
        """The pods with the old UIDs are gone (not just terminating) and `replicas` new ones are Ready."""

        def check() -> bool:
            pods = self.pods(release)
            uids = {pod["metadata"]["uid"] for pod in pods}
            return not uids & old and sum(1 for pod in pods if is_ready(pod)) >= replicas

        return check


def is_ready(pod: dict[str, Any]) -> bool:
    if pod["metadata"].get("deletionTimestamp"):
        return False
    conditions = pod["status"].get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def replicas(deployment: Deployment, release: str) -> int:
    return int(deployment.kubectl("get", f"deployment/{release}", "-o", "jsonpath={.spec.replicas}"))


@pytest.fixture(scope="module", autouse=True)
def two_replicas(deployment: Deployment) -> None:
    """The suite proves what 2 replicas guarantee; it never scales the release behind the user's back."""
    for release in ("todo-backend", "todo-frontend"):
        count = replicas(deployment, release)
        if count < REPLICAS_NEEDED:
            pytest.fail(
                f"{release} runs {count} replica(s); the fault suite needs {REPLICAS_NEEDED}: "
                f"set replicaCount: {REPLICAS_NEEDED} in env/values/{release}.yaml and run `invoke deploy`"
            )


@pytest.fixture(scope="module")
def writer(deployment: Deployment) -> TodoUser:
    return TodoUser(deployment.base_url).sign_up()


def under_fault(deployment: Deployment, user: TodoUser, name: str, inject: Callable[[Fault], None]) -> Counts:
    """Writers start, the fault runs until recovered, each writer then succeeds once more; then reconcile."""
    fault = Fault(deployment)
    with Writers(user, name) as writers:
        fault.wait_until(lambda: len(writers.writes) >= WRITERS, "the writers' first writes")
        inject(fault)
        writers.recovered.set()
        fault.wait_until(lambda: writers.successes_after_recovery() >= WRITERS, "writes after recovery")
    counts = writers.reconcile(stored_titles(user, fault))
    RESULTS.append(counts)
    print(counts.line())
    return counts


def stored_titles(user: TodoUser, fault: Fault) -> set[str]:
    answers: list[int] = []

    def read() -> bool:
        response = user.backend("GET", "tasks")
        answers.append(response.status_code)
        return response.status_code == 200

    fault.wait_until(read, f"reading the tasks back (answers {answers[-3:]})")
    return {task["title"] for task in user.tasks()}


def assert_nothing_lost(counts: Counts) -> None:
    assert counts.acked > 0, "no write was acknowledged: the writers never reached the release"
    assert counts.lost == [], f"{len(counts.lost)} acknowledged writes lost: {counts.lost[:5]}"
    phantom = counts.phantom
    assert phantom == [], f"{len(phantom)} writes stored but reported failed: {phantom[:5]}"


# --- the faults -----------------------------------------------------------------------------------------


def delete_postgres_pod(fault: Fault) -> None:
    old = fault.uids("todo-postgres")
    fault.deployment.kubectl("delete", "pod", *old.values(), "--wait=false")
    fault.wait_until(fault.replaced("todo-postgres", set(old), 1), "the new PostgreSQL pod Ready")
    backend_ready(fault)


def kill_postmaster(fault: Fault) -> None:
    """SIGKILL to the postmaster. It is the container's PID 1, which ignores SIGKILL sent from inside its own
    PID namespace (`kubectl exec ... kill -9 1` does nothing), so it is sent from the node's host."""
    [pod] = fault.pods("todo-postgres")
    [status] = pod["status"]["containerStatuses"]
    pid = host_pid(status["containerID"].split("://")[-1])
    if pid is None:
        pytest.skip("the postmaster's process is not visible here: run as root on the node's host")
    os.kill(pid, signal.SIGKILL)
    name, restarts = pod["metadata"]["name"], status["restartCount"]

    def restarted() -> bool:
        [now] = fault.pods("todo-postgres")
        [container] = now["status"]["containerStatuses"]
        return now["metadata"]["name"] == name and container["restartCount"] > restarts

    fault.wait_until(restarted, "the PostgreSQL container restarted")
    fault.wait_until(lambda: all(is_ready(p) for p in fault.pods("todo-postgres")), "PostgreSQL Ready")
    backend_ready(fault)


def host_pid(container_id: str) -> int | None:
    """The host PID of the container's init process: its cgroup names the container, its NSpid ends in 1."""
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and container_id in (proc / "cgroup").read_text():
                status = (proc / "status").read_text().splitlines()
                if next(line for line in status if line.startswith("NSpid")).split()[-1] == "1":
                    return int(proc.name)
        except (OSError, StopIteration):  # the process ended meanwhile, or no access
            continue
    return None


def backend_ready(fault: Fault) -> None:
    wanted = replicas(fault.deployment, "todo-backend")
    fault.wait_until(
        lambda: sum(1 for pod in fault.pods("todo-backend") if is_ready(pod)) >= wanted, "the backend Ready"
    )


def delete_one_backend_pod(fault: Fault) -> None:
    uid, name = sorted(fault.uids("todo-backend").items())[0]
    fault.deployment.kubectl("delete", "pod", name, "--wait=false")
    wanted = replicas(fault.deployment, "todo-backend")
    fault.wait_until(fault.replaced("todo-backend", {uid}, wanted), "the deleted backend pod replaced")


def rolling_restart(release: str) -> Callable[[Fault], None]:
    def inject(fault: Fault) -> None:
        old = set(fault.uids(release))
        fault.deployment.kubectl("rollout", "restart", f"deployment/{release}")
        wanted = replicas(fault.deployment, release)
        fault.wait_until(fault.replaced(release, old, wanted), f"{release}'s old pods gone")

    return inject


# --- the tests ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "inject"),
    [("postgres-pod-deleted", delete_postgres_pod), ("postmaster-kill-9", kill_postmaster)],
)
def test_a_database_blip_loses_nothing_and_answers_503_only(
    deployment: Deployment, writer: TodoUser, name: str, inject: Callable[[Fault], None]
) -> None:
    counts = under_fault(deployment, writer, name, inject)
    assert_nothing_lost(counts)
    assert set(counts.errors) <= DATABASE_BLIP_STATUSES, f"statuses other than 503: {counts.explain()}"


@pytest.mark.parametrize(
    ("name", "inject"),
    [
        ("backend-pod-deleted", delete_one_backend_pod),
        ("backend-rolling-restart", rolling_restart("todo-backend")),
        ("frontend-rolling-restart", rolling_restart("todo-frontend")),
    ],
)
def test_losing_or_restarting_pods_fails_no_request(
    deployment: Deployment, writer: TodoUser, name: str, inject: Callable[[Fault], None]
) -> None:
    counts = under_fault(deployment, writer, name, inject)
    assert_nothing_lost(counts)
    assert counts.failed == 0, f"{counts.failed} requests failed: {counts.explain()}"
