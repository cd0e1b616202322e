"""Offline checks of the Helm charts: lint, render, validate against Kubernetes' schemas, refuse bad values.

Everything here runs without a cluster: `helm lint` and `helm template` render the charts, and
kubernetes-validate checks each rendered object against the OpenAPI schemas it bundles. The files made from
the charts' shared sources (schemas, the packaged todo-common library) must match them: ops/chart_sources.py.
"""

import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml
from invoke import Result

from ops import chart_sources
from ops.errors import OpsError
from ops.quantities import parse_quantity
from ops.settings import RELEASES, Settings
from ops.shell import Shell

CHARTS = RELEASES  # each release installs the chart of the same name
DEFAULT_VARIANT = "ci/default-values.yaml"  # the defaults plus the values that have none (the Secret's name)
HELM_INSTALL_HINT = (
    "helm was not found: install it with `go install helm.sh/helm/v3/cmd/helm@v3.22.0` "
    "(it lands in ~/go/bin; docs/charts.md gives the full command with version flags)"
)
SCHEMA_REJECTION = "values don't meet the specifications of the schema"

# Values each chart's schema must refuse, each added to the chart's default ci/ variant.
BAD_VALUES: dict[str, list[str]] = {
    "a misspelt key": ["--set", "imageTag=1.0.0"],
    "a wrong type": ["--set-string", "service.port=eighty"],
    "a value outside its enum": ["--set", "image.pullPolicy=Sometimes"],
    "the tag latest": ["--set", "image.tag=latest"],
}

WORKLOAD_KINDS = ("Deployment", "StatefulSet")


@dataclass
class ChartReport:
    """What the checks of one chart found: counts for the summary, problems for the failure message."""

    chart: str
    variants: int = 0
    objects: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Helm:
    """The helm that renders the charts offline, and the namespace they render in: cluster.namespace, the one
    `invoke deploy` installs into (it only names objects; no check depends on it)."""

    binary: str
    namespace: str

    def run(self, args: Sequence[str]) -> Result:
        """An offline helm command (lint, template), failed or not: the callers read its findings."""
        return Shell().attempt([self.binary, *args])


def find_helm(configured: str = "helm") -> str:
    """The helm binary: the configured name or path, else the one `go install` put in ~/go/bin."""
    for candidate in (configured, str(Path.home() / "go" / "bin" / "helm")):
        found = shutil.which(candidate)
        if found:
            return found
    raise OpsError(HELM_INSTALL_HINT)


def variants(chart_dir: Path) -> list[Path]:
    """The chart's ci/*-values.yaml files: the value sets CI lints, renders and installs."""
    return sorted(chart_dir.glob("ci/*-values.yaml"))


def render(
    helm: Helm,
    chart_dir: Path,
    values: Iterable[Path] = (),
    extra: Sequence[str] = (),
    *,
    kube_version: str,
) -> str:
    """`helm template` as release <chart name> in helm's namespace, the way `invoke deploy` installs it."""
    args = [
        "template",
        chart_dir.name,
        str(chart_dir),
        "--namespace",
        helm.namespace,
        "--kube-version",
        kube_version,
    ]
    args += [arg for path in values for arg in ("--values", str(path))]
    result = helm.run([*args, *extra])
    if result.failed:
        raise OpsError(f"helm template {chart_dir.name} failed: {result.stderr.strip()}")
    return result.stdout


def manifests(rendered: str) -> list[dict[str, Any]]:
    """The objects of a rendered chart (empty documents dropped)."""
    return [document for document in yaml.safe_load_all(rendered) if document]


