"""The backend and frontend charts: Deployments, availability, configuration, exposure and network policy."""

import base64
import json
import re
from pathlib import Path

import pytest
from chart_objects import env_map, main_container, of_kind, only, pod_spec, workload

from ops.settings import ROOT

APPS = pytest.mark.parametrize("chart", ["todo-backend", "todo-frontend"])
HEALTH_PATHS = {
    "todo-backend": {"startupProbe": "/health", "livenessProbe": "/health", "readinessProbe": "/ready"},
    "todo-frontend": {
        "startupProbe": "/api/health",
        "livenessProbe": "/api/health",
        "readinessProbe": "/api/ready",
    },
}


@APPS
def test_probes_use_the_health_endpoints(render, chart: str) -> None:
    container = main_container(render(chart))
    for probe, path in HEALTH_PATHS[chart].items():
        assert container[probe]["httpGet"] == {"path": path, "port": "http"}


@APPS
def test_rollouts_never_drop_below_the_desired_replicas(render, chart: str) -> None:
    deployment = only(render(chart), "Deployment")
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": "100%"}
    assert deployment["spec"]["replicas"] == 2  # two by default: one pod lost or replaced drops no request


@APPS
def test_pre_stop_pauses_before_sigterm(render, chart: str) -> None:
    container = main_container(render(chart, {"preStopSleepSeconds": 7}))
    assert container["lifecycle"]["preStop"] == {"sleep": {"seconds": 7}}


# How long each app keeps serving in-flight requests after SIGTERM before it cuts them.
DRAIN_SECONDS = {
    "todo-backend": (r"--timeout-graceful-shutdown\", \"(\d+)\"", "backend/Dockerfile"),
    "todo-frontend": (r"DRAIN_LIMIT_MS = (\d+)_000;", "frontend/lib/graceful-shutdown.ts"),
}


