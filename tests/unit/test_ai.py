"""`invoke ai.ask` / `ai.analyze`: hand over when the tool is there, say how to install it when not."""

import shutil

import pytest
from runner_fakes import cluster_context, commands, invoke_config, settings_for

from ops.ai import analyze, ask
from ops.errors import OpsError
from ops.settings import AiSettings
from ops.shell import Shell

AI = AiSettings(
    kubectl_ai_provider="openai",
    kubectl_ai_model="gpt-4.1",
    kagent_agent="k8s-agent",
    kagent_namespace="kagent",
)


def installed(*tools: str):
    return lambda tool: f"/usr/local/bin/{tool}" if tool in tools else None


def test_ask_without_kubectl_ai_says_how_to_install_it(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", installed())
    with pytest.raises(
        OpsError, match=r"kubectl-ai is not installed. Install it with `kubectl krew install ai`"
    ):
        ask(Shell(cluster_context(invoke_config())), settings_for("minikube", tmp_path / "e", ai=AI), "why?")


def test_ask_without_the_provider_key_names_the_variable(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", installed("kubectl-ai"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(OpsError, match=r"provider 'openai', which needs OPENAI_API_KEY"):
        ask(Shell(cluster_context(invoke_config())), settings_for("minikube", tmp_path / "e", ai=AI), "why?")


def test_ask_hands_the_question_to_kubectl_ai(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", installed("kubectl-ai"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    c = cluster_context(invoke_config())
    ask(Shell(c), settings_for("minikube", tmp_path / "e", ai=AI), "why is the backend restarting?")
    assert commands(c) == [
        "kubectl-ai --quiet --llm-provider openai --model gpt-4.1 "
        "'In Kubernetes namespace todo: why is the backend restarting?'"
    ]


def test_analyze_prefers_kagent_when_it_runs_in_the_cluster(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", installed("kagent", "kubectl-ai"))
    c = cluster_context(invoke_config(), {r"kubectl .*get deployments -n kagent": "deployment.apps/kagent"})
    analyze(Shell(c), settings_for("minikube", tmp_path / "e", ai=AI))
    assert commands(c)[-1].startswith("kagent invoke --agent k8s-agent --task 'Analyse the health")


def test_analyze_without_either_tool_points_to_doctor(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", installed())
    with pytest.raises(
        OpsError, match=r"(?s)kagent is not set up.*kubectl-ai is not installed.*invoke doctor"
    ):
        analyze(Shell(cluster_context(invoke_config())), settings_for("minikube", tmp_path / "e", ai=AI))
