"""`invoke dev`: the backend's edit loop on a deployed release (see ops/dev.py)."""

from invoke import Collection, Context, task

from ops import dev as devloop
from ops.settings import load_settings

TARGET_HELP = "minikube, kind or context (default: cluster.target in invoke.yaml)"


@task(
    help={
        "once": "sync every backend file into every pod once, wait until they serve again, exit (a check)",
        "target": TARGET_HELP,
        "kube-context": "target context: the kubeconfig context (default: the current one)",
        "registry": "target context: registry the cluster pulls from, e.g. 127.0.0.1:5000",
    }
)
def dev(
    c: Context, once: bool = False, target: str | None = None, kube_context: str | None = None,
    registry: str | None = None,
) -> None:  # fmt: skip
    """Deploy the backend in dev mode, then sync each saved backend file into its pods, which reload.

    Watches backend/app and backend/migrations, copies a saved file into every running backend pod (uvicorn
    reloads there; a migration also runs `alembic upgrade head`) and prints how long until they serve again.
    Ctrl-C stops watching and leaves the dev deployment running; `invoke deploy` returns to production mode.
    """
    settings = load_settings(c, target=target, kube_context=kube_context, registry=registry)
    devloop.run(c, settings, once=once)


ns = Collection(dev)
ns.configure(
    {
        # The backend's edit loop, `invoke dev`.
        "dev": {
            "reload_timeout": 60,  # seconds a pod may take to serve again after a sync before it is reported
        }
    }
)
