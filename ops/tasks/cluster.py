"""Day-to-day tasks: deploy, reset, destroy, status, logs, doctor. The work happens in ops/ modules."""

from invoke import Collection, Context, task

from ops import deploy as deployment
from ops import doctor as diagnosis
from ops import observe
from ops.settings import Settings, load_settings
from ops.shell import Shell

TARGET_HELP = "minikube, kind or context (default: cluster.target in invoke.yaml)"
DEPLOY_HELP = {
    "target": TARGET_HELP,
    "kube-context": "target context: the kubeconfig context (default: the current one)",
    "registry": "target context: registry the cluster pulls from, e.g. 127.0.0.1:5000",
    "env-file": "secrets and settings file (default: env/local.env)",
    "generate-secrets": "create missing secrets: auto (minikube/kind only), yes or no",
    "dry-run": "print the commands that change something instead of running them",
}
Flag = str | None


def deploy_settings(
    c: Context, target: Flag, kube_context: Flag, registry: Flag, env_file: Flag, generate_secrets: Flag
) -> Settings:
    return load_settings(c, target=target, kube_context=kube_context, registry=registry, env_file=env_file,
                         generate_secrets=generate_secrets)  # fmt: skip


@task(help=DEPLOY_HELP)
def deploy(c: Context, target: Flag = None, kube_context: Flag = None, registry: Flag = None,
           env_file: Flag = None, generate_secrets: Flag = None, dry_run: bool = False) -> None:  # fmt: skip
    """Build the images, get them into the cluster, install the Helm releases and smoke-test them.

    Safe to run again: unchanged images are neither rebuilt nor pushed, and Helm upgrades in place.
    """
    settings = deploy_settings(c, target, kube_context, registry, env_file, generate_secrets)
    deployment.deploy(c, settings, dry=dry_run)


@task(help=DEPLOY_HELP)
def reset(c: Context, target: Flag = None, kube_context: Flag = None, registry: Flag = None,
          env_file: Flag = None, generate_secrets: Flag = None, dry_run: bool = False) -> None:  # fmt: skip
    """Tear everything down (data too), deploy from scratch, report the time until every pod is Ready."""
    settings = deploy_settings(c, target, kube_context, registry, env_file, generate_secrets)
    deployment.reset(c, settings, dry=dry_run)


@task(help={"target": TARGET_HELP, "dry-run": DEPLOY_HELP["dry-run"]})
def destroy(c: Context, target: Flag = None, dry_run: bool = False) -> None:
    """Remove the deployment and its data: minikube/kind delete the cluster; context deletes the namespace."""
    deployment.destroy(c, load_settings(c, target=target), dry=dry_run)


@task(help={"target": TARGET_HELP})
def status(c: Context, target: Flag = None) -> None:
    """Show the Helm releases, pods, services and the frontend's URL."""
    observe.status(Shell(c), load_settings(c, target=target))


@task(
    help={
        "service": "backend, frontend or postgres (default: all three)",
        "follow": "keep streaming new lines",
        "target": TARGET_HELP,
    }
)
def logs(c: Context, service: Flag = None, follow: bool = False, target: Flag = None) -> None:
    """Print the last log lines of a service's pods (all containers), or stream them with -f."""
    observe.logs(Shell(c), load_settings(c, target=target), service, follow)


@task(help={"target": TARGET_HELP})
def doctor(c: Context, target: Flag = None) -> None:
    """Explain a failing deployment: unschedulable pods, crash loops and their logs, failing probes."""
    diagnosis.doctor(Shell(c), load_settings(c, target=target))


ns = Collection(deploy, reset, destroy, status, logs, doctor)
ns.configure(
    {
        # Where the system runs.
        "cluster": {
            "target": "minikube",  # minikube | kind | context (any kubeconfig context plus a registry)
            "namespace": "todo",  # every Helm release is installed into this namespace
            "kubeconfig": "",  # kubeconfig file; empty: kubectl's default ($KUBECONFIG or ~/.kube/config)
            "kube_context": "",  # target context: the kubeconfig context; empty: the current context
            "registry": "",  # target context: the registry the cluster pulls from, host:port
            "public_url": "",  # the frontend's URL as the browser sees it; empty: node address + NodePort
            "kubernetes_version": "v1.31.14",  # target minikube: a new cluster's Kubernetes (CI's)
            "minikube_profile": "todo",  # target minikube: profile name (also the kubeconfig context)
            "minikube_driver": "docker",  # target minikube: docker or podman publish on 127.0.0.1
            "minikube_cpus": 2,  # target minikube: CPUs for a new cluster
            "minikube_memory": 4096,  # target minikube: memory in MiB for a new cluster
            "kind_name": "todo",  # target kind: cluster name (kubeconfig context kind-<name>)
            "kind_node_image": "",  # target kind: node image for a new cluster; empty: kind's default
        },
        # How `invoke deploy` installs the releases.
        "deploy": {
            "env_file": "env/local.env",  # secrets, per-environment settings: env/example.env
            "generate_secrets": "auto",  # auto: create missing secrets for minikube/kind only; yes; no
            "values_dir": "env/values",  # optional per-release overrides: <values_dir>/<release>.yaml
            "frontend_node_port": 30000,  # NodePort of the todo-frontend Service
            "helm_timeout": "5m",  # helm --wait limit per release
            "rollout_timeout": 300,  # seconds to wait for `kubectl rollout status`
            "smoke_timeout": 60,  # seconds the smoke request may retry before the deploy fails
            "ready_limit": 300,  # seconds `invoke reset` allows until every pod is Ready
        },
    }
)
