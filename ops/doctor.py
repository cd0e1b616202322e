"""`invoke doctor`: explain a failing deployment from the cluster's own records, no AI needed.

`diagnose` is a pure function of the pods, events and releases (so it is tested with recorded JSON);
`doctor` fetches them, adds the last log lines of crashing containers, and prints the findings.
"""

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
    logs_of: tuple[str, str] | None = None  # (pod, container) whose previous run's log explains the problem


def diagnose(pods: list[dict], events: list[dict], releases: list[dict]) -> list[Finding]:
    findings = [finding for release in releases for finding in release_findings(release)]
    for pod in pods:
        findings += pod_findings(pod, events)
    return findings


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
        finding = container_finding(name, container)
        if finding:
            findings.append(finding)
    if not findings and not pod_ready(pod) and status.get("phase") != "Succeeded":
        findings.append(unready_finding(name, events))
    return findings


def container_finding(pod: str, container: dict) -> Finding | None:
    subject = f"pod {pod}, container {container['name']}"
    waiting = container.get("state", {}).get("waiting", {})
    reason = waiting.get("reason", "")
    message = waiting.get("message", "")
    if reason in IMAGE_PULL_REASONS:
        return Finding(
            subject,
            f"cannot pull image {container.get('image')}: {reason} {message}".strip(),
            [IMAGE_PULL_HINT],
        )
    if reason in CONFIG_REASONS:
        return Finding(
            subject,
            f"{reason}: {message}",
            ["a Secret or ConfigMap it needs is missing or lacks a key: `invoke deploy` recreates them"],
        )
    last = container.get("lastState", {}).get("terminated")
    if reason in CRASH_REASONS or (
        last and container.get("restartCount", 0) > 0 and not container.get("ready")
    ):
        exit_info = f"last exit code {last.get('exitCode')} ({last.get('reason')})" if last else reason
        return Finding(
            subject,
            f"crash loop, restarted {container.get('restartCount', 0)} times, {exit_info}",
            ["its last log lines follow"],
            logs_of=(pod, container["name"]),
        )
    return None


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
    if not pods and not releases:
        raise OpsError(f"nothing is deployed in namespace {settings.namespace}: run `invoke deploy`")
    findings = diagnose(pods, events, releases)
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
        pod, container = finding.logs_of
        result = shell.attempt(
            kubectl(settings, "logs", pod, "-c", container, "--previous", f"--tail={LOG_LINES}")
        )
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
