"""The real `invoke` command: every task is listed, and bad input ends in one message, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ops.settings import ROOT

TASKS = (
    "deploy",
    "reset",
    "destroy",
    "status",
    "logs",
    "doctor",
    "bench",
    "ai.ask",
    "ai.analyze",
    "chart.lint",
    "images.build",
    "images.tag",
    "images.load",
    "images.push",
    "test.e2e",
    "test.unit",
    "test.chaos",
)


def invoke(*args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI, with only Python's own directory on PATH: no cluster tool can be reached by accident."""
    only_python = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    command = [sys.executable, "-m", "invoke", *args]
    return subprocess.run(
        command, cwd=ROOT, env=only_python, capture_output=True, text=True, timeout=60, check=False
    )


def test_every_task_is_listed() -> None:
    listed = invoke("--list").stdout
    assert all(f"  {name} " in listed for name in TASKS)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("deploy", "--target", "k3s"), "error: unknown target 'k3s': choose one of minikube, kind, context"),
        (("deploy", "--target", "context"), "error: target 'context' needs a registry"),
        (("logs", "--service", "db"), "error: unknown service 'db'"),
        (("deploy", "--generate-secrets", "maybe"), "error: deploy.generate_secrets is 'maybe'"),
        (("ai.ask", "why is the backend not ready?"), "error: kubectl-ai is not installed"),
    ],
)
def test_bad_input_gets_one_clear_message_and_a_non_zero_exit(args: tuple[str, ...], message: str) -> None:
    result = invoke(*args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
