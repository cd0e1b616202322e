"""`invoke test.*`: the suites and the environment that points them at the deployed release."""

import sys

from ops.errors import OpsError
from ops.secrets import read_env
from ops.settings import Settings
from ops.shell import Shell
from ops.targets import public_url, target_for

NOTHING_COLLECTED = 5  # pytest's exit code when no test matched


def suite_environment(shell: Shell, settings: Settings) -> dict[str, str]:
    """What tests/infra and tests/browser read to find the release (see tests/infra/conftest.py)."""
    return {
        "TODO_BASE_URL": public_url(shell, settings),
        "TODO_NAMESPACE": settings.namespace,
        "TODO_KUBE_CONTEXT": target_for(settings).kube_context(settings),
        "TODO_KUBECONFIG": settings.kubeconfig,
        # The suites check the releases the deploy installed: no todo-postgres with an external database.
        "TODO_DATABASE": "external"
        if read_env(settings.path(settings.env_file)).get("DATABASE_URL")
        else "embedded",
    }


def run_suites(
    shell: Shell,
    suites: list[str],
    env: dict[str, str] | None = None,
    extra: list[str] | None = None,
    select: str = "",
) -> None:
    """Run every suite even when an earlier one fails, so one run reports them all; then fail if any did.

    With a `select` expression a suite in which nothing matches is fine (pytest's exit code 5).
    """
    arguments = [*(extra or []), *(["-k", select] if select else [])]
    passing = {0, NOTHING_COLLECTED} if select else {0}
    failed = [
        suite for suite in suites if pytest_exit_code(shell, suite, env or {}, arguments) not in passing
    ]
    if failed:
        raise OpsError(f"tests failed in {', '.join(failed)}")


def pytest_exit_code(shell: Shell, suite: str, env: dict[str, str], arguments: list[str]) -> int:
    return shell.show([sys.executable, "-m", "pytest", suite, *arguments], env=env).exited
