"""Settings: the task modules' defaults, invoke.yaml, INVOKE_* variables, flags; errors for bad values."""

from pathlib import Path

import pytest
from invoke import Config, MockContext
from runner_fakes import invoke_config

from ops import targets
from ops.errors import OpsError
from ops.settings import ROOT, AiSettings, load_settings
from tasks import ns


def test_defaults_come_from_the_task_modules() -> None:
    settings = load_settings(MockContext(config=invoke_config()))
    assert (settings.target, settings.namespace, settings.frontend_node_port) == ("minikube", "todo", 30000)


def test_a_project_invoke_yaml_overrides_the_defaults_key_by_key(tmp_path: Path) -> None:
    (tmp_path / "invoke.yaml").write_text(
        "cluster:\n  namespace: staging\nai:\n  kubectl_ai_model: gpt-4.1\n"
    )
    config = Config(project_location=str(tmp_path), lazy=True)
    config.load_collection(
        ns.configuration()
    )  # what `invoke` does: the tasks' defaults, then the project file
    config.load_project()
    settings = load_settings(MockContext(config=config))
    assert (settings.namespace, settings.target) == ("staging", "minikube")
    assert (settings.ai.kubectl_ai_model, settings.ai.kubectl_ai_provider) == ("gpt-4.1", "gemini")


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


def test_the_ai_and_images_sections_are_typed_settings() -> None:
    settings = load_settings(MockContext(config=invoke_config()))
    assert settings.ai == AiSettings(
        kubectl_ai_provider="gemini", kubectl_ai_model="", kagent_agent="k8s-agent", kagent_namespace="kagent"
    )
    assert settings.images.source == ""
    assert settings.images.args_for("backend") == {} == settings.images.args_for("frontend")


def test_build_args_are_text_per_service_and_an_empty_yaml_value_is_none() -> None:
    images = {
        "build_args": {"backend": {"PYTHON_IMAGE": "mirror/python:3.11-slim", "UID": 10001}, "frontend": None}
    }
    settings = load_settings(MockContext(config=invoke_config(images=images)))
    assert settings.images.args_for("backend") == {"PYTHON_IMAGE": "mirror/python:3.11-slim", "UID": "10001"}
    assert settings.images.args_for("frontend") == {}


def test_kube_versions_are_read_once_with_the_rest() -> None:
    charts = {"kube_versions": ["v1.30.0", "1.37.0"]}
    settings = load_settings(MockContext(config=invoke_config(charts=charts)))
    assert settings.kube_versions == ("1.30.0", "1.37.0")


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        (
            {"ai": {"kubectl_ai_modle": "x"}},
            r"^error: ai\.kubectl_ai_modle in invoke.yaml is not a setting: ai has ",
        ),
        (
            {"ai": {"kubectl_ai_provider": "Open AI"}},
            r"^error: ai\.kubectl_ai_provider is 'Open AI': name a kubectl-ai",
        ),
        (
            {"ai": {"kubectl_ai_model": ["a", "b"]}},
            r"^error: ai\.kubectl_ai_model in invoke.yaml must be text, not \[",
        ),
        (
            {"ai": {"kagent_namespace": "Kagent"}},
            r"^error: ai\.kagent_namespace is 'Kagent': a Kubernetes name is",
        ),
        ({"ai": {"kagent_agent": ""}}, r"^error: ai\.kagent_agent is '': a Kubernetes name is"),
        (
            {"images": {"source": "github.com/x/y"}},
            r"^error: images\.source must be the repository's http\(s\) URL",
        ),
        (
            {"images": {"build_args": ["PYTHON_IMAGE"]}},
            r"^error: images\.build_args in invoke.yaml must be a mapping",
        ),
        (
            {"images": {"build_args": {"db": {}}}},
            r"^error: images\.build_args\.db names no image: the services are ",
        ),
        ({"images": {"build_args": {"backend": {"PYTHON-IMAGE": "x"}}}}, r"has 'PYTHON-IMAGE', which is no"),
        (
            {"images": {"build_args": {"backend": {"PYTHON_IMAGE": None}}}},
            r"\.backend\.PYTHON_IMAGE has no value$",
        ),
        ({"charts": {"kube_versions": "1.30.0"}}, r"^error: charts\.kube_versions in invoke.yaml must list"),
        ({"charts": {"kube_versions": ["1.30"]}}, r"^error: charts\.kube_versions has '1\.30': write each"),
    ],
)
def test_a_bad_ai_images_or_charts_value_gets_one_clear_message(sections: dict, message: str) -> None:
    with pytest.raises(OpsError, match=message):
        load_settings(MockContext(config=invoke_config(**sections)))


def test_a_missing_ai_setting_is_named() -> None:
    config = invoke_config()
    del config["ai"]["kagent_agent"]
    with pytest.raises(OpsError, match=r"invoke.yaml lacks the setting\(s\) ai\.kagent_agent$"):
        load_settings(MockContext(config=config))


@pytest.mark.parametrize("given", ["soon", "0", -5])
def test_the_dev_reload_timeout_is_whole_seconds(given: object) -> None:
    with pytest.raises(
        OpsError, match=r"dev.reload_timeout is .*: give the seconds as a whole number, at least 1"
    ):
        load_settings(MockContext(config=invoke_config(dev={"reload_timeout": given})))


def test_the_dev_reload_timeout_may_come_from_an_environment_variable_as_text() -> None:
    assert (
        load_settings(MockContext(config=invoke_config(dev={"reload_timeout": "90"}))).dev.reload_timeout
        == 90
    )
