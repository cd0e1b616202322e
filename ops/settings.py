"""The runner's settings: the task modules' defaults (ops/tasks/*.py), then invoke.yaml, then INVOKE_*
variables (invoke merges those), then task flags; read once per task into frozen, typed dataclasses."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from invoke import Context

from ops.errors import OpsError

TARGETS = ("minikube", "kind", "context")
RELEASES = ("todo-postgres", "todo-backend", "todo-frontend")
IMAGE_SERVICES = ("backend", "frontend")  # the images the runner builds, each from the directory of its name
ROOT = Path(__file__).resolve().parent.parent
KUBERNETES_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")  # an RFC 1123 label: namespaces, agents
# kubectl-ai's --llm-provider names: gemini, openai, azopenai, ollama...
PROVIDER = re.compile(r"[a-z0-9][a-z0-9_-]*")
BUILD_ARG = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # an ARG name in a Dockerfile
KUBE_VERSION = re.compile(r"\d+\.\d+\.\d+")  # as `helm template --kube-version` takes it


@dataclass(frozen=True)
class AiSettings:
    """The `ai` section: the optional assistants behind `invoke ai.*`."""

    kubectl_ai_provider: str
    kubectl_ai_model: str  # empty: the provider's default model
    kagent_agent: str
    kagent_namespace: str


@dataclass(frozen=True)
class ImageSettings:
    """The `images` section: what `invoke images.build` and `invoke deploy` build the images with."""

    source: str  # the OCI label org.opencontainers.image.source; empty: none
    build_args: Mapping[str, Mapping[str, str]]  # service -> ARG -> value, every service present

    def args_for(self, service: str) -> dict[str, str]:
        return dict(self.build_args[service])


@dataclass(frozen=True)
class DevSettings:
    """The `dev` section: the backend's edit loop, `invoke dev`."""

    reload_timeout: int  # seconds a pod may take to serve again after a sync


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
    kube_versions: tuple[str, ...]  # chart.lint renders for the first and validates against each
    ai: AiSettings
    images: ImageSettings
    dev: DevSettings

    def path(self, relative: str) -> Path:
        """A configured path, relative to the repository root unless absolute."""
        return ROOT / relative

    def chart(self, release: str) -> Path:
        """The chart a release installs: the one of the same name in charts.dir."""
        return self.path(self.charts_dir) / release


def load_settings(c: Context, **flags: Any) -> Settings:
    """Merge the config's `cluster` and `deploy` sections, the charts' location and helm, with a task's flags
    (None means not given); the `ai`, `images` and `dev` sections become typed settings of their own."""
    charts = section(c, "charts")
    merged: dict[str, Any] = {
        **section(c, "cluster"),
        **section(c, "deploy"),
        **{name: charts[key] for name, key in (("charts_dir", "dir"), ("helm", "helm")) if key in charts},
    }
    merged.update({name: value for name, value in flags.items() if value is not None})
    known = {field.name: field.type for field in fields(Settings) if field.type in (int, str)}
    missing = sorted(set(known) - set(merged))
    if missing:
        raise OpsError(f"invoke.yaml lacks the setting(s) {', '.join(missing)}")
    try:
        values = {
            name: int(merged[name]) if kind is int else str(merged[name]) for name, kind in known.items()
        }
    except ValueError as error:
        raise OpsError(f"a numeric setting in invoke.yaml or INVOKE_* is not a number: {error}") from error
    kube_versions = load_kube_versions(charts.get("kube_versions"))
    return validate(
        Settings(**values, kube_versions=kube_versions, ai=load_ai(c), images=load_images(c), dev=load_dev(c))
    )


