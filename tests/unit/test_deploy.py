"""`invoke deploy`, `reset` and `destroy` on a MockContext: the commands each target runs, and failures."""

import json
import re
import socket
from pathlib import Path

import pytest
import yaml
from invoke import MockContext, Result
from runner_fakes import Rules, cluster_context, commands, invoke_config, settings_for

from ops import delivery, images
from ops.deploy import deploy, destroy, reset
from ops.errors import OpsError
from ops.settings import Settings
from ops.targets import ensure_port_free
from tests.helpers import free_port

pytestmark = pytest.mark.usefixtures("tools_installed", "no_secrets_in_environment", "content_tagged_images")
FAILED = Result(exited=1, stderr="boom")


@pytest.fixture
def content_tagged_images(monkeypatch: pytest.MonkeyPatch) -> None:
    """ops.images builds and pushes content-tagged images (its own tests cover that); here nothing is."""
    monkeypatch.setattr(
        delivery, "build_image", lambda settings, service, dry: f"{service.repository}:c0ffee"
    )
    monkeypatch.setattr(images, "docker_client", object)
    monkeypatch.setattr(images, "image_exists", lambda client, reference: reference.startswith("postgres:"))
    monkeypatch.setattr(images, "push", lambda client, reference, registry: f"{registry}/{reference}")


def run_deploy(settings: Settings, rules: Rules | None = None, dry: bool = False) -> MockContext:
    c = cluster_context(invoke_config(), rules)
    deploy(c, settings, dry=dry)
    return c


def index_of(pattern: str, ran: list[str]) -> int:
    """Position of the first command matching `pattern` (fails the test when none does)."""
    return next(i for i, command in enumerate(ran) if re.search(pattern, command))


def assert_in_order(ran: list[str], *patterns: str) -> None:
    positions = [index_of(pattern, ran) for pattern in patterns]
    assert positions == sorted(positions), f"out of order: {patterns}"


def local(env_file: Path, frontend_url: str, target: str = "minikube", **overrides: object) -> Settings:
    """Settings for a local target whose NodePort is free here (a running cluster may hold 30000)."""
    return settings_for(
        target, env_file, public_url=frontend_url, **{"frontend_node_port": free_port(), **overrides}
    )


def test_minikube_starts_loads_lints_installs_and_rolls_out_in_order(
    env_file: Path, frontend_url: str
) -> None:
    ran = commands(run_deploy(local(env_file, frontend_url), {r"minikube status": [FAILED, Result()]}))
    assert_in_order(
        ran,
        r"^minikube start -p todo --driver=docker --kubernetes-version=v1.31.14 --cpus=2 --memory=4096 "
        r"--ports=127.0.0.1:(\d+):\1$",
        r"^minikube -p todo image load todo-backend:c0ffee",
        r"^minikube -p todo image load todo-frontend:c0ffee",
        r"^minikube -p todo image load postgres:15-bookworm",
        r"^helm lint .*charts/todo-postgres",
        r"^kubectl --context=todo apply -f /\S+\.yaml$",
        r"^helm --kube-context=todo -n todo upgrade --install todo-postgres .* --wait --atomic --timeout 5m",
        r"upgrade --install todo-backend .*image.tag=c0ffee",
        r"upgrade --install todo-frontend .*--set service.nodePort=\d+",
        r"rollout status deployment.apps/workload --timeout=300s",
    )


def test_a_second_deploy_starts_nothing_and_loads_no_image_the_node_has(
    env_file: Path, frontend_url: str
) -> None:
    listed = "\n".join(
        f"docker.io/library/{reference}"
        for reference in ("todo-backend:c0ffee", "todo-frontend:c0ffee", "postgres:15-bookworm")
    )
    ran = commands(run_deploy(local(env_file, frontend_url), {r"minikube -p \S+ image ls": listed}))
    assert not [command for command in ran if re.search(r"minikube (start|-p todo image load)", command)]
    assert sum("upgrade --install" in command for command in ran) == 3


def test_kind_creates_a_missing_cluster_with_the_node_port_on_loopback(
    env_file: Path, frontend_url: str
) -> None:
    settings = local(env_file, frontend_url, "kind", frontend_node_port=free_port())
    c = run_deploy(settings, {r"kind get clusters": ""})
    create = next(call for call in c.run.call_args_list if call.args[0].startswith("kind create cluster"))
    assert re.fullmatch(r"kind create cluster --name todo --config /\S+\.yaml", create.args[0])
    assert "listenAddress: 127.0.0.1" in c.document("^kind create cluster")
    assert_in_order(commands(c), r"^kind create", r"^kind load docker-image todo-backend:c0ffee --name todo",
                    r"^helm --kube-context=kind-todo")  # fmt: skip


