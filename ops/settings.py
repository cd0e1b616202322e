"""The runner's settings: invoke.yaml, then INVOKE_* variables (invoke merges those), then task flags."""

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from invoke import Context

from ops.errors import OpsError

TARGETS = ("minikube", "kind", "context")
RELEASES = ("todo-postgres", "todo-backend", "todo-frontend")
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    target: str
    namespace: str
    kubeconfig: str
    kube_context: str
    registry: str
    public_url: str
    kubernetes_version: str
    minikube_profile: str
    minikube_driver: str
    minikube_cpus: int
    minikube_memory: int
    kind_name: str
    kind_node_image: str
    env_file: str
    generate_secrets: str
    values_dir: str
    frontend_node_port: int
    helm_timeout: str
    rollout_timeout: int
    smoke_timeout: int
    ready_limit: int
    charts_dir: str
    helm: str

    def path(self, relative: str) -> Path:
        """A configured path, relative to the repository root unless absolute."""
        return ROOT / relative

    def chart(self, release: str) -> Path:
        """The chart a release installs: the one of the same name in charts.dir."""
        return self.path(self.charts_dir) / release


def load_settings(c: Context, **flags: Any) -> Settings:
    """Merge the config's `cluster` and `deploy` sections, the charts' location and helm, with a task's flags
    (None means not given)."""
    charts = c.config.get("charts", {})
    merged: dict[str, Any] = {
        **dict(c.config.get("cluster", {})),
        **dict(c.config.get("deploy", {})),
        **{name: charts[key] for name, key in (("charts_dir", "dir"), ("helm", "helm")) if key in charts},
    }
    merged.update({name: value for name, value in flags.items() if value is not None})
    known = {field.name: field.type for field in fields(Settings)}
    missing = sorted(set(known) - set(merged))
    if missing:
        raise OpsError(f"invoke.yaml lacks the setting(s) {', '.join(missing)}")
    try:
        values = {
            name: int(merged[name]) if kind is int else str(merged[name]) for name, kind in known.items()
        }
    except ValueError as error:
        raise OpsError(f"a numeric setting in invoke.yaml or INVOKE_* is not a number: {error}") from error
    return validate(Settings(**values))


def validate(settings: Settings) -> Settings:
    if settings.target not in TARGETS:
        raise OpsError(f"unknown target {settings.target!r}: choose one of {', '.join(TARGETS)}")
    if settings.generate_secrets not in ("auto", "yes", "no"):
        raise OpsError(f"deploy.generate_secrets is {settings.generate_secrets!r}: use auto, yes or no")
    if settings.target == "context" and not settings.registry:
        raise OpsError(
            "target 'context' needs a registry the cluster pulls from: "
            "set cluster.registry (INVOKE_CLUSTER_REGISTRY or --registry), e.g. 127.0.0.1:5000"
        )
    if settings.public_url and not settings.public_url.startswith(("http://", "https://")):
        raise OpsError(f"cluster.public_url must start with http:// or https://, not {settings.public_url!r}")
    return replace(settings, public_url=settings.public_url.rstrip("/"))