def load_kube_versions(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise OpsError(f"charts.kube_versions in invoke.yaml must list Kubernetes versions, not {value!r}")
    versions = tuple(text("charts.kube_versions", version).removeprefix("v") for version in value)
    wrong = [version for version in versions if not KUBE_VERSION.fullmatch(version)]
    if wrong:
        raise OpsError(f"charts.kube_versions has {wrong[0]!r}: write each version as 1.30.0")
    return versions


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


def mapping(name: str, value: Any) -> dict[str, Any]:
    """A section of settings as a dict (invoke's config proxies are no Mapping); an empty YAML value is {}."""
    if value is None:
        return {}
    if not hasattr(value, "keys"):
        raise OpsError(f"{name} in invoke.yaml must be a mapping of settings, not {value!r}")
    return {str(key): value[key] for key in value}


def section(c: Context, name: str) -> dict[str, Any]:
    return mapping(name, c.config.get(name))


def text(name: str, value: Any) -> str:
    """A setting that is text; numbers are taken as written, an empty YAML value is ''."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise OpsError(f"{name} in invoke.yaml must be text, not {value!r}")
    return str(value)


def typed_section(c: Context, name: str, kind: type) -> dict[str, Any]:
    """A section whose keys are exactly the fields of `kind`: a misspelt key is an error, not ignored."""
    values = section(c, name)
    known = [field.name for field in fields(kind)]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise OpsError(f"{name}.{unknown[0]} in invoke.yaml is not a setting: {name} has {', '.join(known)}")
    missing = [f"{name}.{key}" for key in known if key not in values]
    if missing:
        raise OpsError(f"invoke.yaml lacks the setting(s) {', '.join(missing)}")
    return values


def load_ai(c: Context) -> AiSettings:
    ai = AiSettings(
        **{key: text(f"ai.{key}", value) for key, value in typed_section(c, "ai", AiSettings).items()}
    )
    if not PROVIDER.fullmatch(ai.kubectl_ai_provider):
        raise OpsError(
            f"ai.kubectl_ai_provider is {ai.kubectl_ai_provider!r}: name a kubectl-ai provider, "
            "e.g. gemini, openai or ollama"
        )
    for key in ("kagent_agent", "kagent_namespace"):
        if not KUBERNETES_NAME.fullmatch(getattr(ai, key)):
            raise OpsError(
                f"ai.{key} is {getattr(ai, key)!r}: a Kubernetes name is 1 to 63 lowercase letters, digits "
                "and '-', starting and ending with a letter or digit"
            )
    return ai


def load_images(c: Context) -> ImageSettings:
    raw = typed_section(c, "images", ImageSettings)
    source = text("images.source", raw["source"])
    if source and not source.startswith(("http://", "https://")):
        raise OpsError(f"images.source must be the repository's http(s) URL, not {source!r}")
    per_service = mapping("images.build_args", raw["build_args"])
    unknown = sorted(set(per_service) - set(IMAGE_SERVICES))
    if unknown:
        raise OpsError(
            f"images.build_args.{unknown[0]} names no image: the services are {', '.join(IMAGE_SERVICES)}"
        )
    build_args = {name: service_build_args(name, per_service.get(name)) for name in IMAGE_SERVICES}
    return ImageSettings(source, build_args)


def service_build_args(service: str, value: Any) -> dict[str, str]:
    """One service's `docker build` args: ARG names with a text value each."""
    args = mapping(f"images.build_args.{service}", value)
    for arg, arg_value in args.items():
        if not BUILD_ARG.fullmatch(arg):
            raise OpsError(f"images.build_args.{service} has {arg!r}, which is no Dockerfile ARG name")
        if arg_value is None:
            raise OpsError(f"images.build_args.{service}.{arg} has no value")
    return {arg: text(f"images.build_args.{service}.{arg}", arg_value) for arg, arg_value in args.items()}


def load_dev(c: Context) -> DevSettings:
    given = text("dev.reload_timeout", typed_section(c, "dev", DevSettings)["reload_timeout"])
    if not given.isdigit() or int(given) < 1:
        raise OpsError(f"dev.reload_timeout is {given!r}: give the seconds as a whole number, at least 1")
    return DevSettings(reload_timeout=int(given))