@APPS
def test_the_pre_stop_pause_and_the_drain_end_inside_the_grace_period(render, chart: str) -> None:
    """Otherwise the kubelet's SIGKILL cuts requests the app was still finishing."""
    pattern, source = DRAIN_SECONDS[chart]
    match = re.search(pattern, (Path(__file__).parents[2] / source).read_text())
    assert match, f"{source} no longer states its drain time"
    objects = render(chart)
    pause = main_container(objects)["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pause + int(match[1]) < pod_spec(objects)["terminationGracePeriodSeconds"]


@APPS
def test_replicas_spread_over_nodes_softly_by_default(render, chart: str) -> None:
    affinity = pod_spec(render(chart))["affinity"]["podAntiAffinity"]
    (preferred,) = affinity["preferredDuringSchedulingIgnoredDuringExecution"]
    assert preferred["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    assert preferred["podAffinityTerm"]["labelSelector"]["matchLabels"]["app.kubernetes.io/name"] == chart


@APPS
def test_anti_affinity_can_be_hard_off_or_replaced(render, chart: str) -> None:
    hard = pod_spec(render(chart, {"podAntiAffinity": "hard"}))["affinity"]["podAntiAffinity"]
    assert "requiredDuringSchedulingIgnoredDuringExecution" in hard
    assert "affinity" not in pod_spec(render(chart, {"podAntiAffinity": "none"}))
    custom = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}
    assert pod_spec(render(chart, {"affinity": custom}))["affinity"] == custom


@APPS
def test_autoscaling_owns_the_replica_count(render, chart: str) -> None:
    objects = render(chart, variant="scaled")
    assert "replicas" not in only(objects, "Deployment")["spec"]
    autoscaler = only(objects, "HorizontalPodAutoscaler")
    assert autoscaler["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": chart,
    }
    assert (autoscaler["spec"]["minReplicas"], autoscaler["spec"]["maxReplicas"]) == (3, 6)
    metrics = {
        metric["resource"]["name"]: metric["resource"]["target"] for metric in autoscaler["spec"]["metrics"]
    }
    assert metrics == {
        "cpu": {"type": "Utilization", "averageUtilization": 70},
        "memory": {"type": "Utilization", "averageUtilization": 80},
    }


@APPS
def test_without_autoscaling_there_is_no_autoscaler(render, chart: str) -> None:
    assert of_kind(render(chart), "HorizontalPodAutoscaler") == []


@APPS
def test_the_disruption_budget_follows_its_values(render, chart: str) -> None:
    default = only(render(chart), "PodDisruptionBudget")["spec"]
    assert default["maxUnavailable"] == 1 and "minAvailable" not in default
    scaled = only(render(chart, variant="scaled"), "PodDisruptionBudget")["spec"]
    assert scaled["minAvailable"] == 2 and "maxUnavailable" not in scaled
    assert of_kind(render(chart, {"podDisruptionBudget": {"enabled": False}}), "PodDisruptionBudget") == []


@APPS
def test_a_configuration_change_rolls_the_pods(render, chart: str) -> None:
    def config_checksum(values: dict) -> str:
        return workload(render(chart, values))["spec"]["template"]["metadata"]["annotations"][
            "checksum/config"
        ]

    key = {"todo-backend": "logLevel", "todo-frontend": "backendUrl"}[chart]
    changed = {"todo-backend": "DEBUG", "todo-frontend": "http://api.todo.svc:8000"}[chart]
    assert config_checksum({}) != config_checksum({key: changed})


@APPS
def test_plain_settings_come_from_the_config_map(render, chart: str) -> None:
    objects = render(chart)
    config_map = only(objects, "ConfigMap")
    assert main_container(objects)["envFrom"] == [{"configMapRef": {"name": config_map["metadata"]["name"]}}]


def test_backend_configuration_names_the_architecture_variables(render) -> None:
    values = {
        "betterAuth": {"url": "http://192.168.49.2:30000", "jwksUrl": "http://web:3000/api/auth/jwks"},
        "corsOrigins": ["http://a.example", "http://b.example"],
        "openaiModel": "gpt-4.1-mini",
    }
    data = only(render("todo-backend", values), "ConfigMap")["data"]
    assert data == {
        "BETTER_AUTH_URL": "http://192.168.49.2:30000",
        "BETTER_AUTH_JWKS_URL": "http://web:3000/api/auth/jwks",
        "JWT_ALLOW_HS256": "false",
        "OPENAI_MODEL": "gpt-4.1-mini",
        "OPENAI_BASE_URL": "",
        "OPENAI_API_FLAVOUR": "responses",
        "CORS_ORIGINS": "http://a.example,http://b.example",
        "LOG_LEVEL": "INFO",
    }


def test_backend_reads_the_auth_secret_only_for_hs256(render) -> None:
    default_env = env_map(main_container(render("todo-backend")))
    assert "BETTER_AUTH_SECRET" not in default_env
    assert default_env["OPENAI_API_KEY"]["secretKeyRef"]["optional"] is True
    hs256_env = env_map(main_container(render("todo-backend", {"betterAuth": {"allowHs256": True}})))
    assert hs256_env["BETTER_AUTH_SECRET"] == {
        "secretKeyRef": {"name": "todo-backend-credentials", "key": "better-auth-secret"}
    }


def test_backend_hs256_without_a_secret_is_refused(render_error) -> None:
    values = {"existingSecret": "", "secrets": {"databaseUrl": "postgresql://u:p@db/todo"}}
    message = render_error("todo-backend", values | {"betterAuth": {"allowHs256": True}})
    assert "betterAuth.allowHs256 needs secrets.betterAuthSecret" in message


def test_backend_openai_key_is_stored_only_when_given(render) -> None:
    values = {"existingSecret": "", "secrets": {"databaseUrl": "postgresql://u:p@db/todo"}}
    assert set(only(render("todo-backend", values), "Secret")["data"]) == {"database-url"}
    with_key = values | {"secrets": values["secrets"] | {"openaiApiKey": "sk-test"}}
    assert set(only(render("todo-backend", with_key), "Secret")["data"]) == {"database-url", "openai-api-key"}


def test_backend_migrates_in_an_init_container_with_the_same_settings(render) -> None:
    objects = render("todo-backend")
    (migrate,) = pod_spec(objects)["initContainers"]
    assert migrate["command"] == ["python", "-m", "alembic", "upgrade", "head"]
    assert migrate["workingDir"] == "/app"
    assert migrate["image"] == main_container(objects)["image"]
    assert env_map(migrate) == env_map(main_container(objects))
    assert migrate["envFrom"] == main_container(objects)["envFrom"]


def test_backend_migrations_can_be_left_to_someone_else(render) -> None:
    assert "initContainers" not in pod_spec(render("todo-backend", {"migrations": {"enabled": False}}))


def dockerfile_command(service: str) -> list[str]:
    """The image's CMD, from its Dockerfile's exec form."""
    lines = (ROOT / service / "Dockerfile").read_text().splitlines()
    return json.loads(next(line for line in lines if line.startswith("CMD "))[4:])


def test_backend_dev_mode_is_off_by_default(render) -> None:
    spec = pod_spec(render("todo-backend"))
    api = spec["containers"][0]
    assert "command" not in api  # the image's own CMD, no reloader
    assert "livenessProbe" in api
    assert [c["name"] for c in spec["initContainers"]] == ["migrate"]
    assert all(mount["mountPath"] != "/app" for mount in api["volumeMounts"])


def test_backend_dev_mode_runs_a_reloading_server_from_a_writable_copy_of_the_code(render) -> None:
    spec = pod_spec(render("todo-backend", variant="dev"))
    seed, migrate = spec["initContainers"]
    api = spec["containers"][0]
    code = next(volume for volume in spec["volumes"] if volume["name"] == "code")
    assert code["emptyDir"]["sizeLimit"] == "64Mi"
    # the image's /app copied with its times (its bytecode stays valid) into the volume the API runs from
    assert seed["command"] == ["sh", "-c", "cp -R --preserve=mode,timestamps /app/* /dev-code/"]
    assert seed["image"] == api["image"]
    assert {"name": "code", "mountPath": "/dev-code"} in seed["volumeMounts"]
    assert {"name": "code", "mountPath": "/app"} in api["volumeMounts"]
    assert migrate["name"] == "migrate"
    assert all(mount["name"] != "code" for mount in migrate["volumeMounts"])
    # the image's command, watching only the code directory
    reload_flags = ["--reload", "--reload-dir", "/app/app"]
    assert api["command"] == [
        *dockerfile_command("backend")[:6],
        *reload_flags,
        *dockerfile_command("backend")[6:],
    ]
    # the reloader supervises the server: a broken edit must not restart the container (and lose the volume)
    assert "livenessProbe" not in api
    assert api["startupProbe"]["httpGet"]["path"] == "/health"
    assert api["readinessProbe"]["httpGet"]["path"] == "/ready"
    # a reload imports the app again: more CPU than the production limit, the rest as in production
    production = main_container(render("todo-backend"))["resources"]
    assert api["resources"] == {**production, "limits": {**production["limits"], "cpu": "2"}}
    for container in [seed, migrate, api]:
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, container["name"]
        assert container["securityContext"]["runAsNonRoot"] is True, container["name"]


def test_backend_dev_mode_without_migrations_only_seeds_the_code(render) -> None:
    spec = pod_spec(render("todo-backend", {"migrations": {"enabled": False}}, variant="dev"))
    assert [c["name"] for c in spec["initContainers"]] == ["dev-code"]


def test_backend_dev_mode_is_a_boolean(render_error) -> None:
    assert "dev/enabled" in render_error("todo-backend", {"dev": {"enabled": "yes"}})


def test_backend_is_internal_only(render) -> None:
    objects = render("todo-backend")
    service = only(objects, "Service")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}
    ]
    assert of_kind(objects, "Ingress") == []


