"""`invoke doctor`: findings from recorded pod, event and release JSON, and the printed report."""

import json

import pytest
from invoke import Result
from runner_fakes import cluster_context, invoke_config, settings_for

from ops.doctor import diagnose, doctor
from ops.errors import OpsError
from ops.shell import Shell


def pod(name: str, *, ready: bool = True, conditions: list[dict] | None = None, **containers: dict) -> dict:
    ready_condition = {"type": "Ready", "status": "True" if ready else "False"}
    statuses = [{"name": container, "ready": ready, "restartCount": 0, **status}
                for container, status in containers.items()]  # fmt: skip
    return {
        "metadata": {"name": name},
        "status": {"phase": "Running", "conditions": [ready_condition, *(conditions or [])],
                   "containerStatuses": statuses},
    }  # fmt: skip


HEALTHY_POD = pod("todo-backend-1", api={"state": {"running": {}}})
UNSCHEDULABLE = pod(
    "todo-postgres-0",
    ready=False,
    conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                 "message": "0/1 nodes are available: 1 Insufficient memory."}],
)  # fmt: skip
PULL_FAILURE = pod(
    "todo-frontend-1",
    ready=False,
    web={"image": "127.0.0.1:5000/todo-frontend:abc",
         "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}},
)  # fmt: skip
CRASH_LOOP = pod(
    "todo-backend-2",
    ready=False,
    api={"restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
         "lastState": {"terminated": {"exitCode": 3, "reason": "Error"}}},
)  # fmt: skip
PROBE_FAILING = pod("todo-backend-3", ready=False, api={"state": {"running": {}}})
UNHEALTHY_EVENT = {
    "type": "Warning",
    "reason": "Unhealthy",
    "message": "Readiness probe failed: HTTP probe failed with statuscode: 503",
    "involvedObject": {"kind": "Pod", "name": "todo-backend-3"},
    "lastTimestamp": "2026-01-01T00:00:00Z",
}


def test_a_healthy_namespace_has_no_findings() -> None:
    assert diagnose([HEALTHY_POD], [], [{"name": "todo-backend", "status": "deployed"}]) == []


def test_an_unschedulable_pod_says_why() -> None:
    [finding] = diagnose([UNSCHEDULABLE], [], [])
    assert finding.problem == "Pending: cannot be scheduled: 0/1 nodes are available: 1 Insufficient memory."


def test_an_image_pull_failure_names_the_image_and_the_fix() -> None:
    [finding] = diagnose([PULL_FAILURE], [], [])
    assert "cannot pull image 127.0.0.1:5000/todo-frontend:abc: ImagePullBackOff" in finding.problem
    assert "cluster.registry" in finding.hints[0]


def test_a_crash_loop_asks_for_the_previous_log() -> None:
    [finding] = diagnose([CRASH_LOOP], [], [])
    assert finding.problem == "crash loop, restarted 4 times, last exit code 3 (Error)"
    assert finding.logs_of == ("todo-backend-2", "api", True)


def test_a_failing_probe_is_explained_by_its_event() -> None:
    [finding] = diagnose([PROBE_FAILING], [UNHEALTHY_EVENT], [])
    assert (
        finding.problem
        == "not Ready: probe failing: Readiness probe failed: HTTP probe failed with statuscode: 503"
    )


def test_a_failed_release_is_reported() -> None:
    [finding] = diagnose([], [], [{"name": "todo-frontend", "status": "failed", "revision": 3}])
    assert finding.subject == "release todo-frontend"
    assert "'failed'" in finding.problem


def answers(pods: list[dict], events: list[dict], releases: list[dict]) -> dict:
    return {
        r"kubectl .*get pods -o json": json.dumps({"items": pods}),
        r"kubectl .*get events -o json": json.dumps({"items": events}),
        r"helm .*list --all -o json": json.dumps(releases),
        r"kubectl .*logs todo-backend-2 -c api --previous": "Starting\nRuntimeError: DATABASE_URL is not set",
    }


def test_doctor_prints_findings_with_the_crash_log_and_fails(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    pods = [HEALTHY_POD, CRASH_LOOP, PROBE_FAILING]
    c = cluster_context(invoke_config(), answers(pods, [UNHEALTHY_EVENT], []))
    with pytest.raises(OpsError, match=r"2 problem\(s\) found in namespace todo"):
        doctor(Shell(c), settings_for("minikube", tmp_path / "local.env"))
    printed = capsys.readouterr().out
    assert "- pod todo-backend-2, container api: crash loop" in printed
    assert "RuntimeError: DATABASE_URL is not set" in printed
    assert "Pod/todo-backend-3: Unhealthy: Readiness probe failed" in printed


def test_doctor_on_a_healthy_namespace_says_so(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    releases = [{"name": "todo-backend", "status": "deployed"}]
    doctor(Shell(cluster_context(invoke_config(), answers([HEALTHY_POD], [], releases))),
           settings_for("minikube", tmp_path / "local.env"))  # fmt: skip
    assert "no problems found: 1 pods Ready, 1 releases deployed" in capsys.readouterr().out


def test_doctor_on_an_empty_namespace_points_to_deploy(tmp_path) -> None:
    c = cluster_context(invoke_config(), answers([], [], []))
    with pytest.raises(OpsError, match=r"nothing is deployed in namespace todo: run `invoke deploy`"):
        doctor(Shell(c), settings_for("minikube", tmp_path / "local.env"))


def test_doctor_on_a_cluster_that_is_down_says_so(tmp_path) -> None:
    c = cluster_context(invoke_config(), {r"kubectl .*get --raw /readyz": Result(exited=1, stderr="refused")})
    with pytest.raises(OpsError, match=r"not reachable"):
        doctor(Shell(c), settings_for("minikube", tmp_path / "local.env"))


def waiting(reason: str, message: str, image: str = "127.0.0.1:5000/todo-backend:abc") -> dict:
    state = {"waiting": {"reason": reason, "message": message}}
    return pod("todo-backend-4", ready=False, api={"image": image, "state": state})


def pull_event(message: str) -> dict:
    return {"type": "Warning", "reason": "Failed", "message": message,
            "involvedObject": {"kind": "Pod", "name": "todo-backend-4"}}  # fmt: skip


def test_a_missing_tag_is_named_with_its_registry() -> None:
    image = "127.0.0.1:5000/todo-backend:abc"
    event = pull_event(
        f'Failed to pull image "{image}": rpc error: code = NotFound desc = '
        f'failed to resolve reference "{image}": {image}: not found'
    )
    [finding] = diagnose([waiting("ImagePullBackOff", 'Back-off pulling image "x"')], [event], [])
    assert (
        finding.problem
        == "cannot pull image 127.0.0.1:5000/todo-backend:abc: tag abc not found in 127.0.0.1:5000"
    )


def test_a_registry_that_does_not_answer_is_called_unreachable() -> None:
    message = (
        'failed to do request: Head "https://127.0.0.1:5000/v2/": '
        "dial tcp 127.0.0.1:5000: connect: connection refused"
    )
    [finding] = diagnose([waiting("ErrImagePull", message)], [], [])
    assert finding.problem.endswith(": registry 127.0.0.1:5000 unreachable")


def test_a_docker_hub_image_names_docker_hub() -> None:
    [finding] = diagnose([waiting("ErrImagePull", "manifest unknown", image="postgres:99")], [], [])
    assert finding.problem == "cannot pull image postgres:99: tag 99 not found in docker.io"


def test_a_missing_secret_key_is_named() -> None:
    message = "couldn't find key database-url in Secret todo/todo-backend-credentials"
    [finding] = diagnose([waiting("CreateContainerConfigError", message)], [], [])
    assert (
        finding.problem
        == "CreateContainerConfigError: Secret todo-backend-credentials has no key database-url"
    )


def test_a_missing_secret_is_named() -> None:
    message = 'secret "todo-backend-credentials" not found'
    [finding] = diagnose([waiting("CreateContainerConfigError", message)], [], [])
    assert finding.problem == "CreateContainerConfigError: Secret todo-backend-credentials does not exist"


def test_an_init_container_is_diagnosed_at_its_first_failure() -> None:
    failed = pod("todo-backend-5", ready=False)
    failed["status"]["initContainerStatuses"] = [
        {"name": "migrate", "ready": False, "restartCount": 0,
         "state": {"terminated": {"exitCode": 1, "reason": "Error", "message": "cannot reach PostgreSQL"}}},
    ]  # fmt: skip
    [finding] = diagnose([failed], [], [])
    assert finding.subject == "pod todo-backend-5, container migrate"
    assert finding.problem == "failed, last exit code 1 (Error): cannot reach PostgreSQL"
    assert finding.logs_of == ("todo-backend-5", "migrate", False)


def test_events_of_pods_that_are_gone_are_left_out() -> None:
    from ops.doctor import current_events

    gone = {**UNHEALTHY_EVENT, "involvedObject": {"kind": "Pod", "name": "todo-backend-old"}}
    replaced = {**UNHEALTHY_EVENT, "involvedObject": {"kind": "Pod", "name": "todo-backend-1", "uid": "old"}}
    rollout = {"type": "Normal", "involvedObject": {"kind": "Deployment", "name": "todo-backend"}}
    current = {**HEALTHY_POD, "metadata": {"name": "todo-backend-1", "uid": "new"}}
    assert current_events([current], [gone, replaced, rollout]) == [rollout]


def terminating(deployment_status: dict) -> tuple[dict, list[dict]]:
    leaving = {**CRASH_LOOP, "metadata": {
        "name": "todo-backend-6b7f-x", "deletionTimestamp": "2026-01-01T00:00:00Z",
        "labels": {"pod-template-hash": "6b7f"},
        "ownerReferences": [{"kind": "ReplicaSet", "name": "todo-backend-6b7f"}]}}  # fmt: skip
    deployment = {"metadata": {"name": "todo-backend", "generation": 2}, "spec": {"replicas": 2},
                  "status": {"observedGeneration": 2, **deployment_status}}  # fmt: skip
    return leaving, [deployment]


def test_a_pod_leaving_a_finished_rollout_is_not_a_problem() -> None:
    leaving, deployments = terminating({"updatedReplicas": 2, "availableReplicas": 2})
    assert diagnose([HEALTHY_POD, leaving], [], [], deployments) == []


def test_a_terminating_pod_of_an_unfinished_rollout_is_still_reported() -> None:
    leaving, deployments = terminating({"updatedReplicas": 1, "availableReplicas": 1})
    [finding] = diagnose([HEALTHY_POD, leaving], [], [], deployments)
    assert finding.subject == "pod todo-backend-6b7f-x, container api"
