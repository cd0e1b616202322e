"""Run a rendered pod's containers in Docker as a kubelet would, to test a chart against its real image.

Only what the charts use is translated: command/args, env (values, Secret and ConfigMap references),
envFrom, workingDir, the security context (user, read-only root, dropped capabilities, no privilege
escalation), emptyDir mounts (as tmpfs, world-writable like an emptyDir) and exec/httpGet probes.
Services become network aliases on a network the test creates, so in-cluster names such as
`todo-postgres` resolve as they would in the pod.
"""

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import docker
from docker.models.containers import Container

Spec = dict[str, Any]


@dataclass
class FakeCluster:
    """The objects pods refer to by name, and the Docker network that stands in for the pod network."""

    client: docker.DockerClient
    network: str
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    config_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    started: list[Container] = field(default_factory=list)

    def environment(self, container: Spec) -> dict[str, str]:
        env: dict[str, str] = {}
        for source in container.get("envFrom", []):
            env |= self.config_maps[source["configMapRef"]["name"]]
        for item in container.get("env", []):
            if "value" in item:
                env[item["name"]] = item["value"]
                continue
            reference = item["valueFrom"]["secretKeyRef"]
            value = self.secrets.get(reference["name"], {}).get(reference["key"])
            if value is None and not reference.get("optional"):
                raise KeyError(f"Secret {reference['name']} lacks the key {reference['key']}")
            if value is not None:
                env[item["name"]] = value
        return env

    def run_options(self, container: Spec, pod_spec: Spec, alias: str | None) -> dict[str, Any]:
        context = pod_spec.get("securityContext", {}) | container.get("securityContext", {})
        volumes = {volume["name"]: volume for volume in pod_spec.get("volumes", [])}
        scratch = [
            mount for mount in container.get("volumeMounts", []) if "emptyDir" in volumes[mount["name"]]
        ]
        endpoint = self.client.api.create_endpoint_config(aliases=[alias] if alias else None)
        return {
            "image": container["image"],
            "entrypoint": container.get("command"),
            "command": container.get("args"),
            "working_dir": container.get("workingDir"),
            "environment": self.environment(container),
            "user": f"{context['runAsUser']}:{context['runAsGroup']}",
            "group_add": [str(pod_spec["securityContext"]["fsGroup"])],
            "read_only": context.get("readOnlyRootFilesystem", False),
            "cap_drop": context.get("capabilities", {}).get("drop"),
            "security_opt": [] if context.get("allowPrivilegeEscalation", True) else ["no-new-privileges"],
            "tmpfs": {mount["mountPath"]: "mode=1777" for mount in scratch},
            "network": self.network,
            "networking_config": {self.network: endpoint},
            "detach": True,
        }

    def start(self, container: Spec, pod_spec: Spec, alias: str | None = None) -> Container:
        started = self.client.containers.run(**self.run_options(container, pod_spec, alias))
        self.started.append(started)
        return started

    def run_to_completion(self, container: Spec, pod_spec: Spec, timeout: int = 120) -> tuple[int, str]:
        """Run a container that should exit (an init container, a helm test); its exit code and output."""
        started = self.start(container, pod_spec)
        status = started.wait(timeout=timeout)
        return status["StatusCode"], started.logs().decode(errors="replace")

    def remove_all(self) -> None:
        for started in self.started:
            started.remove(force=True)


def container_ip(started: Container, network: str) -> str:
    started.reload()
    return started.attrs["NetworkSettings"]["Networks"][network]["IPAddress"]


def probe_passes(started: Container, network: str, container: Spec, probe: Spec) -> bool:
    """One probe attempt, as the kubelet makes it: exec inside the container, or HTTP to the pod's address."""
    if "exec" in probe:
        try:
            return started.exec_run(probe["exec"]["command"]).exit_code == 0
        except docker.errors.APIError:  # the container stopped: the probe fails, as the kubelet's would
            return False
    get = probe["httpGet"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    port = ports.get(get["port"], get["port"])
    url = f"http://{container_ip(started, network)}:{port}{get['path']}"
    try:
        with urllib.request.urlopen(url, timeout=probe.get("timeoutSeconds", 1)) as response:
            return 200 <= response.status < 400
    except (urllib.error.URLError, OSError):
        return False


def wait_for(started: Container, check: Callable[[], bool], probe: Spec) -> bool:
    """Retry a check within the probe's budget (period x failure threshold) while the container runs."""
    for _ in range(probe.get("failureThreshold", 3)):
        if check():
            return True
        started.reload()
        if started.status != "running":
            return False
        time.sleep(probe.get("periodSeconds", 10))
    return False


def start_until_ready(cluster: FakeCluster, pod_spec: Spec, alias: str) -> Container:
    """Run the init containers, start the main container, and wait for its startup then readiness probe."""
    for init in pod_spec.get("initContainers", []):
        code, output = cluster.run_to_completion(init, pod_spec)
        assert code == 0, f"init container {init['name']} failed:\n{output}"
    container = pod_spec["containers"][0]
    started = cluster.start(container, pod_spec, alias)
    for kind in ("startupProbe", "readinessProbe"):
        probe = container[kind]
        ready = wait_for(
            started, lambda probe=probe: probe_passes(started, cluster.network, container, probe), probe
        )
        assert ready, f"{alias}: the {kind} never passed:\n{started.logs().decode(errors='replace')[-2000:]}"
    return started