def test_backend_network_policy_admits_only_the_frontend_and_its_tests(render) -> None:
    policy = only(render("todo-backend", variant="networkpolicy"), "NetworkPolicy")
    assert policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "todo-backend"
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    (rule,) = policy["spec"]["ingress"]
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
    apps, tests = rule["from"]
    assert apps == {
        "podSelector": {
            "matchExpressions": [
                {"key": "app.kubernetes.io/name", "operator": "In", "values": ["todo-frontend"]}
            ]
        }
    }
    assert tests == {
        "podSelector": {
            "matchLabels": {
                "app.kubernetes.io/instance": "todo-backend",
                "app.kubernetes.io/component": "test",
            }
        }
    }


def test_frontend_configuration_names_the_architecture_variables(render) -> None:
    values = {
        "publicUrl": "http://192.168.49.2:30000",
        "trustedOrigins": ["http://localhost:3000", "http://127.0.0.1:3000"],
    }
    data = only(render("todo-frontend", values), "ConfigMap")["data"]
    assert data["BETTER_AUTH_URL"] == "http://192.168.49.2:30000"
    assert data["BETTER_AUTH_TRUSTED_ORIGINS"] == "http://localhost:3000,http://127.0.0.1:3000"
    assert data["BACKEND_URL"] == "http://todo-backend:8000"
    assert data["HOSTNAME"] == "0.0.0.0"
    assert data["PORT"] == "3000"


