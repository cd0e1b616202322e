"""Settings: invoke.yaml defaults, INVOKE_* variables, flags, and clear errors for bad values."""

import pytest
from invoke import Config, MockContext
from runner_fakes import invoke_config

from ops import targets
from ops.errors import OpsError
from ops.settings import ROOT, load_settings


def test_defaults_come_from_invoke_yaml() -> None:
    settings = load_settings(MockContext(config=invoke_config()))
    assert (settings.target, settings.namespace, settings.frontend_node_port) == ("minikube", "todo", 30000)


def test_flags_win_over_the_config_and_none_means_not_given() -> None:
    settings = load_settings(MockContext(config=invoke_config()), target="kind", registry=None)
    assert settings.target == "kind"
    assert settings.registry == ""


def test_invoke_environment_variables_override_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVOKE_CLUSTER_TARGET", "context")
    monkeypatch.setenv("INVOKE_CLUSTER_REGISTRY", "127.0.0.1:5000")
    monkeypatch.setenv("INVOKE_DEPLOY_ROLLOUT_TIMEOUT", "42")
    config = Config(defaults=invoke_config())
    config.load_shell_env()
    settings = load_settings(MockContext(config=config))
    assert (settings.target, settings.registry, settings.rollout_timeout) == ("context", "127.0.0.1:5000", 42)


def test_an_unknown_target_is_named_with_the_choices() -> None:
    with pytest.raises(OpsError, match=r"unknown target 'k3s': choose one of minikube, kind, context"):
        load_settings(MockContext(config=invoke_config()), target="k3s")


def test_target_context_needs_a_registry() -> None:
    with pytest.raises(OpsError, match=r"needs a registry"):
        load_settings(MockContext(config=invoke_config()), target="context")


def test_a_non_numeric_timeout_is_reported() -> None:
    with pytest.raises(OpsError, match=r"not a number"):
        load_settings(MockContext(config=invoke_config(deploy={"smoke_timeout": "soon"})))


def test_a_public_url_needs_a_scheme() -> None:
    with pytest.raises(OpsError, match=r"must start with http"):
        load_settings(MockContext(config=invoke_config(cluster={"public_url": "todo.example.com"})))


def test_deploy_uses_the_charts_section_like_chart_lint() -> None:
    config = invoke_config(charts={"dir": "vendor/charts", "helm": "helm3"})
    settings = load_settings(MockContext(config=config))
    assert settings.chart("todo-backend") == ROOT / "vendor" / "charts" / "todo-backend"
    assert targets.helm(settings, "list")[0] == "helm3"