def schema_problems(manifest: dict[str, Any], kube_version: str) -> list[str]:
    """Where the object breaks the Kubernetes OpenAPI schema of that version (strict: unknown fields too)."""
    name = f"{manifest.get('kind')}/{manifest.get('metadata', {}).get('name')}"
    try:
        kubernetes_validate.validate(manifest, kube_version, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path) or "(top level)"
        return [f"{name} is invalid for Kubernetes {kube_version} at {path}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [f"{name}: {error.message}"]
    return []


def lint_problems(helm: Helm, chart_dir: Path, values: Path | None, kube_version: str) -> list[str]:
    """`helm lint --strict` of the chart with a ci/ variant (or, for the library, its own defaults)."""
    values_args = ["--values", str(values)] if values else []
    result = helm.run(["lint", "--strict", str(chart_dir), *values_args, "--kube-version", kube_version])
    if result.ok:
        return []
    findings = [line for line in result.stdout.splitlines() if line.startswith("[")]
    with_values = f" with {values.name}" if values else ""
    return [f"helm lint {chart_dir.name}{with_values}: {'; '.join(findings) or result.stderr.strip()}"]


def rejection_problems(helm: Helm, chart_dir: Path, defaults: Path, kube_version: str) -> list[str]:
    """Each bad value must make `helm template` fail, and fail in the schema rather than elsewhere."""
    problems = []
    for description, flags in BAD_VALUES.items():
        try:
            render(helm, chart_dir, [defaults], flags, kube_version=kube_version)
        except OpsError as error:
            if SCHEMA_REJECTION not in str(error):
                problems.append(f"{chart_dir.name}: {description} failed, but not in the schema: {error}")
            continue
        problems.append(f"{chart_dir.name}: the schema accepts {description} ({' '.join(flags)})")
    return problems


def check_chart(helm: Helm, chart_dir: Path, kube_versions: Sequence[str]) -> ChartReport:
    """Lint and render every ci/ variant, validate each object per Kubernetes version, try bad values."""
    report = ChartReport(chart_dir.name)
    values_files = variants(chart_dir)
    if not values_files:
        report.problems.append(f"{chart_dir.name} has no ci/*-values.yaml variant")
        return report
    for values in values_files:
        report.variants += 1
        report.problems += lint_problems(helm, chart_dir, values, kube_versions[0])
        try:
            objects = manifests(render(helm, chart_dir, [values], kube_version=kube_versions[0]))
        except OpsError as error:
            report.problems.append(f"{values.name}: {error}")
            continue
        report.objects += len(objects)
        for version in kube_versions:
            for manifest in objects:
                report.problems += [f"{values.name}: {p}" for p in schema_problems(manifest, version)]
    report.problems += rejection_problems(helm, chart_dir, chart_dir / DEFAULT_VARIANT, kube_versions[0])
    return report


def check_charts(helm: Helm, charts_dir: Path, kube_versions: Sequence[str]) -> list[ChartReport]:
    """Check every chart; raise one OpsError listing every problem found, after all charts ran."""
    reports = [check_chart(helm, charts_dir / chart, kube_versions) for chart in CHARTS]
    problems = chart_sources.drift(charts_dir, CHARTS)
    problems += lint_problems(helm, charts_dir / chart_sources.LIBRARY, None, kube_versions[0])
    problems += [problem for report in reports for problem in report.problems]
    if problems:
        raise OpsError("the charts have problems:\n  " + "\n  ".join(problems))
    return reports


def pod_totals(pod_spec: dict[str, Any], kind: str, resource: str) -> Decimal:
    """What the scheduler counts for a pod: the containers' sum, or the largest init container if larger."""

    def amount(container: dict[str, Any]) -> Decimal:
        return parse_quantity(container.get("resources", {}).get(kind, {}).get(resource, 0))

    running = sum((amount(container) for container in pod_spec["containers"]), Decimal(0))
    init = max((amount(container) for container in pod_spec.get("initContainers", [])), default=Decimal(0))
    return max(running, init)


def workload_totals(objects: Iterable[dict[str, Any]]) -> dict[str, Decimal]:
    """Total CPU (cores) and memory (bytes) requests and limits of the workloads at their replica counts."""
    totals = {
        f"{kind}.{resource}": Decimal(0) for kind in ("requests", "limits") for resource in ("cpu", "memory")
    }
    for manifest in objects:
        if manifest["kind"] not in WORKLOAD_KINDS:
            continue
        replicas = manifest["spec"].get("replicas", 1)
        for key in totals:
            kind, resource = key.split(".")
            totals[key] += replicas * pod_totals(manifest["spec"]["template"]["spec"], kind, resource)
    return totals


def default_install_totals(helm: Helm, charts_dir: Path, kube_version: str) -> dict[str, Decimal]:
    """Requests and limits of the three charts installed with their default ci/ variant."""

    def rendered(chart: str) -> list[dict[str, Any]]:
        chart_dir = charts_dir / chart
        return manifests(render(helm, chart_dir, [chart_dir / DEFAULT_VARIANT], kube_version=kube_version))

    objects = [manifest for chart in CHARTS for manifest in rendered(chart)]
    return workload_totals(objects)


def format_totals(totals: dict[str, Decimal]) -> str:
    def cpu(cores: Decimal) -> str:
        return f"{cores * 1000:.0f}m"

    def memory(amount: Decimal) -> str:
        return f"{amount / 2**20:.0f}Mi"

    return (
        f"requests cpu {cpu(totals['requests.cpu'])}, memory {memory(totals['requests.memory'])}; "
        f"limits cpu {cpu(totals['limits.cpu'])}, memory {memory(totals['limits.memory'])}"
    )


def lint_all(settings: Settings) -> str:
    """Run every check and return the summary to print; raise OpsError listing every problem found."""
    kube_versions = settings.kube_versions
    helm = Helm(find_helm(settings.helm), settings.namespace)
    charts_dir = settings.path(settings.charts_dir)
    started = time.monotonic()
    reports = check_charts(helm, charts_dir, kube_versions)
    elapsed = time.monotonic() - started
    lines = [
        f"{report.chart}: {report.variants} variants, {report.objects} objects valid for Kubernetes "
        f"{' and '.join(kube_versions)}; {len(BAD_VALUES)} kinds of bad values rejected"
        for report in reports
    ]
    lines.append(
        f"default install: {format_totals(default_install_totals(helm, charts_dir, kube_versions[0]))}"
    )
    lines.append(f"all charts checked in {elapsed:.1f}s")
    return "\n".join(lines)
