"""Every pod runs as it should: Ready, never restarted, non-root, read-only, probed, bounded."""

import json

import pytest
from todo_release import EXTERNAL_DATABASE, RELEASES, Deployment


def containers(pod: dict) -> list[dict]:
    return pod["spec"].get("initContainers", []) + pod["spec"]["containers"]


def statuses(pod: dict) -> list[dict]:
    return pod["status"].get("initContainerStatuses", []) + pod["status"].get("containerStatuses", [])


@pytest.mark.parametrize("release", RELEASES)
def test_the_release_has_pods_and_every_one_is_ready(deployment: Deployment, release: str) -> None:
    pods = deployment.pods(release)
    assert pods, f"{release} has no pods"
    for pod in pods:
        ready = {cond["type"]: cond["status"] for cond in pod["status"].get("conditions", [])}.get("Ready")
        assert ready == "True", f"{pod['metadata']['name']} is not Ready"


@pytest.mark.skipif(not EXTERNAL_DATABASE, reason="the embedded database is in use")
def test_an_external_database_leaves_todo_postgres_uninstalled(deployment: Deployment) -> None:
    assert deployment.helm("status", "todo-postgres").returncode != 0
    assert deployment.objects("statefulsets", "app.kubernetes.io/instance=todo-postgres") == []


def test_the_namespace_enforces_the_restricted_pod_security_profile(deployment: Deployment) -> None:
    labels = json.loads(deployment.kubectl("get", "namespace", deployment.namespace, "-o", "json"))[
        "metadata"
    ]
    for mode in ("enforce", "warn", "audit"):
        assert labels["labels"].get(f"pod-security.kubernetes.io/{mode}") == "restricted", mode


def test_no_container_has_restarted(deployment: Deployment) -> None:
    restarted = {
        f"{pod['metadata']['name']}/{status['name']}": status["restartCount"]
        for pod in deployment.pods()
        for status in statuses(pod)
        if status["restartCount"]
    }
    assert restarted == {}


def test_every_container_is_declared_non_root(deployment: Deployment) -> None:
    for pod in deployment.pods():
        pod_context = pod["spec"].get("securityContext", {})
        for container in containers(pod):
            context = {**pod_context, **container.get("securityContext", {})}
            assert context.get("runAsNonRoot") is True, f"{pod['metadata']['name']}/{container['name']}"
            assert context.get("runAsUser", 0) != 0
            assert context.get("allowPrivilegeEscalation") is False
            assert context.get("readOnlyRootFilesystem") is True
            assert "ALL" in context.get("capabilities", {}).get("drop", [])


@pytest.mark.parametrize("release", RELEASES)
def test_inside_the_container_the_user_is_not_root_and_the_root_filesystem_is_read_only(
    deployment: Deployment, release: str
) -> None:
    pod = deployment.pods(release)[0]
    container = pod["spec"]["containers"][0]["name"]
    if release == "todo-frontend":  # no shell in its image (docs/images.md): ask its node
        uid, write_failed, stderr = node_user_and_write(deployment, pod["metadata"]["name"], container)
    else:
        host = deployment.host(pod["metadata"]["name"], container)
        write = host.run("touch /e2e-write-probe")
        uid, write_failed, stderr = host.check_output("id -u"), write.rc != 0, write.stderr
    assert uid != "0"
    assert write_failed
    assert "read-only file system" in stderr.lower()


def node_user_and_write(deployment: Deployment, pod: str, container: str) -> tuple[str, bool, str]:
    """The uid node runs as in the container, and whether (and how) writing to / failed."""
    node = ["exec", pod, "-c", container, "--", "node", "-e"]
    uid = deployment.kubectl(*node, "process.stdout.write(String(process.getuid()))")
    write = deployment.kubectl_result(*node, "require('fs').writeFileSync('/e2e-write-probe', '')")
    return uid, write.returncode != 0, write.stderr


@pytest.mark.parametrize("release", RELEASES)
def test_every_container_has_probes_and_resource_limits(deployment: Deployment, release: str) -> None:
    for pod in deployment.pods(release):
        for container in pod["spec"]["containers"]:
            name = f"{pod['metadata']['name']}/{container['name']}"
            assert "readinessProbe" in container, f"{name} has no readiness probe"
            assert "livenessProbe" in container, f"{name} has no liveness probe"
            assert set(container.get("resources", {}).get("limits", {})) >= {"cpu", "memory"}, name
            assert set(container.get("resources", {}).get("requests", {})) >= {"cpu", "memory"}, name


def test_pods_do_not_mount_a_service_account_token(deployment: Deployment) -> None:
    for pod in deployment.pods():
        assert pod["spec"].get("automountServiceAccountToken") is False, pod["metadata"]["name"]
