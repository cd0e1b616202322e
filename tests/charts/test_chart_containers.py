"""The charts' pods, run in Docker from their rendered specs against the real images.

This checks the contract between each chart and its image that rendering alone cannot: the migration
command, the environment variable names, the probes, the uids and the read-only root filesystem, the
preStop command and the helm test pods. Run `python -m pytest tests/charts --chart-containers` after
`invoke images.build`.
"""

from collections.abc import Iterator
from typing import Any

import docker
import pytest
from chart_objects import hook_pods, of_kind, pod_spec
from pod_runner import FakeCluster, start_until_ready

from ops import images

pytestmark = pytest.mark.containers

DB_PASSWORD = "container-test-password"
DATABASE_URL = f"postgresql://todo:{DB_PASSWORD}@todo-postgres:5432/todo"
SECRETS = {
    "todo-postgres-credentials": {"password": DB_PASSWORD},
    "todo-backend-credentials": {"database-url": DATABASE_URL},
    "todo-frontend-credentials": {
        "database-url": DATABASE_URL,
        "better-auth-secret": "container-test-better-auth-secret-0123456789",
    },
}


def app_image(client: docker.DockerClient, service: str) -> dict[str, Any]:
    """The image `invoke images.build` makes from the current tree, as chart values."""
    reference = images.image_reference(images.SERVICES[service])
    if not images.image_exists(client, reference):
        pytest.fail(f"image {reference} is missing: build it with `invoke images.build`")
    repository, tag = reference.rsplit(":", 1)
    return {"image": {"repository": repository, "tag": tag}}


@pytest.fixture(scope="module")
def docker_client() -> docker.DockerClient:
    return images.docker_client()


@pytest.fixture
def cluster(docker_client: docker.DockerClient) -> Iterator[FakeCluster]:
    network = docker_client.networks.create("todo-chart-containers", driver="bridge")
    fake = FakeCluster(docker_client, network.name, secrets=SECRETS)
    yield fake
    fake.remove_all()
    network.remove()


@pytest.fixture
def database(cluster: FakeCluster, render) -> dict[str, Any]:
    """todo-postgres, ready, as the alias `todo-postgres`; its objects for the test to inspect."""
    objects = render("todo-postgres", {"persistence": {"enabled": False}})
    start_until_ready(cluster, pod_spec(objects), "todo-postgres")
    return {"objects": objects}


def passes_helm_test(cluster: FakeCluster, objects: list[dict[str, Any]]) -> None:
    (pod,) = hook_pods(objects)
    code, output = cluster.run_to_completion(pod["spec"]["containers"][0], pod["spec"])
    assert code == 0, f"helm test pod {pod['metadata']['name']} failed:\n{output}"


def test_postgres_runs_read_only_as_999_and_shuts_down_fast(cluster: FakeCluster, database) -> None:
    objects = database["objects"]
    passes_helm_test(cluster, objects)
    server = cluster.started[0]
    server.exec_run(pod_spec(objects)["containers"][0]["lifecycle"]["preStop"]["exec"]["command"])
    assert server.wait(timeout=60)["StatusCode"] == 0
    assert "fast shutdown request" in server.logs().decode()


def test_backend_migrates_then_serves_health_and_ready(
    cluster: FakeCluster, database, render, docker_client
) -> None:
    objects = render("todo-backend", app_image(docker_client, "backend"))
    cluster.config_maps = {item["metadata"]["name"]: item["data"] for item in of_kind(objects, "ConfigMap")}
    start_until_ready(cluster, pod_spec(objects), "todo-backend")
    passes_helm_test(cluster, objects)


def test_frontend_serves_health_and_the_jwks(cluster: FakeCluster, database, render, docker_client) -> None:
    objects = render("todo-frontend", app_image(docker_client, "frontend"))
    cluster.config_maps = {item["metadata"]["name"]: item["data"] for item in of_kind(objects, "ConfigMap")}
    start_until_ready(cluster, pod_spec(objects), "todo-frontend")
    passes_helm_test(cluster, objects)
