"""State lives in PostgreSQL only: it survives losing every pod, and a rolling restart drops no request."""

import json
import threading
from pathlib import Path

import pytest
from todo_release import RELEASES, Deployment, TodoUser

MAX_REQUESTS = 400  # bounds the stream; the restart usually finishes well before


def test_data_survives_deleting_every_backend_and_postgres_pod(
    deployment: Deployment, alice: TodoUser
) -> None:
    alice.add_task("Survive the restart")
    conversation = alice.chat("Add a task to buy groceries")["conversation_id"]
    before = alice.tasks()

    # With an external database only the backend's pods are the cluster's to lose.
    releases = [release for release in ("todo-postgres", "todo-backend") if release in RELEASES]
    deployment.kubectl("delete", "pods", "-l", f"app.kubernetes.io/instance in ({','.join(releases)})",
                       "--wait=true")  # fmt: skip
    workloads = {"todo-postgres": "statefulset/todo-postgres", "todo-backend": "deployment/todo-backend"}
    for release in releases:
        deployment.wait_for_rollout(workloads[release])
    wait_until_backend_ready(deployment)

    assert alice.tasks() == before
    messages = alice.backend("GET", f"conversations/{conversation}/messages").json()
    assert [message["role"] for message in messages] == ["user", "assistant"]
    resumed = alice.chat("Show me all my tasks", conversation)
    assert resumed["conversation_id"] == conversation


def wait_until_backend_ready(deployment: Deployment) -> None:
    """Ready means the backend reaches the database: its readiness probe checks that."""
    selector = "app.kubernetes.io/instance=todo-backend"
    deployment.kubectl("wait", "--for=condition=Ready", "pods", "-l", selector, "--timeout=300s")


class RequestStream:
    """Sends one request after another from a thread until stopped or MAX_REQUESTS; records every outcome."""

    def __init__(self, user: TodoUser) -> None:
        self.user = user
        self.outcomes: list[int | str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set() and len(self.outcomes) < MAX_REQUESTS:
            try:
                self.outcomes.append(self.user.backend("GET", "tasks").status_code)
            except OSError as error:  # connection refused or reset: a lost request
                self.outcomes.append(type(error).__name__)

    def __enter__(self) -> "RequestStream":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


@pytest.mark.parametrize("release", ["todo-backend", "todo-frontend"])
def test_a_rolling_restart_loses_no_request(deployment: Deployment, alice: TodoUser, release: str) -> None:
    alice.add_task("Keep serving")
    with RequestStream(alice) as stream:
        deployment.kubectl("rollout", "restart", f"deployment/{release}")
        deployment.wait_for_rollout(f"deployment/{release}")
    failures = [outcome for outcome in stream.outcomes if outcome != 200]
    assert len(stream.outcomes) > 1
    assert failures == [], f"{len(failures)} of {len(stream.outcomes)} requests failed: {failures[:5]}"


def test_a_failed_upgrade_leaves_the_previous_release_serving(
    deployment: Deployment, alice: TodoUser
) -> None:
    """What `invoke deploy` relies on: `helm upgrade --atomic` rolls a release that never gets Ready back."""
    alice.add_task("Still here after a bad upgrade")
    before = json.loads(deployment.helm("history", "todo-backend", "-o", "json").stdout)[-1]
    chart = str(Path(__file__).resolve().parents[2] / "charts" / "todo-backend")
    failed = deployment.helm("upgrade", "todo-backend", chart, "--reuse-values", "--set-string",
                             "image.tag=no-such-tag", "--wait", "--atomic", "--timeout", "60s")  # fmt: skip
    assert failed.returncode != 0
    after = json.loads(deployment.helm("history", "todo-backend", "-o", "json").stdout)
    assert after[-1]["status"] == "deployed"
    assert after[-1]["revision"] > before["revision"]
    deployment.wait_for_rollout("deployment/todo-backend")
    assert "Still here after a bad upgrade" in [task["title"] for task in alice.tasks()]
