"""`invoke doctor`: explain a failing deployment from the cluster's own records, no AI needed.

`diagnose` is a pure function of the pods, events and releases (so it is tested with recorded JSON);
`doctor` fetches them, adds the last log lines of crashing containers, and prints the findings.
"""

import re
from dataclasses import dataclass, field

from ops.errors import OpsError
from ops.preflight import check_cluster_reachable
from ops.progress import pod_ready
from ops.settings import Settings
from ops.shell import Shell, tail
from ops.targets import helm, kubectl

IMAGE_PULL_REASONS = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"}
CRASH_REASONS = {"CrashLoopBackOff", "Error", "OOMKilled", "RunContainerError"}
CONFIG_REASONS = {"CreateContainerConfigError", "CreateContainerError"}
LOG_LINES = 15
IMAGE_PULL_HINT = (
    "minikube/kind: `invoke deploy` loads the images into the node; target context: check cluster.registry "
    "and that the node can pull from it"
)


@dataclass
class Finding:
    subject: str  # e.g. "pod todo-backend-7d9c/api"
    problem: str
    hints: list[str] = field(default_factory=list)
    # (pod, container, previous run?) whose log explains the problem: the previous run's after a restart
    logs_of: tuple[str, str, bool] | None = None


def diagnose(
    pods: list[dict], events: list[dict], releases: list[dict], deployments: list[dict] | None = None
) -> list[Finding]:
    findings = [finding for release in releases for finding in release_findings(release)]
    settled = settled_deployments(deployments or [])
    for pod in pods:
        if not leaving_a_settled_rollout(pod, settled):
            findings += pod_findings(pod, events_of(pod, events))
    return findings


def current_events(pods: list[dict], events: list[dict]) -> list[dict]:
    """Events of the pods that exist now (same name and uid) and of other objects: a gone pod's are old."""
    uids = {pod["metadata"]["name"]: pod["metadata"].get("uid") for pod in pods}
    return [
        event
        for event in events
        if event.get("involvedObject", {}).get("kind") != "Pod" or is_current(event["involvedObject"], uids)
    ]


def is_current(subject: dict, uids: dict[str, str | None]) -> bool:
    name = subject.get("name")
    return name in uids and (not subject.get("uid") or not uids[name] or subject["uid"] == uids[name])


def events_of(pod: dict, events: list[dict]) -> list[dict]:
    return [
        event for event in events if event.get("involvedObject", {}).get("name") == pod["metadata"]["name"]
    ]


def settled_deployments(deployments: list[dict]) -> set[str]:
    """Deployments whose newest ReplicaSet runs every desired pod and all of them are available."""
    settled = set()
    for deployment in deployments:
        status, desired = deployment.get("status", {}), deployment.get("spec", {}).get("replicas", 1)
        current = status.get("observedGeneration", 0) >= deployment["metadata"].get("generation", 0)
        if (
            current
            and status.get("updatedReplicas", 0) >= desired
            and status.get("availableReplicas", 0) >= desired
        ):
            settled.add(deployment["metadata"]["name"])
    return settled


def leaving_a_settled_rollout(pod: dict, settled: set[str]) -> bool:
    """A pod being deleted (an old ReplicaSet's, after a rollout) while its Deployment is fully available."""
    metadata = pod["metadata"]
    if not metadata.get("deletionTimestamp"):
        return False
    template_hash = metadata.get("labels", {}).get("pod-template-hash")
    owners = [
        owner["name"] for owner in metadata.get("ownerReferences", []) if owner.get("kind") == "ReplicaSet"
    ]
    return bool(template_hash and owners) and owners[0].removesuffix(f"-{template_hash}") in settled


def release_findings(release: dict) -> list[Finding]:
    if release.get("status") == "deployed":
        return []
    return [
        Finding(
            f"release {release.get('name')}",
            f"Helm status is {release.get('status')!r} (revision {release.get('revision')})",
            [f"`helm history {release.get('name')}` shows what happened; `invoke deploy` retries"],
        )
    ]


