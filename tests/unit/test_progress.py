"""Progress output: the readiness line while Helm waits, and the phase summary."""

from ops.progress import PhaseClock, readiness_line


def pod(name: str, ready: bool, waiting: str = "") -> dict:
    state = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    return {
        "metadata": {"name": name},
        "status": {"phase": "Pending" if waiting else "Running",
                   "conditions": [{"type": "Ready", "status": str(ready)}],
                   "containerStatuses": [{"name": "c", "state": state}]},
    }  # fmt: skip


def test_readiness_line_names_the_pods_still_waiting() -> None:
    pods = {"items": [pod("todo-postgres-0", True), pod("todo-backend-1", False, "ContainerCreating")]}
    assert readiness_line(pods) == "1/2 pods Ready; waiting: todo-backend-1 (ContainerCreating)"


def test_the_summary_lists_every_phase_and_the_total() -> None:
    clock = PhaseClock()
    for name in ("preflight", "helm releases"):
        with clock.phase(name):
            pass
    lines = clock.summary().splitlines()
    assert lines[0] == "time per phase:"
    assert [line.split()[0] for line in lines[1:]] == ["preflight", "helm", "total"]
