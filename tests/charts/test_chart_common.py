"""What every chart must do: security, probes, resources, labels, images, secrets and schema checks."""

import base64
from typing import Any

import pytest
from chart_objects import env_map, hook_pods, is_test_hook, main_container, of_kind, only, pod_spec, workload

from ops import charts
from ops.quantities import parse_quantity
from ops.settings import ROOT

UIDS = {"todo-backend": 10001, "todo-frontend": 10001, "todo-postgres": 999}
CHART_SECRETS = {
    "todo-backend": {"secrets": {"databaseUrl": "postgresql://todo:marker-db-password@db:5432/todo"}},
    "todo-frontend": {
        "secrets": {
            "databaseUrl": "postgresql://todo:marker-db-password@db:5432/todo",
            "betterAuthSecret": "marker-auth-secret-0123456789abcdefghij",
        }
    },
    "todo-postgres": {"secrets": {"password": "marker-db-password"}},
}
SECRET_KEYS = {
    "todo-backend": {"database-url"},
    "todo-frontend": {"database-url", "better-auth-secret"},
    "todo-postgres": {"password"},
}
APP_VERSIONS = {"todo-backend": "0.1.0", "todo-frontend": "0.1.0", "todo-postgres": "15-bookworm"}
LABEL_KEYS = {
    "helm.sh/chart",
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
}

every_chart = pytest.mark.parametrize("chart", charts.CHARTS)


