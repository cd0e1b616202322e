"""Chart tasks: offline checks of the Helm charts in charts/ (no cluster needed)."""

from invoke import Collection, Context, task

from ops import charts
from ops.settings import load_settings


@task
def lint(c: Context) -> None:
    """Lint, render and schema-validate every chart and ci/ variant offline; check that bad values fail."""
    print(charts.lint_all(load_settings(c)))


ns = Collection("chart", lint)
ns.configure(
    {
        # The Helm charts: where they are and the helm that installs them (`invoke deploy`) and checks them
        # offline (`invoke chart.lint`).
        "charts": {
            "dir": "charts",  # the todo-postgres, todo-backend and todo-frontend charts
            "helm": "helm",  # helm binary (name on PATH or a path); chart.lint also tries ~/go/bin/helm
            # Render for the first; validate objects against each version's OpenAPI schemas.
            "kube_versions": [
                "1.30.0",  # the oldest the charts support (Chart.yaml kubeVersion)
                "1.37.0",  # the newest schemas kubernetes-validate bundles
            ],
        }
    }
)
