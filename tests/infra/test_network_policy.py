"""The charts' NetworkPolicies, proven on a cluster that enforces them.

Runs only when the release was deployed with `networkPolicy.enabled` and the cluster's policy engine enforces
policies (checked with a deny-all canary policy on a probe pod); otherwise every test is skipped with the
reason. Each refused path has an allowed twin that reaches the same port, so a refusal is the policy's doing,
not a missing service. The probe pod, a stranger to the release, runs the backend's image with its own label.
"""

import json
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from todo_release import Deployment, TodoUser

CONNECT_SECONDS = 5  # one TCP connect; a dropped SYN is a refusal too
POLICY_SYNC_SECONDS = 30  # the engine applies a new or deleted policy within this (kube-router: 1-2 s)
PROBE_PORT = 8080
PROBE_LABEL = "todo-e2e-netpol-probe"
DENY_ALL_ANSWER = "a deny-all policy left the probe reachable"
# The apps' images have no bash (docs/images.md): from their pods, and from the probe (the backend's image),
# the checks run in the app's own runtime, which reads a "$NAME" argument from the container's environment.
PYTHON_CHECKS = {
    "connects": "import os, socket, sys; socket.create_connection((os.path.expandvars(sys.argv[1]), "
    f"int(os.path.expandvars(sys.argv[2]))), timeout={CONNECT_SECONDS})",
    "resolves": "import socket, sys; socket.getaddrinfo(sys.argv[1], None)",
}
NODE_CHECKS = {
    "connects": "const env = (value) => value.replace(/^\\$(\\w+)$/, (_, name) => process.env[name] ?? '');"
    "require('net').connect(Number(env(process.argv[2])), env(process.argv[1]))"
    f".on('connect', () => process.exit(0)).setTimeout({CONNECT_SECONDS * 1000}, () => process.exit(1))",
    "resolves": "require('dns').lookup(process.argv[1], (error) => process.exit(error ? 1 : 0))",
}
RUNTIMES = {  # who -> the interpreter and its checks; anyone else (PostgreSQL) has bash
    "todo-backend": (["python", "-c"], PYTHON_CHECKS),
    "stranger": (["python", "-c"], PYTHON_CHECKS),
    "todo-frontend": (["node", "-e"], NODE_CHECKS),
}


class Pods:
    """One pod per app, plus the stranger probe; connections are tried from inside them."""

    def __init__(self, deployment: Deployment, probe: str) -> None:
        self.deployment = deployment
        self.probe = probe
        self.by_app = {
            app: self.first_ready(app) for app in ("todo-frontend", "todo-backend", "todo-postgres")
        }

    def first_ready(self, release: str) -> str:
        return next(pod["metadata"]["name"] for pod in self.deployment.pods(release) if is_ready(pod))

    def client(self, who: str) -> str:
        return self.probe if who == "stranger" else self.by_app[who]

    def run(self, who: str, script: str) -> bool:
        """True when the bash script succeeds inside the pod's first container."""
        command = ["exec", self.client(who), "--", "timeout", str(CONNECT_SECONDS), "bash", "-c", script]
        return self.deployment.kubectl_result(*command).returncode == 0

    def run_check(self, who: str, check: str, *arguments: str) -> bool:
        """True when the app runtime's check exits 0 inside the pod's first container."""
        interpreter, checks = RUNTIMES[who]
        command = ["exec", self.client(who), "--", *interpreter, checks[check], *arguments]
        return self.deployment.kubectl_result(*command).returncode == 0

    def connects(self, who: str, host: str, port: int | str) -> bool:
        if who in RUNTIMES:
            return self.run_check(who, "connects", host, str(port))
        return self.run(who, f"exec 3<>/dev/tcp/{host}/{port}")

    def reaches_kubernetes_api(self, who: str) -> bool:
        """By the address the kubelet gives every container, so no DNS lookup is involved."""
        return self.connects(who, "$KUBERNETES_SERVICE_HOST", "$KUBERNETES_SERVICE_PORT")

    def resolves(self, who: str, name: str) -> bool:
        if who in RUNTIMES:
            return self.run_check(who, "resolves", name)
        return self.run(who, f"getent hosts {name}")


def is_ready(pod: dict) -> bool:
    conditions = pod["status"].get("conditions", [])
    return not pod["metadata"].get("deletionTimestamp") and any(
        c["type"] == "Ready" and c["status"] == "True" for c in conditions
    )


def service_port(deployment: Deployment, service: str) -> int:
    return int(deployment.kubectl("get", "service", service, "-o", "jsonpath={.spec.ports[0].port}"))


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


@pytest.fixture(scope="module")
def policies(deployment: Deployment) -> list[str]:
    names = [policy["metadata"]["name"] for policy in deployment.objects("networkpolicies")]
    missing = {"todo-postgres", "todo-backend", "todo-frontend"} - set(names)
    if missing:
        pytest.skip(
            f"the release has no NetworkPolicy for {', '.join(sorted(missing))} (networkPolicy.enabled)"
        )
    return names


