"""`invoke status` and `invoke logs`."""

import pytest
from runner_fakes import cluster_context, commands, invoke_config, settings_for

from ops.errors import OpsError
from ops.observe import logs, logs_command, status
from ops.shell import Shell


def test_logs_of_one_service_select_its_release(tmp_path) -> None:
    command = logs_command(settings_for("minikube", tmp_path / "e"), "backend", follow=True)
    assert command[:4] == ["kubectl", "--context=todo", "-n", "todo"]
    assert "app.kubernetes.io/instance in (todo-backend)" in command
    assert "--follow" in command


def test_logs_of_all_services_select_every_release(tmp_path) -> None:
    command = logs_command(settings_for("minikube", tmp_path / "e"), None, follow=False)
    assert "app.kubernetes.io/instance in (todo-postgres,todo-backend,todo-frontend)" in command
    assert "--follow" not in command


def test_an_unknown_service_names_the_choices(tmp_path) -> None:
    with pytest.raises(OpsError, match=r"unknown service 'db': choose one of postgres, backend, frontend"):
        logs(Shell(cluster_context(invoke_config())), settings_for("minikube", tmp_path / "e"), "db", False)


def test_status_lists_releases_pods_and_the_url(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    c = cluster_context(invoke_config())
    status(Shell(c), settings_for("minikube", tmp_path / "e"))
    assert "frontend URL: http://127.0.0.1:30000" in capsys.readouterr().out  # published by the docker driver
    assert commands(c)[0] == "helm --kube-context=todo -n todo list --all"


def test_a_minikube_vm_driver_gives_the_node_address(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = settings_for("minikube", tmp_path / "e", minikube_driver="kvm2")
    status(Shell(cluster_context(invoke_config())), settings)
    assert "frontend URL: http://192.168.49.2:30000" in capsys.readouterr().out
