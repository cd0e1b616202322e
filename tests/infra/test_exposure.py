"""Only the frontend is reachable from outside the cluster; the backend answers nobody without a session."""

import requests
from todo_release import Deployment

BACKEND_SELECTOR = "app.kubernetes.io/instance=todo-backend"


def test_the_backend_service_is_cluster_internal(deployment: Deployment) -> None:
    for service in deployment.objects("services", BACKEND_SELECTOR):
        spec = service["spec"]
        assert spec["type"] == "ClusterIP", service["metadata"]["name"]
        assert not spec.get("externalIPs")
        assert all("nodePort" not in port for port in spec["ports"])


def test_every_port_open_on_the_nodes_leads_to_the_frontend(deployment: Deployment) -> None:
    exposed = [
        service
        for service in deployment.objects("services")
        if service["spec"]["type"] in ("NodePort", "LoadBalancer") or service["spec"].get("externalIPs")
    ]
    assert exposed, "the frontend should be exposed"
    for service in exposed:
        assert service["spec"]["selector"].get("app.kubernetes.io/instance") == "todo-frontend", service


def test_no_ingress_routes_to_the_backend(deployment: Deployment) -> None:
    backends = str([ingress["spec"] for ingress in deployment.objects("ingresses")])
    assert "todo-backend" not in backends


def test_the_proxy_refuses_requests_without_a_session(deployment: Deployment) -> None:
    origin = {"Origin": deployment.base_url}  # as the app's own pages send it
    for method, path in (("GET", "tasks"), ("POST", "chat"), ("GET", "conversations")):
        url = f"{deployment.base_url}/api/backend/{path}"
        response = requests.request(method, url, headers=origin, timeout=30)
        assert response.status_code == 401, (method, path, response.status_code)


def test_the_proxy_refuses_state_changes_that_name_no_origin(deployment: Deployment) -> None:
    """A cross-site `text/plain` form post carries the cookies but no Origin a page of ours would send."""
    response = requests.post(
        f"{deployment.base_url}/api/backend/tasks",
        data='{"title": "forged"}',
        headers={"Content-Type": "text/plain"},
        timeout=30,
    )
    assert response.status_code == 403, response.text
