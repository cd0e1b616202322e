"""Test tasks: the runner's unit tests, and the end-to-end suites against a deployed release."""

from invoke import Collection, Context, task

from ops.settings import ROOT, load_settings
from ops.shell import Shell
from ops.testing import run_suites, suite_environment


@task(help={"select": "only tests matching this pytest -k expression"})
def unit(c: Context, select: str = "") -> None:
    """Unit tests of the task runner (no cluster, no Docker needed)."""
    run_suites(Shell(c), ["tests/unit"], select=select)


@task(
    help={
        "browser": "also run the browser flow in tests/browser (default: yes)",
        "select": "only tests matching this pytest -k expression",
        "target": "minikube, kind or context (default: cluster.target in invoke.yaml)",
    }
)
def e2e(c: Context, browser: bool = True, select: str = "", target: str | None = None) -> None:
    """Check the deployed release: pods, security, the HTTP user flow, restarts; then the browser flow."""
    settings = load_settings(c, target=target)
    shell = Shell(c)
    env = suite_environment(shell, settings)
    print(f"testing {env['TODO_BASE_URL']} (namespace {settings.namespace})")
    suites = [c.config.test.e2e_paths]
    if browser and (ROOT / c.config.test.browser_paths).is_dir():
        suites.append(c.config.test.browser_paths)
    ignored = [c.config.test.e2e_ignore, c.config.test.chaos_paths]  # the fault suite runs on its own
    run_suites(shell, suites, env, [f"--ignore={path}" for path in ignored if path], select)


@task(
    help={
        "select": "only faults matching this pytest -k expression",
        "target": "minikube, kind or context (default: cluster.target in invoke.yaml)",
    }
)
def chaos(c: Context, select: str = "", target: str | None = None) -> None:
    """Inject faults into the deployed release (PostgreSQL and pod loss, rolling restarts) under 8 writers."""
    settings = load_settings(c, target=target)
    shell = Shell(c)
    env = suite_environment(shell, settings)
    print(f"faults against {env['TODO_BASE_URL']} (namespace {settings.namespace})")
    run_suites(shell, [c.config.test.chaos_paths], env, select=select)


ns = Collection("test", unit, e2e, chaos)
ns.configure(
    {
        "test": {
            "e2e_paths": "tests/infra",  # the end-to-end suite run against the deployed release
            "e2e_ignore": "tests/infra/containers",  # the images' own tests (Docker, no cluster): apart
            "browser_paths": "tests/browser",  # the frontend's browser flow, run with TODO_BASE_URL
            "chaos_paths": "tests/infra/chaos",  # `invoke test.chaos`: faults under writers (not in test.e2e)
        }
    }
)