def test_kind_refuses_a_taken_port_before_creating_anything(env_file: Path, frontend_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = local(env_file, frontend_url, "kind", frontend_node_port=taken.getsockname()[1])
        c = cluster_context(invoke_config(), {r"kind get clusters": ""})
        with pytest.raises(OpsError, match=r"port \d+ on 127.0.0.1 is taken"):
            deploy(c, settings)
    assert not [command for command in commands(c) if command.startswith("kind create")]


def test_a_port_left_in_time_wait_by_a_deleted_cluster_counts_as_free() -> None:
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Docker's port proxy does
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            served, _ = listener.accept()
            served.close()  # the server closes first: its end waits in TIME_WAIT on the port
            client.recv(1)
    ensure_port_free(port)  # no error


def test_context_pushes_to_the_registry_and_uses_the_given_kube_context(
    env_file: Path, frontend_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", "x" * 40)
    monkeypatch.setenv("POSTGRES_PASSWORD", "pw")
    settings = local(env_file, frontend_url, "context", kube_context="ci", kubeconfig="/tmp/kubeconfig")
    ran = commands(run_deploy(settings))
    install = ran[index_of("upgrade --install todo-backend", ran)]
    assert install.startswith("helm --kubeconfig=/tmp/kubeconfig --kube-context=ci -n todo upgrade")
    assert "image.repository=127.0.0.1:5000/todo-backend" in install
    assert not [command for command in ran if command.startswith(("minikube", "kind"))]


def test_helm_4_rolls_back_with_its_own_flag(env_file: Path, frontend_url: str) -> None:
    ran = commands(run_deploy(local(env_file, frontend_url), {r"helm version": "v4.0.1"}))
    assert "--rollback-on-failure" in ran[index_of("upgrade --install", ran)]


def test_secret_values_never_reach_a_command_line(env_file: Path, frontend_url: str) -> None:
    c = run_deploy(local(env_file, frontend_url))
    secrets = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    for value in secrets.values():
        assert not [command for command in commands(c) if value.strip("'\"") in command]
    manifest = c.document(" apply -f ")
    assert "todo-backend-credentials" in manifest and "better-auth-secret" in manifest


@pytest.mark.parametrize("target", ["minikube", "kind", "context"])
def test_the_namespace_enforces_pod_security_restricted_on_every_target(
    env_file: Path, frontend_url: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", "x" * 40)
    monkeypatch.setenv("POSTGRES_PASSWORD", "pw")
    namespace = next(
        doc
        for doc in yaml.safe_load_all(
            run_deploy(local(env_file, frontend_url, target)).document(" apply -f ")
        )
        if doc["kind"] == "Namespace"
    )
    labels = namespace["metadata"]["labels"]
    for mode in ("enforce", "warn", "audit"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "v1.30"


def test_a_dry_run_prints_the_changes_and_runs_none(
    env_file: Path, frontend_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = commands(run_deploy(local(env_file, frontend_url), {r"minikube status": FAILED}, dry=True))
    assert not [
        command for command in ran if re.search(r"upgrade --install| apply | start |image load", command)
    ]
    printed = capsys.readouterr().out
    assert "[dry-run] minikube start -p todo" in printed
    assert "[dry-run] helm --kube-context=todo -n todo upgrade --install todo-frontend" in printed
    assert not env_file.exists()


def test_a_failed_upgrade_stops_the_deploy_and_says_it_was_rolled_back(
    env_file: Path, frontend_url: str
) -> None:
    c = cluster_context(invoke_config(), {r"helm .*upgrade --install todo-backend": FAILED})
    with pytest.raises(
        OpsError, match=r"could not install or upgrade todo-backend; a failed upgrade is rolled back"
    ):
        deploy(c, local(env_file, frontend_url))
    assert not [command for command in commands(c) if "upgrade --install todo-frontend" in command]


def test_a_typo_in_values_fails_at_lint_before_the_cluster_changes(env_file: Path, frontend_url: str) -> None:
    lint_output = Result(
        exited=1,
        stdout="==> Linting charts/todo-backend\n"
        "[ERROR] values.yaml: - (root): Additional property replicas is not allowed\n",
        stderr="Error: 1 chart(s) linted, 1 chart(s) failed",
    )
    c = cluster_context(invoke_config(), {r"helm lint .*todo-backend": lint_output})
    with pytest.raises(
        OpsError, match=r"chart todo-backend rejects its values:\n.*Additional property replicas"
    ):
        deploy(c, local(env_file, frontend_url))
    assert not [command for command in commands(c) if " apply " in command or "upgrade" in command]


def test_a_cluster_that_is_down_is_reported_before_any_change(
    env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", "x" * 40)
    monkeypatch.setenv("POSTGRES_PASSWORD", "pw")
    refused = Result(exited=1, stderr="The connection to the server 10.0.0.1:6443 was refused")
    c = cluster_context(invoke_config(), {r"kubectl .*get --raw /readyz": refused})
    with pytest.raises(
        OpsError, match=r"not reachable.*\n.*connection to the server 10.0.0.1:6443 was refused"
    ):
        deploy(c, settings_for("context", env_file))
    assert not [command for command in commands(c) if command.startswith("helm") and "version" not in command]


def test_a_missing_tool_is_named_with_how_to_install_it(
    env_file: Path, frontend_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda tool: None if tool == "helm" else f"/usr/bin/{tool}")
    with pytest.raises(OpsError, match=r"helm is not installed .*helm.sh/docs/intro/install"):
        run_deploy(local(env_file, frontend_url))


def test_an_old_tool_is_refused(env_file: Path, frontend_url: str) -> None:
    with pytest.raises(OpsError, match=r"helm 3.8 is too old: version 3.14 or newer is needed"):
        run_deploy(local(env_file, frontend_url), {r"helm version": "v3.8.2"})


def test_a_failing_smoke_request_fails_the_deploy(env_file: Path, frontend_url: str) -> None:
    settings = local(env_file, f"{frontend_url}/nowhere", smoke_timeout=0)
    with pytest.raises(OpsError, match=r"smoke test failed after 0s: GET .*/nowhere/api/health answered 404"):
        run_deploy(settings)


def test_reset_on_minikube_deletes_the_profile_before_deploying(
    env_file: Path, frontend_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    c = cluster_context(invoke_config())
    reset(c, local(env_file, frontend_url))
    assert_in_order(commands(c), r"^minikube delete -p todo", r"upgrade --install todo-postgres")
    assert re.search(r"all pods Ready [\d.]+s after the tear-down \(limit 300s\)", capsys.readouterr().out)


def test_destroy_on_context_uninstalls_the_releases_and_deletes_the_namespace(env_file: Path) -> None:
    c = cluster_context(invoke_config())
    destroy(c, settings_for("context", env_file))
    assert_in_order(
        commands(c),
        r"^helm -n todo uninstall todo-frontend --ignore-not-found --wait --timeout 5m",
        r"^helm -n todo uninstall todo-postgres",
        r"^kubectl delete namespace todo --ignore-not-found --timeout=300s",
    )


def test_an_image_that_fails_to_build_stops_before_the_cluster_changes(
    env_file: Path, frontend_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_build(settings: Settings, service: images.Service, dry: bool) -> str:
        raise OpsError(
            f"building {service.repository}:c0ffee failed: RUN pip install returned a non-zero code: 1"
        )

    monkeypatch.setattr(delivery, "build_image", failing_build)
    c = cluster_context(invoke_config())
    with pytest.raises(OpsError, match=r"building todo-backend:c0ffee failed: RUN pip install"):
        deploy(c, local(env_file, frontend_url))
    assert not [command for command in commands(c) if " apply " in command or "upgrade" in command]


def test_a_failed_upgrade_prints_the_warning_events(
    env_file: Path, frontend_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    warning = {
        "type": "Warning",
        "reason": "BackOff",
        "message": "Back-off restarting failed container",
        "involvedObject": {"kind": "Pod", "name": "todo-backend-1"},
    }
    event = json.dumps({"items": [warning]})
    c = cluster_context(
        invoke_config(), {r"helm .*upgrade --install todo-backend": FAILED, r"kubectl .*get events": event}
    )
    with pytest.raises(OpsError):
        deploy(c, local(env_file, frontend_url))
    assert "Pod/todo-backend-1: BackOff: Back-off restarting failed container" in capsys.readouterr().out


LIVE_REPLICAS = r"kubectl .*get deployment -l app.kubernetes.io/instance=todo-backend -o"


def test_an_upgrade_keeps_the_replicas_the_user_scaled_to(env_file: Path, frontend_url: str) -> None:
    ran = commands(run_deploy(local(env_file, frontend_url), {LIVE_REPLICAS: "3"}))
    assert "--set replicaCount=3" in ran[index_of("upgrade --install todo-backend", ran)]
    assert "replicaCount" not in ran[index_of("upgrade --install todo-frontend", ran)]


def test_a_first_install_uses_the_chart_replicas(env_file: Path, frontend_url: str) -> None:
    ran = commands(run_deploy(local(env_file, frontend_url), {LIVE_REPLICAS: ""}))
    assert "replicaCount" not in ran[index_of("upgrade --install todo-backend", ran)]


def test_a_replica_count_in_the_values_file_wins_over_the_live_one(
    env_file: Path, frontend_url: str, tmp_path: Path
) -> None:
    (tmp_path / "values").mkdir()
    (tmp_path / "values" / "todo-backend.yaml").write_text("replicaCount: 4\n")
    settings = local(env_file, frontend_url, values_dir=str(tmp_path / "values"))
    ran = commands(run_deploy(settings, {LIVE_REPLICAS: "3"}))
    upgrade = ran[index_of("upgrade --install todo-backend", ran)]
    assert "replicaCount=3" not in upgrade and "todo-backend.yaml" in upgrade
