"""Helpers to pick objects and fields out of rendered charts (shared by the render tests)."""

from typing import Any

from ops import charts
from tests.helpers import runner_config

Objects = list[dict[str, Any]]
RUNNER_CONFIG = runner_config()
# The oldest Kubernetes the charts support: what `invoke chart.lint` renders for (charts.kube_versions).
KUBE_VERSION = str(RUNNER_CONFIG["charts"]["kube_versions"][0])
NAMESPACE = RUNNER_CONFIG["cluster"]["namespace"]  # the one `invoke deploy` installs into


def only(objects: Objects, kind: str) -> dict[str, Any]:
    """The single object of a kind (outside helm test hooks)."""
    matches = of_kind(objects, kind)
    assert len(matches) == 1, f"expected one {kind}, found {len(matches)}"
    return matches[0]


def of_kind(objects: Objects, kind: str) -> Objects:
    return [item for item in objects if item["kind"] == kind and not is_test_hook(item)]


def is_test_hook(item: dict[str, Any]) -> bool:
    return item["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"


def hook_pods(objects: Objects) -> Objects:
    return [item for item in objects if is_test_hook(item)]


def workload(objects: Objects) -> dict[str, Any]:
    """The chart's Deployment or StatefulSet."""
    return next(item for item in objects if item["kind"] in charts.WORKLOAD_KINDS)


def pod_spec(objects: Objects) -> dict[str, Any]:
    return workload(objects)["spec"]["template"]["spec"]


def main_container(objects: Objects) -> dict[str, Any]:
    return pod_spec(objects)["containers"][0]


def env_map(container: dict[str, Any]) -> dict[str, Any]:
    """A container's env as name -> value, or name -> valueFrom for references."""
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in container.get("env", [])}