def test_frontend_reads_both_secret_keys(render) -> None:
    env = env_map(main_container(render("todo-frontend")))
    for name, key in {"DATABASE_URL": "database-url", "BETTER_AUTH_SECRET": "better-auth-secret"}.items():
        assert env[name] == {"secretKeyRef": {"name": "todo-frontend-credentials", "key": key}}


def test_frontend_chat_ui_is_its_own_by_default_without_a_domain_key(render) -> None:
    objects = render("todo-frontend")
    assert only(objects, "ConfigMap")["data"]["CHAT_UI"] == "default"
    assert "CHATKIT_DOMAIN_KEY" not in env_map(main_container(objects))


def test_frontend_chatkit_mode_reads_the_domain_key_from_the_secret(render) -> None:
    objects = render("todo-frontend", {"chatUi": "chatkit"})
    assert only(objects, "ConfigMap")["data"]["CHAT_UI"] == "chatkit"
    env = env_map(main_container(objects))
    key_ref = {"name": "todo-frontend-credentials", "key": "chatkit-domain-key"}
    assert env["CHATKIT_DOMAIN_KEY"] == {"secretKeyRef": key_ref}
    assert not of_kind(objects, "Secret")  # the default variant uses an existing Secret


CHART_SECRETS = {"databaseUrl": "postgresql://u:p@db/todo", "betterAuthSecret": "s" * 32}


def test_frontend_chatkit_mode_puts_the_domain_key_in_the_chart_secret(render, render_error) -> None:
    secrets = {**CHART_SECRETS, "chatkitDomainKey": "domain_pk_marker"}
    values = {"existingSecret": "", "chatUi": "chatkit", "secrets": secrets}
    objects = render("todo-frontend", values)
    [secret] = of_kind(objects, "Secret")
    assert base64.b64decode(secret["data"]["chatkit-domain-key"]).decode() == "domain_pk_marker"
    assert all("domain_pk_marker" not in value for value in only(objects, "ConfigMap")["data"].values())
    missing = render_error("todo-frontend", {**values, "secrets": CHART_SECRETS})
    assert "chatUi chatkit needs secrets.chatkitDomainKey" in missing


def test_frontend_chat_ui_is_one_of_two(render_error) -> None:
    assert "chatUi" in render_error("todo-frontend", {"chatUi": "chatgpt"})


def test_frontend_short_auth_secret_is_refused_by_the_schema(render_error) -> None:
    values = {
        "existingSecret": "",
        "secrets": {"databaseUrl": "postgresql://u:p@db/todo", "betterAuthSecret": "short"},
    }
    assert "betterAuthSecret" in render_error("todo-frontend", values)


def test_frontend_is_a_node_port_on_30000_by_default(render) -> None:
    (port,) = only(render("todo-frontend"), "Service")["spec"]["ports"]
    assert port == {"name": "http", "port": 3000, "targetPort": "http", "protocol": "TCP", "nodePort": 30000}


def test_frontend_cluster_ip_service_has_no_node_port(render) -> None:
    (port,) = only(render("todo-frontend", {"service": {"type": "ClusterIP"}}), "Service")["spec"]["ports"]
    assert "nodePort" not in port


def test_frontend_writes_only_to_its_empty_dirs(render) -> None:
    objects = render("todo-frontend")
    mounts = {mount["mountPath"]: mount["name"] for mount in main_container(objects)["volumeMounts"]}
    assert set(mounts) == {"/tmp", "/app/.next/cache"}
    volumes = {volume["name"]: volume for volume in pod_spec(objects)["volumes"]}
    assert all("emptyDir" in volumes[name] for name in mounts.values())


def test_frontend_ingress_routes_the_host_to_the_service(render) -> None:
    ingress = only(render("todo-frontend", variant="external-db"), "Ingress")
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "todo.example.internal"
    (path,) = rule["http"]["paths"]
    assert path["backend"] == {"service": {"name": "todo-frontend", "port": {"name": "http"}}}
    assert ingress["spec"]["tls"] == [{"hosts": ["todo.example.internal"], "secretName": "todo-example-tls"}]


def test_frontend_network_policy_opens_only_the_web_port(render) -> None:
    policy = only(render("todo-frontend", variant="networkpolicy"), "NetworkPolicy")
    assert policy["spec"]["ingress"] == [{"ports": [{"port": "http", "protocol": "TCP"}]}]