def pod_findings(pod: dict, events: list[dict]) -> list[Finding]:
    name = pod["metadata"]["name"]
    status = pod.get("status", {})
    unscheduled = [
        cond
        for cond in status.get("conditions", [])
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False"
    ]
    if unscheduled:
        reason = unscheduled[0].get("message") or unscheduled[0].get("reason", "unknown")
        return [
            Finding(
                f"pod {name}",
                f"Pending: cannot be scheduled: {reason}",
                ["free capacity (smaller requests, a bigger node) or fix the volume claim it waits for"],
            )
        ]
    findings = []
    for container in status.get("initContainerStatuses", []) + status.get("containerStatuses", []):
        finding = container_finding(name, container, events)
        if finding:
            findings.append(finding)
    if not findings and not pod_ready(pod) and status.get("phase") != "Succeeded":
        findings.append(unready_finding(name, events))
    return findings


def container_finding(pod: str, container: dict, events: list[dict]) -> Finding | None:
    subject = f"pod {pod}, container {container['name']}"
    waiting = container.get("state", {}).get("waiting", {})
    reason = waiting.get("reason", "")
    message = waiting.get("message", "")
    if reason in IMAGE_PULL_REASONS:
        return pull_finding(subject, container.get("image", ""), reason, message, events)
    if reason in CONFIG_REASONS:
        return config_finding(subject, reason, message)
    # An init container that failed once is reported at once, not only after the back-off has grown.
    failed_now = container.get("state", {}).get("terminated")
    failed_now = failed_now if failed_now and failed_now.get("exitCode", 0) != 0 else None
    last = failed_now or container.get("lastState", {}).get("terminated")
    restarts = container.get("restartCount", 0)
    if reason in CRASH_REASONS or failed_now or (last and restarts > 0 and not container.get("ready")):
        loop = "failed" if restarts == 0 else f"crash loop, restarted {restarts} times"
        return Finding(
            subject,
            f"{loop}, {exit_text(last, reason)}",
            ["its last log lines follow"],
            logs_of=(pod, container["name"], failed_now is None),
        )
    return None


def exit_text(terminated: dict | None, reason: str) -> str:
    if not terminated:
        return reason
    text = f"last exit code {terminated.get('exitCode')} ({terminated.get('reason')})"
    message = (terminated.get("message") or "").strip()
    return f"{text}: {message}" if message else text


PULL_CAUSES = (
    # (pattern in the runtime's message, what it means, hint); the first match wins.
    (r"not found|manifest unknown|no such manifest", "tag {tag} not found in {registry}",
     "build and push it (`invoke deploy` does), or set image.tag to a tag that exists"),
    (r"unauthorized|denied|authentication required|forbidden", "{registry} refused access to {repository}",
     "give the pods credentials (image.pullSecrets) or make the repository public"),
    (r"connection refused|no such host|i/o timeout|dial tcp|network is unreachable|server misbehaving",
     "registry {registry} unreachable", "check cluster.registry and that the node can reach it"),
)  # fmt: skip


def pull_finding(subject: str, image: str, reason: str, message: str, events: list[dict]) -> Finding:
    """Name the cause of a failed pull from the runtime's own words (the latest `Failed` event of the pod)."""
    repository, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "latest")
    first = repository.split("/", 1)[0]
    registry = (
        first if "/" in repository and ("." in first or ":" in first or first == "localhost") else "docker.io"
    )
    if reason == "ErrImageNeverPull":
        return Finding(subject, f"image {image} is not on the node (pull policy Never)", [IMAGE_PULL_HINT])
    failures = [
        event.get("message", "") for event in events if event.get("reason") in ("Failed", "ErrImagePull")
    ]
    details = " ".join([message, *failures[-1:]])
    for pattern, problem, hint in PULL_CAUSES:
        if re.search(pattern, details, re.IGNORECASE):
            cause = problem.format(tag=tag, registry=registry, repository=repository)
            return Finding(subject, f"cannot pull image {image}: {cause}", [hint])
    return Finding(subject, f"cannot pull image {image}: {reason} {message}".strip(), [IMAGE_PULL_HINT])


CONFIG_CAUSES = (
    (r"couldn't find key (?P<key>\S+) in (?P<kind>Secret|ConfigMap) (?:\S+/)?(?P<name>\S+)",
     "{kind} {name} has no key {key}"),
    (r'(?P<kind>secret|configmap) "(?P<name>[^"]+)" not found', "{kind} {name} does not exist"),
)  # fmt: skip
KINDS = {"secret": "Secret", "configmap": "ConfigMap"}


