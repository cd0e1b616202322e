"""The todo-postgres chart: StatefulSet, storage, Services, probes and network policy."""

from chart_objects import env_map, hook_pods, main_container, of_kind, only, pod_spec

CHART = "todo-postgres"


def test_one_statefulset_with_the_official_image_interface(render) -> None:
    objects = render(CHART)
    statefulset = only(objects, "StatefulSet")
    assert statefulset["spec"]["replicas"] == 1
    assert statefulset["spec"]["serviceName"] == "todo-postgres-headless"
    container = main_container(objects)
    assert container["image"] == "postgres:15-bookworm"
    env = env_map(container)
    assert env["POSTGRES_USER"] == env["POSTGRES_DB"] == "todo"
    assert env["POSTGRES_PASSWORD"] == {
        "secretKeyRef": {"name": "todo-postgres-credentials", "key": "password"}
    }
    assert (
        env["PGDATA"].startswith("/var/lib/postgresql/data/") and env["PGDATA"] != "/var/lib/postgresql/data/"
    )


def test_data_lives_on_a_claim_of_the_cluster_default_class(render) -> None:
    objects = render(CHART)
    (claim,) = only(objects, "StatefulSet")["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "data"
    assert "storageClassName" not in claim["spec"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert set(claim["metadata"]["labels"]) == {"app.kubernetes.io/name", "app.kubernetes.io/instance"}
    mounts = {mount["name"]: mount["mountPath"] for mount in main_container(objects)["volumeMounts"]}
    assert mounts["data"] == "/var/lib/postgresql/data"


def test_storage_class_and_size_are_values(render) -> None:
    (claim,) = only(render(CHART, variant="storage"), "StatefulSet")["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "standard"
    assert claim["spec"]["resources"]["requests"]["storage"] == "5Gi"
    (no_class,) = only(render(CHART, {"persistence": {"storageClass": "-"}}), "StatefulSet")["spec"][
        "volumeClaimTemplates"
    ]
    assert no_class["spec"]["storageClassName"] == ""


def test_without_persistence_the_data_is_an_empty_dir(render) -> None:
    objects = render(CHART, variant="ephemeral")
    assert "volumeClaimTemplates" not in only(objects, "StatefulSet")["spec"]
    volumes = {volume["name"]: volume for volume in pod_spec(objects)["volumes"]}
    assert volumes["data"] == {"name": "data", "emptyDir": {}}


def test_the_read_only_root_has_writable_socket_and_temp_dirs(render) -> None:
    objects = render(CHART)
    mounts = {mount["mountPath"]: mount["name"] for mount in main_container(objects)["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod_spec(objects)["volumes"]}
    for path in ("/var/run/postgresql", "/tmp"):
        assert "emptyDir" in volumes[mounts[path]]


def test_a_client_and_a_headless_service_on_5432(render) -> None:
    services = {service["metadata"]["name"]: service["spec"] for service in of_kind(render(CHART), "Service")}
    assert set(services) == {"todo-postgres", "todo-postgres-headless"}
    assert services["todo-postgres"]["type"] == "ClusterIP"
    assert services["todo-postgres-headless"]["clusterIP"] == "None"
    for spec in services.values():
        assert [port["port"] for port in spec["ports"]] == [5432]


def test_probes_ask_pg_isready_over_tcp(render) -> None:
    container = main_container(render(CHART, {"auth": {"username": "app", "database": "appdb"}}))
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        command = container[probe]["exec"]["command"]
        assert command[0] == "pg_isready"
        assert {"--host=127.0.0.1", "--username=app", "--dbname=appdb"} <= set(command)


def test_shutdown_is_fast_rather_than_waiting_for_clients(render) -> None:
    command = main_container(render(CHART))["lifecycle"]["preStop"]["exec"]["command"]
    assert command[:2] == ["pg_ctl", "stop"] and "--mode=fast" in command


def test_no_disruption_budget_blocks_drains_by_default(render) -> None:
    assert of_kind(render(CHART), "PodDisruptionBudget") == []
    assert only(render(CHART, variant="storage"), "PodDisruptionBudget")["spec"]["maxUnavailable"] == 1


def test_network_policy_admits_only_the_apps_and_closes_egress(render) -> None:
    policy = only(render(CHART, variant="networkpolicy"), "NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["egress"] == []
    (rule,) = policy["ingress"]
    assert rule["ports"] == [{"port": "postgresql", "protocol": "TCP"}]
    apps = rule["from"][0]["podSelector"]["matchExpressions"][0]
    assert apps["values"] == ["todo-backend", "todo-frontend"]


def test_helm_test_logs_in_with_the_release_password(render) -> None:
    (pod,) = hook_pods(render(CHART))
    env = env_map(pod["spec"]["containers"][0])
    assert env["PGHOST"] == "todo-postgres"
    assert env["PGPASSWORD"] == {"secretKeyRef": {"name": "todo-postgres-credentials", "key": "password"}}


def test_role_and_database_names_must_be_plain_identifiers(render_error) -> None:
    assert "username" in render_error(CHART, {"auth": {"username": "Robert'); DROP TABLE"}})


def test_a_budget_that_keeps_the_single_instance_is_refused(render_error) -> None:
    message = render_error(CHART, {"podDisruptionBudget": {"enabled": True, "minAvailable": 1}})
    assert "todo-postgres: podDisruptionBudget.minAvailable 1 lets no pod be evicted" in message
