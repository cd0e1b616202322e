"""Optional AI helpers (kubectl-ai, kagent); `invoke doctor` needs neither."""

from invoke import Context, task

from ops import ai as assistants
from ops.settings import load_settings
from ops.shell import Shell


@task(positional=["question"], help={"question": 'what to ask, e.g. "why is the backend not ready?"'})
def ask(c: Context, question: str) -> None:
    """Ask kubectl-ai a question about the deployment (read-only unless you confirm its suggestions)."""
    assistants.ask(Shell(c), load_settings(c), question)


@task
def analyze(c: Context) -> None:
    """Have kagent (or kubectl-ai) analyse the namespace's health and suggest fixes."""
    assistants.analyze(Shell(c), load_settings(c))