def test_frontend_rejects_a_node_port_outside_the_range(render_error) -> None:
    assert "nodePort" in render_error("todo-frontend", {"service": {"nodePort": 8080}})


@APPS
def test_a_chart_made_database_url_must_be_postgresql(render_error, chart: str) -> None:
    values = {"existingSecret": "", "secrets": {"databaseUrl": "sqlite:///./todo.db"}}
    assert "databaseUrl" in render_error(chart, values)


@APPS
def test_an_autoscaler_minimum_above_its_maximum_is_refused(render_error, chart: str) -> None:
    message = render_error(chart, {"autoscaling": {"enabled": True, "minReplicas": 4, "maxReplicas": 3}})
    assert f"{chart}: autoscaling.minReplicas (4) is above autoscaling.maxReplicas (3)" in message


@APPS
def test_a_budget_that_keeps_the_only_pod_is_refused(render_error, chart: str) -> None:
    message = render_error(chart, {"replicaCount": 1, "podDisruptionBudget": {"minAvailable": 1}})
    assert f"{chart}: podDisruptionBudget.minAvailable 1 lets no pod be evicted" in message


@pytest.mark.parametrize(
    "values",
    [
        {"replicaCount": 3, "podDisruptionBudget": {"minAvailable": "100%"}},
        {"replicaCount": 1, "podDisruptionBudget": {"minAvailable": "50%"}},  # rounds up to the one pod
        {"replicaCount": 3, "podDisruptionBudget": {"maxUnavailable": 0}},
        {"replicaCount": 3, "podDisruptionBudget": {"maxUnavailable": "0%"}},
        {
            "autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 6},
            "podDisruptionBudget": {"minAvailable": 2},  # blocks whenever the HPA is at its minimum
        },
    ],
)
def test_a_budget_that_blocks_every_eviction_is_refused(render_error, values: dict) -> None:
    assert "lets no pod be evicted" in render_error("todo-backend", values)


@pytest.mark.parametrize(
    ("values", "budget"),
    [
        ({"replicaCount": 2, "podDisruptionBudget": {"minAvailable": 1}}, {"minAvailable": 1}),
        ({"replicaCount": 3, "podDisruptionBudget": {"minAvailable": "50%"}}, {"minAvailable": "50%"}),
        ({"replicaCount": 1, "podDisruptionBudget": {"maxUnavailable": "10%"}}, {"maxUnavailable": "10%"}),
    ],
)
def test_a_budget_that_lets_a_pod_go_is_rendered(render, values: dict, budget: dict) -> None:
    spec = only(render("todo-backend", values), "PodDisruptionBudget")["spec"]
    assert {key: spec[key] for key in ("minAvailable", "maxUnavailable") if key in spec} == budget


def test_a_budget_is_a_count_or_a_percentage(render_error) -> None:
    budget = {"podDisruptionBudget": {"minAvailable": "two"}}
    message = render_error("todo-backend", {"replicaCount": 3, **budget})
    assert "minAvailable" in message and "does not match pattern" in message


@APPS
def test_a_private_database_ca_is_mounted_read_only_and_named_in_pgsslrootcert(render, chart: str) -> None:
    objects = render(chart, variant="external-db")
    spec = pod_spec(objects)
    (volume,) = [volume for volume in spec["volumes"] if volume["name"] == "database-ca"]
    assert volume["secret"] == {
        "secretName": "todo-external-db-ca",
        "items": [{"key": "database-ca.crt", "path": "database-ca.crt"}],
    }
    for container in [main_container(objects), *spec.get("initContainers", [])]:
        assert env_map(container)["PGSSLROOTCERT"] == "/etc/todo/database-ca/database-ca.crt"
        (mount,) = [mount for mount in container["volumeMounts"] if mount["name"] == "database-ca"]
        assert mount == {"name": "database-ca", "mountPath": "/etc/todo/database-ca", "readOnly": True}


@APPS
def test_without_a_database_ca_the_system_cas_apply(render, chart: str) -> None:
    objects = render(chart)
    assert "PGSSLROOTCERT" not in env_map(main_container(objects))
    assert all(volume["name"] != "database-ca" for volume in pod_spec(objects)["volumes"])


@APPS
def test_a_database_ca_secret_must_be_a_secret_name(render_error, chart: str) -> None:
    assert "caSecret" in render_error(chart, {"database": {"caSecret": "Not A Name"}})
