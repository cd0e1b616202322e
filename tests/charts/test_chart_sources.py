"""The charts' generated files (schemas, the packaged todo-common library, READMEs) match their sources."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from chart_objects import KUBE_VERSION

from ops import chart_sources, charts
from ops.chart_sources import LIBRARY, SOURCES_COMMAND
from ops.settings import RELEASES, ROOT

CHARTS_DIR = ROOT / "charts"


@pytest.fixture
def charts_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "charts"
    shutil.copytree(CHARTS_DIR, copy)
    return copy


def test_the_committed_files_match_their_sources() -> None:
    assert chart_sources.drift() == []


def test_a_schema_takes_the_shared_defs_it_reaches_and_keeps_its_own() -> None:
    shared = {"a": {"$ref": "#/$defs/b"}, "b": {"type": "string"}, "unused": {"type": "null"}}
    schema = {
        "$defs": {"mine": {"type": "integer"}, "a": {"an": "old copy"}},
        "properties": {"x": {"$ref": "#/$defs/a"}, "y": {"$ref": "#/$defs/mine"}},
    }
    merged = chart_sources.merged_schema(schema, shared)
    assert merged["$defs"] == {"a": shared["a"], "b": shared["b"], "mine": {"type": "integer"}}
    assert list(merged) == ["properties", "$defs"]


def test_a_changed_shared_definition_is_drift_until_regenerated(charts_copy: Path) -> None:
    defs_file = charts_copy / LIBRARY / chart_sources.DEFS_FILE
    defs = json.loads(defs_file.read_text())
    defs["$defs"]["port"]["maximum"] = 1024
    defs_file.write_text(json.dumps(defs))
    problems = chart_sources.drift(charts_copy)
    assert len(problems) == len(RELEASES)
    assert all("values.schema.json differs" in p and SOURCES_COMMAND in p for p in problems)
    chart_sources.write(charts_copy)
    assert chart_sources.drift(charts_copy) == []
    for chart in RELEASES:
        schema = json.loads((charts_copy / chart / "values.schema.json").read_text())
        assert schema["$defs"]["port"]["maximum"] == 1024


def test_a_changed_library_template_is_drift_until_repackaged(charts_copy: Path) -> None:
    template = charts_copy / LIBRARY / "templates" / "_names.tpl"
    template.write_text(template.read_text() + "\n{{/* changed */}}\n")
    problems = chart_sources.drift(charts_copy)
    assert len(problems) == len(RELEASES)
    assert all(f"{LIBRARY}-" in p and "differs" in p for p in problems)
    assert len(chart_sources.write(charts_copy)) == len(RELEASES)
    assert chart_sources.drift(charts_copy) == []
    assert chart_sources.write(charts_copy) == [], "packaging the same files again must change nothing"


def test_a_dependency_on_another_library_version_is_reported(charts_copy: Path) -> None:
    chart_yaml = charts_copy / "todo-backend" / "Chart.yaml"
    chart_yaml.write_text(
        chart_yaml.read_text().replace("version: 0.1.0\n    repository", "version: 0.0.9\n    repository")
    )
    (problem,) = chart_sources.drift(charts_copy)
    assert problem.startswith("todo-backend/Chart.yaml must list the dependency")


def test_the_package_leaves_out_what_helmignore_lists() -> None:
    files = chart_sources.library_files()
    assert f"{LIBRARY}/Chart.yaml" in files
    assert f"{LIBRARY}/templates/_names.tpl" in files
    assert f"{LIBRARY}/{chart_sources.DEFS_FILE}" not in files
    assert chart_sources.packaged_files(chart_sources.package(files)) == files


def test_a_chart_renders_without_the_library_source_or_a_dependency_build(
    helm: charts.Helm, tmp_path: Path
) -> None:
    """What a clean clone (or a copied chart) has: the chart and its committed charts/todo-common-*.tgz."""
    chart_dir = tmp_path / "todo-frontend"
    shutil.copytree(CHARTS_DIR / "todo-frontend", chart_dir)
    rendered = charts.manifests(
        charts.render(helm, chart_dir, [chart_dir / "ci" / "default-values.yaml"], kube_version=KUBE_VERSION)
    )
    assert {item["kind"] for item in rendered} >= {"Deployment", "Service", "PodDisruptionBudget"}


def test_the_readmes_are_what_helm_docs_generates(tmp_path: Path) -> None:
    helm_docs = chart_sources.find_helm_docs()
    if helm_docs is None:
        pytest.skip(
            f"helm-docs is not installed, so the READMEs are not checked: {chart_sources.HELM_DOCS_INSTALL}"
        )
    copy = tmp_path / "charts"
    shutil.copytree(CHARTS_DIR, copy)
    for readme in copy.glob("*/README.md"):
        readme.unlink()  # a stale README must not pass for a generated one
    chart_sources.run_helm_docs(helm_docs, copy)
    for chart in [*RELEASES, LIBRARY]:
        generated = (copy / chart / "README.md").read_text()
        assert (CHARTS_DIR / chart / "README.md").read_text() == generated, (
            f"charts/{chart}/README.md is not what helm-docs {chart_sources.HELM_DOCS_VERSION} makes of its "
            f"Chart.yaml and values.yaml: run `{SOURCES_COMMAND}`"
        )


def test_an_archive_from_helm_dependency_build_passes_the_check(helm: charts.Helm, charts_copy: Path) -> None:
    """Someone may run `helm dependency build` by habit: offline, from file://, and still no drift."""
    chart_dir = charts_copy / "todo-postgres"
    homes = {f"HELM_{kind}_HOME": str(charts_copy.parent / kind) for kind in ("CACHE", "CONFIG", "DATA")}
    result = subprocess.run(
        [helm.binary, "dependency", "build", str(chart_dir)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **homes},
    )
    assert result.returncode == 0, result.stderr
    assert chart_sources.drift(charts_copy, ["todo-postgres"]) == []


def test_schemas_keep_a_member_a_line_only_where_one_line_is_too_long() -> None:
    assert chart_sources.compact_json({"a": {"b": [1, 2]}, "c": {}}) == '{ "a": { "b": [1, 2] }, "c": {} }'
    long = {"description": "x" * 120, "type": "string"}
    assert chart_sources.compact_json({"long": long}).splitlines() == [
        "{",
        '  "long": {',
        f'    "description": "{"x" * 120}",',
        '    "type": "string"',
        "  }",
        "}",
    ]


def test_a_failing_helm_docs_is_one_message_and_exit_code_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(chart_sources, "find_helm_docs", lambda: "false")  # a helm-docs that always fails
    assert chart_sources.main([]) == 1
    assert capsys.readouterr().err == "error: helm-docs failed (exit code 1)\n"
