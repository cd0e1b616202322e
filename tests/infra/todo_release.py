"""The deployed release as the end-to-end tests see it: kubectl and testinfra for the cluster, HTTP for users.

`invoke test.e2e` sets TODO_BASE_URL, TODO_NAMESPACE, TODO_KUBE_CONTEXT and TODO_KUBECONFIG.
"""

import json
import os
import subprocess
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
import testinfra
from testinfra.host import Host

from ops.settings import RELEASES

HTTP_TIMEOUT_SECONDS = 30  # one chat turn of the offline model is far quicker; this only bounds a hang
KUBECTL_TIMEOUT_SECONDS = 300
SIGN_UP_ATTEMPTS = 6


@dataclass(frozen=True)
class Deployment:
    base_url: str
    namespace: str
    context: str
    kubeconfig: str

    @classmethod
    def from_environment(cls) -> "Deployment | None":
        if not os.environ.get("TODO_BASE_URL"):
            return None
        return cls(
            base_url=os.environ["TODO_BASE_URL"].rstrip("/"),
            namespace=os.environ.get("TODO_NAMESPACE", "todo"),
            context=os.environ.get("TODO_KUBE_CONTEXT", ""),
            kubeconfig=os.environ.get("TODO_KUBECONFIG", ""),
        )

    def kubectl(self, *args: str) -> str:
        flags = [f"--kubeconfig={self.kubeconfig}"] if self.kubeconfig else []
        flags += [f"--context={self.context}"] if self.context else []
        result = run(["kubectl", *flags, "-n", self.namespace, *args])
        assert result.returncode == 0, f"kubectl {' '.join(args)} failed: {result.stderr}"
        return result.stdout

    def helm(self, *args: str) -> subprocess.CompletedProcess[str]:
        flags = [f"--kubeconfig={self.kubeconfig}"] if self.kubeconfig else []
        flags += [f"--kube-context={self.context}"] if self.context else []
        return run(["helm", *flags, "-n", self.namespace, *args])

    def objects(self, kind: str, selector: str = "") -> list[dict[str, Any]]:
        selection = ["-l", selector] if selector else []
        return json.loads(self.kubectl("get", kind, *selection, "-o", "json"))["items"]

    def pods(self, release: str | None = None) -> list[dict[str, Any]]:
        """The release's running pods (all three releases by default), without finished helm test pods."""
        releases = [release] if release else list(RELEASES)
        pods = self.objects("pods", f"app.kubernetes.io/instance in ({','.join(releases)})")
        return [pod for pod in pods if pod["status"].get("phase") not in ("Succeeded", "Failed")]

    def host(self, pod: str, container: str) -> Host:
        """testinfra's view from inside a container (kubectl exec)."""
        parameters = {"container": container, "namespace": self.namespace}
        parameters |= {"context": self.context} if self.context else {}
        parameters |= {"kubeconfig": self.kubeconfig} if self.kubeconfig else {}
        return testinfra.get_host(f"kubectl://{pod}?{urlencode(parameters)}")

    def wait_for_rollout(self, workload: str) -> None:
        self.kubectl("rollout", "status", workload, f"--timeout={KUBECTL_TIMEOUT_SECONDS}s")


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=KUBECTL_TIMEOUT_SECONDS, check=False
    )


class TodoUser:
    """A browser-like user of the frontend: a cookie session, the Origin header a browser sends."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Origin"] = base_url
        self.email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.base_url}{path}", timeout=HTTP_TIMEOUT_SECONDS, **kwargs)

    def sign_up(self) -> "TodoUser":
        """Sign up, waiting as Better Auth's rate limiter asks (it allows a few sign-ups per 10 s)."""
        body = {"email": self.email, "password": f"pw-{uuid.uuid4().hex}", "name": "E2E Tester"}
        for _ in range(SIGN_UP_ATTEMPTS):
            response = self.request("POST", "/api/auth/sign-up/email", json=body)
            if response.status_code != 429:
                break
            time.sleep(int(response.headers.get("X-Retry-After", "5")))
        assert response.status_code == 200, f"sign-up answered {response.status_code}: {response.text}"
        return self

    def backend(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """The backend's REST API for this user, through the frontend's proxy."""
        return self.request(method, f"/api/backend/{path}", **kwargs)

    def tasks(self, status: str = "all") -> list[dict[str, Any]]:
        response = self.backend("GET", "tasks", params={"status": status})
        assert response.status_code == 200, response.text
        return response.json()

    def add_task(self, title: str, description: str | None = None) -> dict[str, Any]:
        response = self.backend("POST", "tasks", json={"title": title, "description": description})
        assert response.status_code == 201, response.text
        return response.json()

    def chat(self, message: str, conversation_id: int | None = None) -> dict[str, Any]:
        response = self.backend("POST", "chat", json={"message": message, "conversation_id": conversation_id})
        assert response.status_code == 200, (
            f"chat {message!r} answered {response.status_code}: {response.text}"
        )
        return response.json()
