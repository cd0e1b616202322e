"""Where the releases run: a Minikube profile, a kind cluster, or any kubeconfig context plus a registry.

Each target knows how to make its cluster exist, how images reach it, how to reach the frontend and
how to tear everything down. `deploy` and `reset` only talk to this interface.
"""

import shlex
import socket
from typing import Protocol

import yaml

from ops import images
from ops.errors import OpsError
from ops.settings import RELEASES, Settings
from ops.shell import FILE, Shell

JSONPATH_RUNTIME = "jsonpath={.items[0].status.nodeInfo.containerRuntimeVersion}"  # e.g. containerd://1.7.24


class Target(Protocol):
    name: str
    tools: tuple[str, ...]

    def kube_context(self, settings: Settings) -> str: ...
    def ensure_cluster(self, shell: Shell, settings: Settings) -> None: ...
    def load_image(self, shell: Shell, settings: Settings, reference: str) -> str: ...
    def node_address(self, shell: Shell, settings: Settings) -> str: ...
    def teardown(self, shell: Shell, settings: Settings) -> None: ...


class Minikube:
    name = "minikube"
    tools = ("minikube",)

    def kube_context(self, settings: Settings) -> str:
        return settings.minikube_profile

    def ensure_cluster(self, shell: Shell, settings: Settings) -> None:
        """Start the profile unless it runs; a stopped profile is started again with its own settings."""
        profile = settings.minikube_profile
        if shell.succeeds(["minikube", "status", "-p", profile]):
            return
        command = [
            "minikube",
            "start",
            "-p",
            profile,
            f"--driver={settings.minikube_driver}",
            f"--kubernetes-version={settings.kubernetes_version}",
            f"--cpus={settings.minikube_cpus}",
            f"--memory={settings.minikube_memory}",
        ]
        if publishes_node_port(settings):
            # The node's own address is not reachable from macOS or Windows hosts: publish the frontend's
            # NodePort on the host's loopback, as the kind target does, so one URL works everywhere.
            port = settings.frontend_node_port
            ensure_port_free(port)
            command.append(f"--ports=127.0.0.1:{port}:{port}")
        cpus, memory = settings.minikube_cpus, settings.minikube_memory
        print(f"starting minikube profile {profile}: {cpus} CPUs, {memory} MiB")
        failure = f"minikube could not start profile {profile} (see `minikube logs -p {profile}`)"
        shell.change(command, failure, show=True)

    def load_image(self, shell: Shell, settings: Settings, reference: str) -> str:
        listed = shell.query(
            ["minikube", "-p", settings.minikube_profile, "image", "ls"], "minikube image ls failed"
        )
        if not any(line.strip().endswith(reference) for line in listed.splitlines()):
            failure = f"minikube could not load image {reference}"
            if self.streams_images(shell, settings):
                # `minikube image load` saves the image into minikube's cache, copies it over SSH and imports
                # it (12 s for the frontend image); streamed into the node's containerd it takes 4 s.
                node, image = shlex.quote(settings.minikube_profile), shlex.quote(reference)
                pipeline = f"docker save {image} | docker exec -i {node} ctr -n k8s.io images import -"
                shell.change(["bash", "-o", "pipefail", "-c", pipeline], failure)
            else:
                shell.change(
                    ["minikube", "-p", settings.minikube_profile, "image", "load", reference], failure
                )
        return reference

    @staticmethod
    def streams_images(shell: Shell, settings: Settings) -> bool:
        """The docker driver's node is a container of the host's Docker, named after the profile; when its
        Kubernetes runs on containerd, `docker save` can stream straight into it."""
        if settings.minikube_driver != "docker":
            return False
        runtime = shell.attempt(
            kubectl(settings, "get", "nodes", "-o", JSONPATH_RUNTIME, namespaced=False)
        ).stdout
        return runtime.startswith("containerd://")

    def node_address(self, shell: Shell, settings: Settings) -> str:
        if publishes_node_port(settings):
            return "127.0.0.1"
        if shell.dry and not shell.succeeds(["minikube", "status", "-p", settings.minikube_profile]):
            return "<minikube ip>"
        return shell.query(["minikube", "ip", "-p", settings.minikube_profile], "minikube ip failed").strip()

    def teardown(self, shell: Shell, settings: Settings) -> None:
        shell.change(
            ["minikube", "delete", "-p", settings.minikube_profile], "minikube delete failed", show=True
        )


