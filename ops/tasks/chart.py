"""Chart tasks: offline checks of the Helm charts in charts/ (no cluster needed)."""

from invoke import Context, task

from ops import charts
from ops.settings import ROOT


@task
def lint(c: Context) -> None:
    """Lint, render and schema-validate every chart and ci/ variant offline; check that bad values fail."""
    config = c.config.charts
    print(charts.lint_all(config.helm, ROOT / config.dir, list(config.kube_versions)))
