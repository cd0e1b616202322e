"""Optional AI helpers (kubectl-ai, kagent); `invoke doctor` needs neither."""

from invoke import Collection, Context, task

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


ns = Collection("ai", ask, analyze)
ns.configure(
    {
        # Optional; see docs/operations.md. Typed and checked by ops/settings.py (AiSettings).
        "ai": {
            "kubectl_ai_provider": "gemini",  # gemini (GEMINI_API_KEY) | openai (OPENAI_API_KEY) | ollama...
            "kubectl_ai_model": "",  # empty: the provider's default model
            "kagent_agent": "k8s-agent",  # the kagent agent that analyses the cluster
            "kagent_namespace": "kagent",  # where kagent is installed
        }
    }
)
