"""The Kubernetes side of a deploy: namespace, Secrets, Helm releases, rollouts and the smoke request."""

import hashlib
import time

import requests
import yaml

from ops.errors import OpsError
from ops.secrets import Secrets
from ops.settings import Settings
from ops.shell import FILE, Shell, tail
from ops.targets import helm, kubectl

SECRET_NAMES = {
    "todo-postgres": "todo-postgres-credentials",
    "todo-backend": "todo-backend-credentials",
    "todo-frontend": "todo-frontend-credentials",
}

# The key of an external database's CA in the backend's and frontend's Secrets (the charts' database.caKey).
DATABASE_CA_KEY = "database-ca.crt"


# Pod Security Admission: every pod of the releases meets the `restricted` profile, so the namespace
# enforces it (and warns and audits), pinned to the oldest Kubernetes the charts support so that a cluster
# upgrade cannot tighten the rules under a running release.
POD_SECURITY_VERSION = "v1.30"
POD_SECURITY_LABELS = {
    f"pod-security.kubernetes.io/{mode}{suffix}": value
    for mode in ("enforce", "warn", "audit")
    for suffix, value in (("", "restricted"), ("-version", POD_SECURITY_VERSION))
}


def releases_for(secrets: Secrets) -> list[str]:
    """The releases to install, in dependency order; an external database needs no todo-postgres."""
    releases = ["todo-backend", "todo-frontend"]
    return ["todo-postgres", *releases] if secrets.embedded_database else releases


def secret_data(release: str, secrets: Secrets) -> dict[str, str]:
    """Each release's Secret holds only the keys its pods use (docs/architecture.md names them)."""
    if release == "todo-postgres":
        return {"password": secrets.postgres_password}
    data = {"database-url": secrets.database_url, "better-auth-secret": secrets.better_auth_secret}
    if secrets.database_ca:
        data[DATABASE_CA_KEY] = secrets.database_ca
    if release == "todo-backend" and secrets.openai_api_key:
        data["openai-api-key"] = secrets.openai_api_key
    if release == "todo-frontend" and secrets.chatkit_domain_key:
        data["chatkit-domain-key"] = secrets.chatkit_domain_key
    return data


def secret_manifest(settings: Settings, releases: list[str], secrets: Secrets) -> str:
    """Namespace and Secrets as one YAML stream for `kubectl apply`, never on a command line."""
    labels = {"app.kubernetes.io/part-of": "todo", "app.kubernetes.io/managed-by": "invoke"}
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": settings.namespace, "labels": {**labels, **POD_SECURITY_LABELS}},
    }
    documents = [namespace] + [
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {"name": SECRET_NAMES[release], "namespace": settings.namespace, "labels": labels},
            "stringData": secret_data(release, secrets),
        }
        for release in releases
    ]
    return yaml.safe_dump_all(documents, sort_keys=False)


def apply_secrets(shell: Shell, settings: Settings, releases: list[str], secrets: Secrets) -> None:
    shell.change_with_file(
        kubectl(settings, "apply", "-f", FILE, namespaced=False),
        secret_manifest(settings, releases, secrets),
        "could not create the namespace and its Secrets",
    )


def checksum(data: dict[str, str]) -> str:
    """A fingerprint of a Secret's content: as a pod annotation it rolls the pods when the Secret changes."""
    return hashlib.sha256(yaml.safe_dump(data, sort_keys=True).encode()).hexdigest()[:16]


def release_values(
    release: str, settings: Settings, secrets: Secrets, images: dict[str, str], url: str, dev: bool = False
) -> dict[str, str | int]:
    """The values the runner sets on each chart; users add their own in <values_dir>/<release>.yaml.

    The backend's dev mode (`invoke dev`) is always set, on or off: a values file cannot leave it on."""
    values: dict[str, str | int] = {
        "existingSecret": SECRET_NAMES[release],
        "podAnnotations.checksum/credentials": checksum(secret_data(release, secrets)),
    }
    if release != "todo-postgres" and secrets.database_ca:
        values |= {"database.caSecret": SECRET_NAMES[release], "database.caKey": DATABASE_CA_KEY}
    if release in images:
        repository, tag = images[release].rsplit(":", 1)
        values |= {"image.repository": repository, "image.tag": tag}
    if release == "todo-frontend":
        values |= {
            "publicUrl": url,
            "service.type": "NodePort",
            "service.nodePort": settings.frontend_node_port,
        }
        if secrets.chat_ui:  # else the chart's value (its default, or a values file's)
            values["chatUi"] = secrets.chat_ui
    if release == "todo-backend":
        values["betterAuth.url"] = url
        values["dev.enabled"] = dev
        values |= model_values(secrets)
    return values


