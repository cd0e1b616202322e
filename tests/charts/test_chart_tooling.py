"""ops/charts.py and `invoke chart.lint`: the checks themselves must catch what they claim to catch."""

import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from invoke import Config, Context, MockContext

from ops import charts
from ops.errors import OpsError
from ops.settings import ROOT
from ops.tasks import chart as chart_tasks
from tests.helpers import runner_config

BROKEN_DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "broken"},
    "spec": {
        "selector": {"matchLabels": {"app": "x"}},
        "template": {
            "metadata": {"labels": {"app": "x"}},
            "spec": {"containers": [{"name": "x", "image": "x:1", "readinessProbes": {}}]},
        },
    },
}


def test_missing_helm_is_one_line_saying_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(OpsError) as error:
        charts.find_helm("helm")
    assert "go install helm.sh/helm/v3/cmd/helm@v3.22.0" in str(error.value)
    assert "\n" not in str(error.value)
    assert error.value.code == 1


def test_schema_validation_reports_an_unknown_field() -> None:
    (problem,) = charts.schema_problems(BROKEN_DEPLOYMENT, "1.30.0")
    assert "Deployment/broken" in problem
    assert "readinessProbes" in problem


def test_schema_validation_reports_an_unknown_kind() -> None:
    (problem,) = charts.schema_problems(
        {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {}}, "1.30.0"
    )
    assert "Gadget" in problem


def test_a_chart_without_a_schema_fails_the_rejection_check(helm: charts.Helm, tmp_path: Path) -> None:
    chart_dir = tmp_path / "todo-backend"
    shutil.copytree(ROOT / "charts" / "todo-backend", chart_dir)
    (chart_dir / "values.schema.json").unlink()
    problems = charts.rejection_problems(helm, chart_dir, chart_dir / "ci" / "default-values.yaml", "1.30.0")
    assert len(problems) == len(charts.BAD_VALUES)
    assert all("the schema accepts" in problem for problem in problems)


def test_an_invalid_object_fails_the_chart_check(helm: charts.Helm, tmp_path: Path) -> None:
    chart_dir = tmp_path / "todo-frontend"
    shutil.copytree(ROOT / "charts" / "todo-frontend", chart_dir)
    deployment = chart_dir / "templates" / "deployment.yaml"
    text = deployment.read_text()
    assert "              protocol: TCP\n" in text, "the test no longer breaks anything"
    deployment.write_text(text.replace("protocol: TCP", "protocol: TCP\n              appProtocl: http"))
    report = charts.check_chart(helm, chart_dir, ["1.30.0"])
    assert report.problems
    assert all("appProtocl" in problem for problem in report.problems)


def test_the_real_charts_pass_every_check(helm: charts.Helm) -> None:
    """The same checks as `invoke chart.lint`, kept in the test suite so a chart change cannot skip them."""
    reports = charts.check_charts(helm, ROOT / "charts", ["1.30.0"])
    assert [report.chart for report in reports] == list(charts.CHARTS)
    assert all(report.variants >= 4 and report.objects > 0 for report in reports)


@pytest.mark.parametrize(
    ("quantity", "amount"),
    [
        ("250m", Decimal("0.25")),
        ("2", Decimal(2)),
        (1, Decimal(1)),
        ("512Mi", Decimal(512 * 2**20)),
        ("1G", Decimal(10**9)),
    ],
)
def test_quantities_are_parsed(quantity: str | int, amount: Decimal) -> None:
    assert charts.parse_quantity(quantity) == amount


def test_pod_totals_count_the_largest_init_container_only_when_larger() -> None:
    spec = {
        "initContainers": [{"resources": {"requests": {"cpu": "2"}}}],
        "containers": [
            {"resources": {"requests": {"cpu": "500m"}}},
            {"resources": {"requests": {"cpu": "1"}}},
        ],
    }
    assert charts.pod_totals(spec, "requests", "cpu") == Decimal(2)
    assert charts.pod_totals(spec, "requests", "memory") == Decimal(0)


def test_workload_totals_multiply_by_replicas() -> None:
    pod = {
        "containers": [{"resources": {"requests": {"cpu": "100m", "memory": "1Gi"}, "limits": {"cpu": "1"}}}]
    }
    objects = [
        {"kind": "Deployment", "spec": {"replicas": 3, "template": {"spec": pod}}},
        {"kind": "Service", "spec": {}},
    ]
    totals = charts.workload_totals(objects)
    assert totals["requests.cpu"] == Decimal("0.3")
    assert totals["requests.memory"] == 3 * 2**30
    assert totals["limits.cpu"] == 3


def task_context(kube_versions: list[str]) -> Context:
    config = runner_config()
    config["charts"].update(helm="helm", kube_versions=kube_versions)
    return MockContext(config=Config(overrides=config))


def test_the_lint_task_prints_the_summary(helm: charts.Helm, capsys: pytest.CaptureFixture[str]) -> None:
    chart_tasks.lint(task_context(["1.30.0"]))
    output = capsys.readouterr().out
    # each chart's ci/*-values.yaml
    for chart, variants in {"todo-postgres": 4, "todo-backend": 5, "todo-frontend": 4}.items():
        assert f"{chart}: {variants} variants" in output
    assert "default install: requests cpu" in output


def test_the_lint_task_refuses_an_empty_version_list() -> None:
    with pytest.raises(OpsError) as error:
        chart_tasks.lint(task_context([]))
    assert "kube_versions" in str(error.value)


def test_charts_render_in_the_helm_namespace(helm: charts.Helm, tmp_path: Path) -> None:
    chart_dir = tmp_path / "probe"
    (chart_dir / "templates").mkdir(parents=True)
    (chart_dir / "Chart.yaml").write_text("apiVersion: v2\nname: probe\nversion: 0.1.0\n")
    (chart_dir / "templates" / "configmap.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n"
        "data:\n  namespace: {{ .Release.Namespace }}\n"
    )
    rendered = charts.render(replace(helm, namespace="staging"), chart_dir, kube_version="1.30.0")
    (config_map,) = charts.manifests(rendered)
    assert config_map["data"]["namespace"] == "staging"
