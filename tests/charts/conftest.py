"""Fixtures for the chart render tests: `helm template` output parsed into Kubernetes objects."""

import functools
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from chart_objects import KUBE_VERSION, NAMESPACE, Objects

from ops import charts
from ops.errors import OpsError
from ops.settings import ROOT

CHARTS_DIR = ROOT / "charts"
Renderer = Callable[..., Objects]


@pytest.fixture(scope="session")
def helm() -> charts.Helm:
    """helm, rendering in the runner's namespace; without it every render test fails with the install hint
    rather than skipping."""
    try:
        return charts.Helm(charts.find_helm(), NAMESPACE)
    except OpsError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def render_text(helm: charts.Helm, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., str]:
    """Render a chart's ci/ variant (default: defaults) plus the given values; the raw YAML stream.

    Each distinct (chart, values, variant) renders once per session: most tests start from the same values.
    """
    directory = tmp_path_factory.mktemp("values")

    @functools.cache
    def render_yaml(chart: str, values_yaml: str, variant: str) -> str:
        chart_dir = CHARTS_DIR / chart
        files = [chart_dir / "ci" / f"{variant}-values.yaml"]
        if values_yaml:
            path = directory / f"{hashlib.sha256(values_yaml.encode()).hexdigest()[:16]}.yaml"
            path.write_text(values_yaml)
            files.append(path)
        return charts.render(helm, chart_dir, files, kube_version=KUBE_VERSION)

    def render(chart: str, values: dict[str, Any] | None = None, variant: str = "default") -> str:
        return render_yaml(chart, yaml.safe_dump(values) if values else "", variant)

    return render


@pytest.fixture
def render(render_text: Callable[..., str]) -> Renderer:
    """Like render_text, parsed into objects."""

    def render_objects(chart: str, values: dict[str, Any] | None = None, variant: str = "default") -> Objects:
        return charts.manifests(render_text(chart, values, variant))

    return render_objects


@pytest.fixture
def render_error(render_text: Callable[..., str]) -> Callable[..., str]:
    """Render values that must be refused; the error message."""

    def rejected(chart: str, values: dict[str, Any], variant: str = "default") -> str:
        with pytest.raises(OpsError) as error:
            render_text(chart, values, variant)
        return str(error.value)

    return rejected


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--chart-containers",
        action="store_true",
        help="also run the charts' pods in Docker against the real images (after `invoke images.build`)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "containers: runs the charts' pods in Docker (needs --chart-containers)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--chart-containers"):
        return
    skip = pytest.mark.skip(reason="runs the charts' pods in Docker: pass --chart-containers")
    for item in items:
        if "containers" in item.keywords:
            item.add_marker(skip)