def probe_manifest(name: str, image: str) -> dict:
    """A restricted-compliant pod serving HTTP on PROBE_PORT, labelled as no app of the release."""
    container = {
        "name": "probe",
        "image": image,
        "command": ["python", "-m", "http.server", str(PROBE_PORT)],
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"cpu": "200m", "memory": "64Mi"},
        },
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/name": PROBE_LABEL}},
        "spec": {"containers": [container], "automountServiceAccountToken": False},
    }


@pytest.fixture(scope="module")
def probe(deployment: Deployment, policies: list[str]) -> Iterator[str]:
    name = f"netpol-probe-{uuid.uuid4().hex[:6]}"
    image = deployment.kubectl(
        "get", "deployment/todo-backend", "-o", "jsonpath={.spec.template.spec.containers[0].image}"
    )
    deployment.kubectl("apply", "-f", "-", stdin=json.dumps(probe_manifest(name, image)))
    try:
        deployment.kubectl("wait", "--for=condition=Ready", f"pod/{name}", "--timeout=120s")
        yield name
    finally:
        deployment.kubectl_result("delete", "pod", name, "--wait=false")


@pytest.fixture(scope="module")
def pods(deployment: Deployment, probe: str) -> Pods:
    return Pods(deployment, probe)


@pytest.fixture(scope="module")
def probe_ip(deployment: Deployment, probe: str) -> str:
    return deployment.kubectl("get", f"pod/{probe}", "-o", "jsonpath={.status.podIP}")


@pytest.fixture(scope="module", autouse=True)
def enforced(deployment: Deployment, pods: Pods, probe_ip: str) -> None:
    """A deny-all canary policy on the probe: if the backend still reaches it, nothing enforces policies."""
    assert pods.connects("todo-backend", probe_ip, PROBE_PORT), (
        "the backend cannot reach the probe pod at all"
    )
    canary = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": f"{pods.probe}-canary"},
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": PROBE_LABEL}},
            "policyTypes": ["Ingress"],
        },
    }
    deployment.kubectl("apply", "-f", "-", stdin=json.dumps(canary))
    try:
        refused = wait_for(
            lambda: not pods.connects("todo-backend", probe_ip, PROBE_PORT), POLICY_SYNC_SECONDS
        )
    finally:
        deployment.kubectl("delete", "networkpolicy", canary["metadata"]["name"])
    if not refused:
        pytest.skip(f"this cluster does not enforce NetworkPolicy: {DENY_ALL_ANSWER} (see docs/cluster.md)")
    assert wait_for(lambda: pods.connects("todo-backend", probe_ip, PROBE_PORT), POLICY_SYNC_SECONDS), (
        "the probe stayed unreachable after its deny-all policy was deleted"
    )


# --- what must work ----------------------------------------------------------------------------------------


def test_the_browser_path_works(alice: TodoUser) -> None:
    """Browser -> frontend -> backend -> PostgreSQL, and the frontend's own session lookup in PostgreSQL."""
    alice.add_task("Allowed by the policies")
    assert [task["title"] for task in alice.tasks()] == ["Allowed by the policies"]


@pytest.mark.parametrize(
    ("client", "service"),
    [
        ("todo-frontend", "todo-backend"),
        ("todo-backend", "todo-postgres"),
        ("todo-frontend", "todo-postgres"),
    ],
)
def test_an_allowed_path_connects(deployment: Deployment, pods: Pods, client: str, service: str) -> None:
    assert pods.connects(client, service, service_port(deployment, service))


@pytest.mark.parametrize("client", ["todo-frontend", "todo-backend"])
def test_dns_resolves(pods: Pods, client: str) -> None:
    assert pods.resolves(client, "todo-postgres")


def test_the_public_entry_is_open_to_any_pod(deployment: Deployment, pods: Pods) -> None:
    assert pods.connects("stranger", "todo-frontend", service_port(deployment, "todo-frontend"))


# --- what must be refused ----------------------------------------------------------------------------------


@pytest.mark.parametrize("service", ["todo-backend", "todo-postgres"])
def test_a_stranger_pod_is_refused(deployment: Deployment, pods: Pods, service: str) -> None:
    assert not pods.connects("stranger", service, service_port(deployment, service))


def test_postgresql_opens_no_connection(pods: Pods, probe_ip: str) -> None:
    """Its egress is closed: neither a pod the backend reaches (the probe) nor the Kubernetes API."""
    assert pods.reaches_kubernetes_api("todo-backend")
    assert not pods.reaches_kubernetes_api("todo-postgres")
    assert not pods.connects("todo-postgres", probe_ip, PROBE_PORT)