def config_finding(subject: str, reason: str, message: str) -> Finding:
    """Name the Secret or ConfigMap (and key) that a container's environment refers to but cannot find."""
    hint = "`invoke deploy` recreates the Secrets it manages; a Secret of your own must hold that key"
    for pattern, problem in CONFIG_CAUSES:
        match = re.search(pattern, message, re.IGNORECASE)
        if match:
            fields = match.groupdict() | {"kind": KINDS[match["kind"].lower()]}
            return Finding(subject, f"{reason}: {problem.format(**fields)}", [hint])
    return Finding(subject, f"{reason}: {message}", [hint])


def unready_finding(pod: str, events: list[dict]) -> Finding:
    probe_failures = [
        event.get("message", "")
        for event in events
        if event.get("reason") == "Unhealthy" and event.get("involvedObject", {}).get("name") == pod
    ]
    if probe_failures:
        return Finding(
            f"pod {pod}",
            f"not Ready: probe failing: {probe_failures[-1]}",
            ["the readiness probe of the backend checks the database: is todo-postgres Ready?"],
        )
    return Finding(f"pod {pod}", f"not Ready (phase {pod_phase_text(pod, events)})")


def pod_phase_text(pod: str, events: list[dict]) -> str:
    latest = [event for event in events if event.get("involvedObject", {}).get("name") == pod]
    return latest[-1].get("message", "no events") if latest else "no events yet"


def warning_events(events: list[dict], limit: int = 10) -> list[str]:
    warnings = [event for event in events if event.get("type") == "Warning"]
    warnings.sort(key=lambda event: event.get("lastTimestamp") or event.get("eventTime") or "")
    return [
        f"{event.get('involvedObject', {}).get('kind')}/{event.get('involvedObject', {}).get('name')}: "
        f"{event.get('reason')}: {event.get('message', '').strip()} (x{event.get('count') or 1})"
        for event in warnings[-limit:]
    ]


def doctor(shell: Shell, settings: Settings) -> None:
    """Print what is wrong in the namespace and why; raise OpsError when something is."""
    check_cluster_reachable(shell, settings)
    pods = shell.query_json(kubectl(settings, "get", "pods", "-o", "json"), "cannot list pods")["items"]
    events = shell.query_json(kubectl(settings, "get", "events", "-o", "json"), "cannot list events")["items"]
    releases = shell.try_json(helm(settings, "list", "--all", "-o", "json")) or []
    deployments = (shell.try_json(kubectl(settings, "get", "deployments", "-o", "json")) or {}).get(
        "items", []
    )
    if not pods and not releases:
        raise OpsError(f"nothing is deployed in namespace {settings.namespace}: run `invoke deploy`")
    events = current_events(pods, events)
    findings = diagnose(pods, events, releases, deployments)
    for finding in findings:
        print_finding(shell, settings, finding)
    print_warnings(events)
    if findings:
        raise OpsError(f"{len(findings)} problem(s) found in namespace {settings.namespace}")
    print(f"no problems found: {len(pods)} pods Ready, {len(releases)} releases deployed")


def print_finding(shell: Shell, settings: Settings, finding: Finding) -> None:
    print(f"- {finding.subject}: {finding.problem}")
    for hint in finding.hints:
        print(f"    hint: {hint}")
    if finding.logs_of:
        pod, container, previous = finding.logs_of
        which = ["--previous"] if previous else []
        result = shell.attempt(kubectl(settings, "logs", pod, "-c", container, *which, f"--tail={LOG_LINES}"))
        if result.ok and result.stdout.strip():
            print("    " + tail(result.stdout, LOG_LINES).replace("\n", "\n    "))


def print_recent_warnings(shell: Shell, settings: Settings) -> None:
    """After a failed install (already rolled back, its pods gone) the events still say what went wrong."""
    events = shell.try_json(kubectl(settings, "get", "events", "-o", "json")) or {}
    print_warnings(events.get("items", []))


def print_warnings(events: list[dict]) -> None:
    warnings = warning_events(events)
    if warnings:
        print("recent warning events:\n  " + "\n  ".join(warnings), flush=True)
