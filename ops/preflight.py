"""Checks that run before a deploy changes anything: tools, versions, Docker, the cluster, its capacity."""

import re
import shutil

from ops.errors import OpsError
from ops.images import docker_client
from ops.quantities import parse_quantity
from ops.settings import Settings
from ops.shell import Shell
from ops.targets import kubectl, target_for

Version = tuple[int, int]

MINIMUM_VERSIONS: dict[str, Version] = {
    "kubectl": (1, 27),
    "helm": (3, 14),
    "minikube": (1, 30),
    "kind": (0, 20),
}
VERSION_COMMANDS = {
    "kubectl": ["kubectl", "version", "--client"],
    "helm": ["helm", "version", "--template", "{{.Version}}"],
    "minikube": ["minikube", "version", "--short"],
    "kind": ["kind", "version"],
}
INSTALL_HINTS = {
    "kubectl": "https://kubernetes.io/docs/tasks/tools/",
    "helm": "https://helm.sh/docs/intro/install/ (or `go install helm.sh/helm/v3/cmd/helm@latest`)",
    "minikube": "https://minikube.sigs.k8s.io/docs/start/",
    "kind": "https://kind.sigs.k8s.io/docs/user/quick-start/ (or `go install sigs.k8s.io/kind@latest`)",
}
# What the three releases request together, with room for a rolling update.
MIN_CLUSTER_CPU_MILLIS = 1000
MIN_CLUSTER_MEMORY_MIB = 2048


def check_tools(shell: Shell, settings: Settings) -> dict[str, Version]:
    """Every tool the target needs is on PATH and recent enough; returns their versions."""
    versions = {}
    for tool in ("kubectl", "helm", *target_for(settings).tools):
        if shutil.which(tool) is None:
            raise OpsError(f"{tool} is not installed (not found on PATH); install it: {INSTALL_HINTS[tool]}")
        versions[tool] = parse_version(tool, shell.query(VERSION_COMMANDS[tool], f"`{tool} version` failed"))
        if versions[tool] < MINIMUM_VERSIONS[tool]:
            wanted = ".".join(map(str, MINIMUM_VERSIONS[tool]))
            found = ".".join(map(str, versions[tool]))
            raise OpsError(
                f"{tool} {found} is too old: version {wanted} or newer is needed ({INSTALL_HINTS[tool]})"
            )
    return versions


def parse_version(tool: str, output: str) -> Version:
    match = re.search(r"v?(\d+)\.(\d+)", output)
    if match is None:
        raise OpsError(f"cannot read {tool}'s version from {output.strip()!r}")
    return int(match[1]), int(match[2])


def docker_capacity() -> tuple[int, int]:
    """The Docker engine's CPUs and memory (MiB): it builds the images and hosts minikube's or kind's node."""
    info = docker_client().info()
    return int(info["NCPU"]), int(info["MemTotal"]) // 2**20


def check_minikube_capacity(settings: Settings) -> None:
    cpus, memory = docker_capacity()
    if cpus < settings.minikube_cpus or memory < settings.minikube_memory:
        raise OpsError(
            f"Docker offers {cpus} CPUs and {memory} MiB; minikube is configured for "
            f"{settings.minikube_cpus} CPUs and {settings.minikube_memory} MiB "
            "(cluster.minikube_cpus / cluster.minikube_memory)"
        )


def check_cluster_reachable(shell: Shell, settings: Settings) -> None:
    context = target_for(settings).kube_context(settings) or "the current context"
    shell.query(
        kubectl(settings, "get", "--raw", "/readyz", "--request-timeout=10s", namespaced=False),
        f"the cluster behind {context} is not reachable; is it running, and is the kubeconfig right",
    )


def check_cluster_capacity(shell: Shell, settings: Settings) -> None:
    nodes = shell.query_json(
        kubectl(settings, "get", "nodes", "-o", "json", namespaced=False), "cannot list nodes"
    )
    allocatable = [node["status"].get("allocatable", {}) for node in nodes.get("items", [])]
    cpu_millis = sum(quantity(node.get("cpu", "0")) for node in allocatable) * 1000
    memory_mib = sum(quantity(node.get("memory", "0")) for node in allocatable) / 2**20
    if cpu_millis < MIN_CLUSTER_CPU_MILLIS or memory_mib < MIN_CLUSTER_MEMORY_MIB:
        raise OpsError(
            f"the cluster offers {cpu_millis:.0f}m CPU and {memory_mib:.0f} MiB allocatable; "
            f"the releases need at least {MIN_CLUSTER_CPU_MILLIS}m and {MIN_CLUSTER_MEMORY_MIB} MiB"
        )


def quantity(text: str) -> float:
    """A Kubernetes resource quantity ("3500m", "16Gi", "2") as a plain number."""
    return float(parse_quantity(text))
