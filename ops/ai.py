"""Optional AI assistants: hand a question to kubectl-ai, or an analysis to kagent, when they are set up.

Neither is needed: `invoke doctor` explains failures without AI. When a tool is missing, say how to get it.
"""

import os
import shutil

from ops.errors import OpsError
from ops.settings import Settings
from ops.shell import Shell
from ops.targets import kubectl

# Where each kubectl-ai provider reads its key (`ollama` and `llamacpp` run locally and need none).
PROVIDER_KEYS = {
    "gemini": "GEMINI_API_KEY",
    "openai": "OPENAI_API_KEY",
    "azopenai": "AZURE_OPENAI_API_KEY",
    "grok": "GROK_API_KEY",
}
KUBECTL_AI_INSTALL = (
    "kubectl-ai is not installed. Install it with `kubectl krew install ai` or from "
    "https://github.com/GoogleCloudPlatform/kubectl-ai/releases, then set the key of your LLM provider "
    "(GEMINI_API_KEY by default; ai.kubectl_ai_provider selects another). See docs/operations.md"
)
KAGENT_INSTALL = (
    "kagent is not set up. Install its CLI (https://kagent.dev/docs/kagent/introduction/installation), "
    "export OPENAI_API_KEY and run `kagent install` against this cluster. See docs/operations.md"
)
ANALYSIS_TASK = (
    "Analyse the health of the Todo AI Chatbot in Kubernetes namespace {namespace}: pods, restarts, probes, "
    "events, resource use and Helm releases todo-postgres, todo-backend and todo-frontend. "
    "List problems with their likely cause and a fix. Do not change anything."
)


def kubectl_ai_command(settings: Settings, question: str) -> list[str]:
    provider = settings.ai.kubectl_ai_provider
    key = PROVIDER_KEYS.get(provider)
    if key and not os.environ.get(key):
        raise OpsError(f"kubectl-ai uses provider {provider!r}, which needs {key} in the environment")
    model = ["--model", settings.ai.kubectl_ai_model] if settings.ai.kubectl_ai_model else []
    kubeconfig = ["--kubeconfig", settings.kubeconfig] if settings.kubeconfig else []
    prompt = f"In Kubernetes namespace {settings.namespace}: {question}"
    return ["kubectl-ai", "--quiet", "--llm-provider", provider, *model, *kubeconfig, prompt]


def ask(shell: Shell, settings: Settings, question: str) -> None:
    """Answer a free-form question about the deployment with kubectl-ai."""
    if not question.strip():
        raise OpsError('ask a question, e.g. invoke ai.ask "why is the backend restarting?"')
    if shutil.which("kubectl-ai") is None:
        raise OpsError(KUBECTL_AI_INSTALL)
    shell.stream(kubectl_ai_command(settings, question), "kubectl-ai failed", interactive=True)


def analyze(shell: Shell, settings: Settings) -> None:
    """A health analysis by kagent's Kubernetes agent if kagent runs in the cluster, else by kubectl-ai."""
    task = ANALYSIS_TASK.format(namespace=settings.namespace)
    if kagent_ready(shell, settings):
        agent = settings.ai.kagent_agent
        shell.stream(
            ["kagent", "invoke", "--agent", agent, "--task", task], "kagent failed", interactive=True
        )
    elif shutil.which("kubectl-ai"):
        shell.stream(kubectl_ai_command(settings, task), "kubectl-ai failed", interactive=True)
    else:
        raise OpsError(
            f"{KAGENT_INSTALL}\nOr: {KUBECTL_AI_INSTALL}\nWithout AI, `invoke doctor` explains failures."
        )


def kagent_ready(shell: Shell, settings: Settings) -> bool:
    """The kagent CLI is installed and its controller runs in the cluster."""
    namespace = settings.ai.kagent_namespace
    controller = kubectl(settings, "get", "deployments", "-n", namespace, "-o", "name", namespaced=False)
    return shutil.which("kagent") is not None and bool(shell.attempt(controller).stdout.strip())
