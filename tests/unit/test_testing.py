"""`invoke test.e2e`: the suites learn where the release is, and every suite runs even after a failure."""

import pytest
from invoke import Result
from runner_fakes import cluster_context, commands, invoke_config, settings_for

from ops.errors import OpsError
from ops.shell import Shell
from ops.testing import run_suites, suite_environment


def test_the_suites_are_pointed_at_the_release(tmp_path) -> None:
    settings = settings_for("context", tmp_path / "e", kube_context="ci", kubeconfig="/etc/kubeconfig")
    env = suite_environment(Shell(cluster_context(invoke_config())), settings)
    assert env == {
        "TODO_BASE_URL": "http://10.0.0.7:30000",
        "TODO_NAMESPACE": "todo",
        "TODO_KUBE_CONTEXT": "ci",
        "TODO_KUBECONFIG": "/etc/kubeconfig",
        "TODO_DATABASE": "embedded",
    }


def test_the_suites_learn_that_the_database_is_external(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example.com:5432/todo?sslmode=require")
    settings = settings_for("context", tmp_path / "e", kube_context="ci")
    env = suite_environment(Shell(cluster_context(invoke_config())), settings)
    assert env["TODO_DATABASE"] == "external"


def test_every_suite_runs_and_the_failed_ones_are_named() -> None:
    c = cluster_context(invoke_config(), {r".* -m pytest tests/infra": Result(exited=1)})
    with pytest.raises(OpsError, match=r"tests failed in tests/infra$"):
        run_suites(Shell(c), ["tests/infra", "tests/browser"], {"TODO_BASE_URL": "http://127.0.0.1:30000"})
    assert [command.split(" -m ")[1] for command in commands(c)] == [
        "pytest tests/infra",
        "pytest tests/browser",
    ]
    assert c.run.call_args_list[1].kwargs["env"] == {"TODO_BASE_URL": "http://127.0.0.1:30000"}


def test_a_selection_may_match_nothing_in_one_suite_but_not_fail_there() -> None:
    c = cluster_context(invoke_config(), {r".* -m pytest tests/browser": Result(exited=5)})
    run_suites(Shell(c), ["tests/infra", "tests/browser"], select="smoke")
    assert commands(c)[0].endswith("pytest tests/infra -k smoke")


def test_without_a_selection_an_empty_suite_fails() -> None:
    c = cluster_context(invoke_config(), {r".* -m pytest tests/browser": Result(exited=5)})
    with pytest.raises(OpsError, match=r"tests failed in tests/browser"):
        run_suites(Shell(c), ["tests/infra", "tests/browser"])