class Kind:
    name = "kind"
    tools = ("kind",)

    def kube_context(self, settings: Settings) -> str:
        return f"kind-{settings.kind_name}"

    def ensure_cluster(self, shell: Shell, settings: Settings) -> None:
        if settings.kind_name in shell.query(["kind", "get", "clusters"], "kind get clusters failed").split():
            return
        ensure_port_free(settings.frontend_node_port)
        image = ["--image", settings.kind_node_image] if settings.kind_node_image else []
        shell.change_with_file(
            ["kind", "create", "cluster", "--name", settings.kind_name, *image, "--config", FILE],
            kind_config(settings.frontend_node_port),
            f"kind could not create cluster {settings.kind_name}",
            show=True,
        )

    def load_image(self, shell: Shell, settings: Settings, reference: str) -> str:
        # kind compares image IDs and skips nodes that already hold the image.
        shell.change(
            ["kind", "load", "docker-image", reference, "--name", settings.kind_name],
            f"kind could not load image {reference}",
        )
        return reference

    def node_address(self, shell: Shell, settings: Settings) -> str:
        return "127.0.0.1"  # the cluster config maps the NodePort to the host's loopback

    def teardown(self, shell: Shell, settings: Settings) -> None:
        shell.change(
            ["kind", "delete", "cluster", "--name", settings.kind_name], "kind delete cluster failed"
        )


class KubeContext:
    """Any existing cluster: images are pushed to `cluster.registry`; tear-down removes only our namespace."""

    name = "context"
    tools = ()

    def kube_context(self, settings: Settings) -> str:
        return settings.kube_context

    def ensure_cluster(self, shell: Shell, settings: Settings) -> None:
        """Nothing to create: preflight has already checked that the cluster answers."""

    def load_image(self, shell: Shell, settings: Settings, reference: str) -> str:
        """Push to the registry the cluster pulls from (layers it holds already are not sent again)."""
        remote = f"{settings.registry}/{reference}"
        if shell.dry:
            print(f"[dry-run] push {remote}")
            return remote
        return images.push(images.docker_client(), reference, settings.registry)

    def node_address(self, shell: Shell, settings: Settings) -> str:
        nodes = shell.query_json(
            kubectl(settings, "get", "nodes", "-o", "json", namespaced=False), "cannot list the nodes"
        )
        for node in nodes.get("items", []):
            for address in node.get("status", {}).get("addresses", []):
                if address.get("type") == "InternalIP":
                    return address["address"]
        raise OpsError("no node has an InternalIP: set cluster.public_url to the frontend's URL")

    def teardown(self, shell: Shell, settings: Settings) -> None:
        """Uninstall the releases, then delete the namespace (Secrets, volumes); every wait is bounded."""
        wait = ["--wait", "--timeout", settings.helm_timeout]
        for release in reversed(RELEASES):
            shell.change(
                helm(settings, "uninstall", release, "--ignore-not-found", *wait),
                f"helm could not uninstall {release}",
            )
        namespace, limit = settings.namespace, settings.rollout_timeout
        shell.change(
            kubectl(settings, "delete", "namespace", namespace, "--ignore-not-found", f"--timeout={limit}s",
                    namespaced=False),
            f"namespace {namespace} was not gone after {limit}s; `kubectl get pods -n {namespace}` shows why",
        )  # fmt: skip


TARGETS: dict[str, Target] = {target.name: target for target in (Minikube(), Kind(), KubeContext())}


def target_for(settings: Settings) -> Target:
    return TARGETS[settings.target]  # settings are validated, so the name is known


def connection_flags(settings: Settings, context_flag: str) -> list[str]:
    flags = [f"--kubeconfig={settings.kubeconfig}"] if settings.kubeconfig else []
    context = target_for(settings).kube_context(settings)
    return [*flags, f"{context_flag}={context}"] if context else flags


def kubectl(settings: Settings, *args: str, namespaced: bool = True) -> list[str]:
    """A kubectl command line for the configured cluster (and namespace)."""
    namespace = ["-n", settings.namespace] if namespaced else []
    return ["kubectl", *connection_flags(settings, "--context"), *namespace, *args]


def helm(settings: Settings, *args: str) -> list[str]:
    return [settings.helm, *connection_flags(settings, "--kube-context"), "-n", settings.namespace, *args]


def public_url(shell: Shell, settings: Settings) -> str:
    if settings.public_url:
        return settings.public_url
    host = target_for(settings).node_address(shell, settings)
    return f"http://{host}:{settings.frontend_node_port}"


def publishes_node_port(settings: Settings) -> bool:
    """minikube can publish node ports on the host only with its container drivers."""
    return settings.minikube_driver in ("docker", "podman")


def ensure_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As Docker's own listener does: connections of a just-deleted cluster linger in TIME_WAIT on the port
        # and would fail a plain bind, while an active listener still does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise OpsError(
                f"port {port} on 127.0.0.1 is taken ({error.strerror}); the cluster's node publishes the "
                "frontend's NodePort there. Stop what uses it or set deploy.frontend_node_port"
            ) from error


def kind_config(node_port: int) -> str:
    mapping = {"containerPort": node_port, "hostPort": node_port, "listenAddress": "127.0.0.1"}
    config = {
        "kind": "Cluster",
        "apiVersion": "kind.x-k8s.io/v1alpha4",
        "nodes": [{"role": "control-plane", "extraPortMappings": [mapping]}],
    }
    return yaml.safe_dump(config, sort_keys=False)