def all_pod_specs(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The workload's pod template and every helm test pod."""
    return [pod_spec(objects), *(pod["spec"] for pod in hook_pods(objects))]


def chart_made_secret(chart: str) -> dict[str, Any]:
    return {"existingSecret": "", **CHART_SECRETS[chart]}


@every_chart
def test_pods_run_as_a_fixed_non_root_user_with_seccomp(render, chart: str) -> None:
    for spec in all_pod_specs(render(chart)):
        context = spec["securityContext"]
        assert context["runAsNonRoot"] is True
        assert context["runAsUser"] == context["runAsGroup"] == context["fsGroup"] == UIDS[chart]
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False


@every_chart
def test_every_container_is_locked_down(render, chart: str) -> None:
    for spec in all_pod_specs(render(chart)):
        for container in spec.get("initContainers", []) + spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, container["name"]
            assert context["allowPrivilegeEscalation"] is False, container["name"]
            assert context["capabilities"] == {"drop": ["ALL"]}, container["name"]
            assert context["runAsUser"] == UIDS[chart]


@every_chart
def test_the_service_account_carries_no_token(render, chart: str) -> None:
    objects = render(chart)
    account = only(objects, "ServiceAccount")
    assert account["automountServiceAccountToken"] is False
    assert pod_spec(objects)["serviceAccountName"] == account["metadata"]["name"]


@every_chart
def test_every_container_has_cpu_memory_and_ephemeral_storage_requests_and_limits(render, chart: str) -> None:
    """Init and test containers too: without an ephemeral-storage limit one can fill the node's disk."""
    for spec in all_pod_specs(render(chart)):
        for container in spec.get("initContainers", []) + spec["containers"]:
            resources = container["resources"]
            for kind in ("requests", "limits"):
                assert set(resources[kind]) == {"cpu", "memory", "ephemeral-storage"}, (
                    container["name"],
                    kind,
                )
            for resource in resources["limits"]:
                requested = parse_quantity(resources["requests"][resource])
                assert requested <= parse_quantity(resources["limits"][resource]), (
                    container["name"],
                    resource,
                )


@every_chart
def test_ephemeral_storage_limits_cover_the_empty_dirs(render, chart: str) -> None:
    """A pod is evicted when its emptyDirs and logs outgrow the sum of its containers' limits."""
    spec = pod_spec(render(chart))
    limit = sum(parse_quantity(c["resources"]["limits"]["ephemeral-storage"]) for c in spec["containers"])
    sized = sum(parse_quantity(v["emptyDir"].get("sizeLimit", 0)) for v in spec["volumes"] if "emptyDir" in v)
    assert sized < limit


@every_chart
def test_startup_liveness_and_readiness_probes_take_their_values(render, chart: str) -> None:
    container = main_container(render(chart, {"livenessProbe": {"enabled": True, "failureThreshold": 7}}))
    assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(container)
    assert container["livenessProbe"]["failureThreshold"] == 7
    assert "enabled" not in container["livenessProbe"]


@every_chart
@pytest.mark.parametrize("probe", ["startupProbe", "livenessProbe", "readinessProbe"])
def test_each_probe_can_be_switched_off(render, chart: str, probe: str) -> None:
    container = main_container(render(chart, {probe: {"enabled": False}}))
    assert probe not in container


@every_chart
def test_every_object_carries_the_standard_labels(render, chart: str) -> None:
    for item in render(chart):
        labels = item["metadata"]["labels"]
        expected = LABEL_KEYS - {"app.kubernetes.io/name"} if is_test_hook(item) else LABEL_KEYS
        assert expected <= set(labels), item["metadata"]["name"]
        assert labels["app.kubernetes.io/instance"] == chart
        assert labels["app.kubernetes.io/part-of"] == "todo-chatbot"


@every_chart
def test_selectors_use_only_the_stable_labels(render, chart: str) -> None:
    objects = render(chart)
    selector = {"app.kubernetes.io/name": chart, "app.kubernetes.io/instance": chart}
    assert workload(objects)["spec"]["selector"]["matchLabels"] == selector
    for service in of_kind(objects, "Service"):
        assert service["spec"]["selector"] == selector


@every_chart
def test_helm_test_pods_are_not_selected_by_the_service(render, chart: str) -> None:
    objects = render(chart)
    pods = hook_pods(objects)
    assert pods, "the chart has no helm test pod"
    for service in of_kind(objects, "Service"):
        selector = service["spec"]["selector"]
        assert not any(selector.items() <= pod["metadata"]["labels"].items() for pod in pods)
    for pod in pods:
        assert pod["spec"]["restartPolicy"] == "Never"


@every_chart
def test_name_overrides_rename_every_object(render, chart: str) -> None:
    renamed = render(chart, {"nameOverride": "renamed"})
    assert workload(renamed)["metadata"]["name"] == f"{chart}-renamed"
    assert workload(renamed)["metadata"]["labels"]["app.kubernetes.io/name"] == "renamed"
    overridden = render(chart, {"fullnameOverride": "custom"})
    assert {item["metadata"]["name"] for item in overridden if not is_test_hook(item)} == {"custom"} | (
        {"custom-headless"} if chart == "todo-postgres" else set()
    )


@every_chart
def test_the_image_tag_defaults_to_app_version_and_a_digest_pins_it(render, chart: str) -> None:
    repository = main_container(render(chart))["image"].split(":")[0]
    assert main_container(render(chart))["image"] == f"{repository}:{APP_VERSIONS[chart]}"
    digest = "sha256:" + "a" * 64
    pinned = render(chart, {"image": {"repository": "registry.local/x", "tag": "1.2.3", "digest": digest}})
    for spec in all_pod_specs(pinned):
        for container in spec.get("initContainers", []) + spec["containers"]:
            assert container["image"] == f"registry.local/x:1.2.3@{digest}"
            assert container["imagePullPolicy"] == "IfNotPresent"


@every_chart
def test_pull_secrets_reach_every_pod(render, chart: str) -> None:
    for spec in all_pod_specs(render(chart, {"image": {"pullSecrets": ["registry-login"]}})):
        assert spec["imagePullSecrets"] == [{"name": "registry-login"}]


@every_chart
def test_an_existing_secret_is_used_and_none_is_created(render, chart: str) -> None:
    objects = render(chart)
    assert of_kind(objects, "Secret") == []
    references = [
        value["secretKeyRef"]["name"]
        for value in env_map(main_container(objects)).values()
        if isinstance(value, dict) and "secretKeyRef" in value
    ]
    assert references and set(references) == {f"{chart}-credentials"}
    assert "checksum/secret" not in workload(objects)["spec"]["template"]["metadata"].get("annotations", {})


@every_chart
def test_without_an_existing_secret_the_chart_makes_one_from_values(render, chart: str) -> None:
    objects = render(chart, chart_made_secret(chart))
    secret = only(objects, "Secret")
    assert set(secret["data"]) == SECRET_KEYS[chart]
    decoded = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert "marker-db-password" in decoded.get("database-url", decoded.get("password"))
    references = {
        value["secretKeyRef"]["name"]
        for value in env_map(main_container(objects)).values()
        if isinstance(value, dict) and "secretKeyRef" in value
    }
    assert references == {secret["metadata"]["name"]}


@every_chart
def test_a_changed_secret_value_rolls_the_pods(render, chart: str) -> None:
    def secret_checksum(values: dict[str, Any]) -> str:
        template = workload(render(chart, values))["spec"]["template"]
        return template["metadata"]["annotations"]["checksum/secret"]

    first = chart_made_secret(chart)
    second = {"existingSecret": "", "secrets": {k: v + "-rotated" for k, v in first["secrets"].items()}}
    assert secret_checksum(first) != secret_checksum(second)


@every_chart
def test_without_any_secret_the_render_fails_with_a_clear_message(render_error, chart: str) -> None:
    message = render_error(chart, {"existingSecret": ""})
    assert f"{chart}: set existingSecret" in message


@every_chart
def test_secret_values_appear_only_inside_secrets(render_text, chart: str) -> None:
    rendered = render_text(chart, chart_made_secret(chart))
    assert "marker-db-password" not in rendered
    assert "marker-auth-secret" not in rendered


@every_chart
def test_no_config_map_holds_a_secret_reference_or_value(render, chart: str) -> None:
    for config_map in of_kind(render(chart, chart_made_secret(chart)), "ConfigMap"):
        for key, value in config_map["data"].items():
            assert "marker" not in value
            assert not any(word in key for word in ("SECRET", "PASSWORD", "DATABASE_URL", "API_KEY")), key


@every_chart
@pytest.mark.parametrize(
    ("mistake", "values", "reported"),
    [
        ("misspelt key", {"replicaCoutn": 2}, "replicaCoutn"),
        ("misspelt nested key", {"image": {"tagg": "1.0.0"}}, "tagg"),
        ("wrong type", {"service": {"port": "eighty"}}, "port"),
        ("value outside the enum", {"image": {"pullPolicy": "Sometimes"}}, "pullPolicy"),
        ("the tag latest", {"image": {"tag": "latest"}}, "tag"),
    ],
)
def test_the_schema_rejects_bad_values(render_error, chart: str, mistake: str, values, reported: str) -> None:
    message = render_error(chart, values)
    assert charts.SCHEMA_REJECTION in message, mistake
    assert reported in message, mistake


@every_chart
def test_the_schema_lets_an_umbrella_chart_pass_globals(render, chart: str) -> None:
    assert render(chart, {"global": {"imageRegistry": "registry.local"}})


@every_chart
def test_extension_points_reach_the_pod(render, chart: str) -> None:
    values = {
        "extraEnv": {"FEATURE_FLAG": "on", "FROM_SECRET": {"secretKeyRef": {"name": "other", "key": "k"}}},
        "extraVolumes": [{"name": "extra", "emptyDir": {}}],
        "extraVolumeMounts": [{"name": "extra", "mountPath": "/extra"}],
        "podAnnotations": {"example.com/note": "kept"},
        "podLabels": {"team": "todo"},
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
    }
    objects = render(chart, values)
    template = workload(objects)["spec"]["template"]
    env = env_map(main_container(objects))
    assert env["FEATURE_FLAG"] == "on"
    assert env["FROM_SECRET"] == {"secretKeyRef": {"name": "other", "key": "k"}}
    assert {"name": "extra", "emptyDir": {}} in template["spec"]["volumes"]
    assert {"name": "extra", "mountPath": "/extra"} in main_container(objects)["volumeMounts"]
    assert template["metadata"]["annotations"]["example.com/note"] == "kept"
    assert template["metadata"]["labels"]["team"] == "todo"
    assert template["spec"]["nodeSelector"] == values["nodeSelector"]
    assert template["spec"]["tolerations"] == values["tolerations"]


@every_chart
def test_termination_and_history_are_bounded(render, chart: str) -> None:
    objects = render(chart)
    assert workload(objects)["spec"]["revisionHistoryLimit"] == 5
    assert pod_spec(objects)["terminationGracePeriodSeconds"] >= 30
    assert "preStop" in main_container(objects)["lifecycle"]


def test_the_default_install_fits_a_small_minikube_with_room_to_spare(helm: charts.Helm) -> None:
    """All three charts' requests and limits against a 2-CPU, 4 GiB Minikube (which runs its own pods too)."""
    totals = charts.default_install_totals(helm, ROOT / "charts", "1.30.0")
    assert totals["requests.cpu"] <= 1
    assert totals["requests.memory"] <= 2 * 2**30
    assert totals["limits.cpu"] <= 3  # ceilings (throttled when reached): two replicas of each app overcommit
    assert totals["limits.memory"] <= 3 * 2**30


@every_chart
def test_extra_env_may_not_repeat_what_the_chart_sets(render, render_error, chart: str) -> None:
    """A repeated name breaks `kubectl apply` (env is keyed by name) or silently overrides a chart value."""
    hs256 = {"betterAuth": {"allowHs256": True}} if chart == "todo-backend" else {}
    objects = render(chart, hs256)
    spec = pod_spec(objects)
    names = {e["name"] for c in spec.get("initContainers", []) + spec["containers"] for e in c.get("env", [])}
    names |= {key for config_map in of_kind(objects, "ConfigMap") for key in config_map["data"]}
    message = render_error(chart, hs256 | {"extraEnv": dict.fromkeys(sorted(names), "x")})
    assert charts.SCHEMA_REJECTION in message
    missed = [name for name in names if f"the chart sets {name} itself" not in message]
    assert not missed, f"add {missed} to extraEnv's reserved names in charts/{chart}/values.schema.json"


@every_chart
def test_the_schema_rejects_a_quantity_kubernetes_cannot_read(render_error, chart: str) -> None:
    message = render_error(chart, {"resources": {"limits": {"memory": "512MB"}}})
    assert charts.SCHEMA_REJECTION in message and "memory" in message


@pytest.mark.parametrize("quantity", ["1.5 Gi", "-1", "lots", "1Gb"])
def test_quantities_must_be_a_number_with_a_kubernetes_suffix(render_error, quantity: str) -> None:
    message = render_error(
        "todo-backend", {"migrations": {"resources": {"requests": {"ephemeral-storage": quantity}}}}
    )
    assert charts.SCHEMA_REJECTION in message and "ephemeral-storage" in message
