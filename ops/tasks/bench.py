"""`invoke bench`: measure the deployed release along the user's path (see ops/loadtest.py)."""

import socket

from invoke import Collection, Context, task

from ops.loadtest import Client, Plan, backend_token, port_forward, run, sign_out, sign_up
from ops.settings import load_settings
from ops.shell import Shell
from ops.targets import kubectl, public_url


@task(
    help={
        "seconds": "stop after this long (default 20)",
        "requests": "or after this many requests (default 20000)",
        "concurrency": "requests in flight (default 32)",
        "backend": "load the backend alone, through kubectl port-forward (default: the frontend's proxy)",
        "target": "minikube, kind or context (default: cluster.target in invoke.yaml)",
    }
)
def bench(
    c: Context,
    seconds: int = 20,
    requests: int = 20_000,
    concurrency: int = 32,
    backend: bool = False,
    target: str | None = None,
) -> None:
    """A bounded load test of the release: a throwaway user lists, adds and deletes tasks; req/s, p50/p95."""
    plan = Plan(seconds, requests, concurrency)
    settings = load_settings(c, target=target)
    base_url = public_url(Shell(c), settings).rstrip("/")
    user = sign_up(base_url)
    try:
        if backend:
            token, user_id = backend_token(user)
            with port_forward(kubectl(settings), free_local_port()) as url:
                bearer = {"Authorization": f"Bearer {token}"}
                label = f"backend via port-forward, c={concurrency}"
                run(plan, lambda: Client(url, bearer), f"/api/{user_id}", label)
        else:
            run(plan, user.copy, "/api/backend", f"{base_url} through the proxy, c={concurrency}")
    finally:
        sign_out(user)


def free_local_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


ns = Collection(bench)  # no settings of its own: the cluster's (ops/tasks/cluster.py)
