"""`invoke test.*`: the suites and the environment that points them at the deployed release."""

import sys

from invoke import Context

from ops.errors import OpsError
from ops.settings import Settings
from ops.shell import Shell, join
from ops.targets import public_url, target_for


def suite_environment(shell: Shell, settings: Settings) -> dict[str, str]:
    """What tests/infra and tests/browser read to find the release (see tests/infra/conftest.py)."""
    return {
        "TODO_BASE_URL": public_url(shell, settings),
        "TODO_NAMESPACE": settings.namespace,
        "TODO_KUBE_CONTEXT": target_for(settings).kube_context(settings),
        "TODO_KUBECONFIG": settings.kubeconfig,
    }


def run_pytest(
    c: Context, paths: list[str], env: dict[str, str] | None = None, extra: list[str] | None = None
) -> None:
    command = join([sys.executable, "-m", "pytest", *paths, *(extra or [])])
    result = c.run(command, env=env or {}, warn=True, in_stream=False)
    if result.failed:
        raise OpsError(f"tests failed: {' '.join(paths)} (exit code {result.exited})")