def model_values(secrets: Secrets) -> dict[str, str | int]:
    """The env file's model settings as the backend chart's values; unset ones keep the chart's defaults."""
    given = {
        "openaiModel": secrets.openai_model,
        "openaiBaseUrl": secrets.openai_base_url,
        "openaiApiFlavour": secrets.openai_api_flavour,
    }
    return {name: value for name, value in given.items() if value}


def user_values(settings: Settings, release: str) -> dict:
    """The user's own values file for a release (<values_dir>/<release>.yaml), or {} when there is none."""
    override = settings.path(settings.values_dir) / f"{release}.yaml"
    return (yaml.safe_load(override.read_text()) or {}) if override.is_file() else {}


def keep_live_scale(shell: Shell, settings: Settings, release: str, values: dict[str, str | int]) -> None:
    """Keep the replicas a running Deployment has (`kubectl scale`, an HPA) unless the user set replicaCount.

    The chart's default would otherwise scale a release the user resized back on every deploy.
    """
    if release == "todo-postgres" or "replicaCount" in user_values(settings, release):
        return
    result = shell.attempt(
        kubectl(
            settings,
            "get",
            "deployment",
            "-l",
            f"app.kubernetes.io/instance={release}",
            "-o",
            "jsonpath={.items[*].spec.replicas}",
        )
    )
    live = result.stdout.split() if result.ok else []
    if len(live) == 1 and live[0].isdigit():
        values["replicaCount"] = int(live[0])
        print(f"{release}: keeping its {live[0]} running replica(s) (set replicaCount to change it)")


def values_files(settings: Settings, release: str) -> list[str]:
    override = settings.path(settings.values_dir) / f"{release}.yaml"
    return ["--values", str(override)] if override.is_file() else []


def set_flags(values: dict[str, str | int]) -> list[str]:
    """`--set` for numbers and booleans, `--set-string` for text, so a tag such as 1234 stays a string for the
    schema."""
    return [
        flag
        for key, value in values.items()
        for flag in ("--set" if isinstance(value, int) else "--set-string", f"{key}={helm_value(value)}")
    ]


def helm_value(value: str | int) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def lint(shell: Shell, settings: Settings, release: str, values: dict[str, str | int]) -> None:
    """`helm lint` with the very values the install will use, so a typo fails before the cluster changes."""
    values_flags = [*values_files(settings, release), *set_flags(values)]
    result = shell.attempt([settings.helm, "lint", str(settings.chart(release)), *values_flags])
    if result.failed:
        problems = [line.strip() for line in result.stdout.splitlines() if "[ERROR]" in line]
        raise OpsError(
            f"chart {release} rejects its values:\n" + "\n".join(problems or [tail(result.stderr)])
        )


def install(
    shell: Shell, settings: Settings, release: str, values: dict[str, str | int], helm_major: int
) -> None:
    """`helm upgrade --install --wait`, rolled back on failure: a bad upgrade leaves the old one serving."""
    rollback = "--rollback-on-failure" if helm_major >= 4 else "--atomic"
    shell.change(
        helm(
            settings,
            "upgrade",
            "--install",
            release,
            str(settings.chart(release)),
            "--wait",
            rollback,
            "--timeout",
            settings.helm_timeout,
            *values_files(settings, release),
            *set_flags(values),
        ),
        f"helm could not install or upgrade {release}; a failed upgrade is rolled back, so the previous "
        "release keeps serving",
    )
    if not shell.dry:
        print(f"{release} is deployed and Ready", flush=True)


def wait_for_rollouts(shell: Shell, settings: Settings, releases: list[str]) -> None:
    for release in releases:
        selector = f"app.kubernetes.io/instance={release}"
        names = shell.query(
            kubectl(settings, "get", "deployment,statefulset", "-l", selector, "-o", "name"),
            f"cannot list the workloads of {release}",
        ).split()
        for name in names:
            shell.query(
                kubectl(settings, "rollout", "status", name, f"--timeout={settings.rollout_timeout}s"),
                f"{name} did not finish rolling out; `invoke doctor` explains why",
            )


def smoke_test(url: str, timeout: int) -> None:
    """The frontend answers and reaches its database (the JWKS lives there); retries for `timeout` s."""
    deadline = time.monotonic() + timeout
    checks = (f"{url}/api/health", f"{url}/api/auth/jwks")
    while True:
        failure = first_failure(checks)
        if failure is None:
            return
        if time.monotonic() > deadline:
            raise OpsError(f"smoke test failed after {timeout}s: {failure}; `invoke doctor` explains why")
        time.sleep(2)


def first_failure(urls: tuple[str, ...]) -> str | None:
    for url in urls:
        try:
            response = requests.get(url, timeout=5)
        except requests.RequestException as error:
            return f"GET {url}: {error.__class__.__name__}"
        if response.status_code != 200:
            return f"GET {url} answered {response.status_code}"
    return None
