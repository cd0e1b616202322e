"""`invoke dev`: which files each pod needs, the copy script (real sh and tar), a pod's restart read from its
log, and the sync loop against fake pods (one gone mid-sync, a syntax error, a migration, no pods)."""

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest
from runner_fakes import settings_for

from ops import dev
from ops.errors import OpsError
from ops.releases import release_values, set_flags
from ops.secrets import Secrets

# What uvicorn --reload and the backend print when a synced file restarts the server (from a real run).
RELOADED = [
    "WARNING:  StatReload detected changes in 'app/__init__.py'. Reloading...",
    '{"time": "t", "level": "INFO", "logger": "uvicorn.error", "message": "Shutting down"}',
    "INFO:     Started server process [29173]",
    '{"time": "t", "level": "INFO", "logger": "uvicorn.error", "message": "Application startup complete."}',
]
SYNTAX_ERROR = [
    "WARNING:  StatReload detected changes in 'app/main.py'. Reloading...",
    "Process SpawnProcess-3:",
    "Traceback (most recent call last):",
    '  File "/usr/local/lib/python3.11/multiprocessing/process.py", line 314, in _bootstrap',
    "    self.run()",
    '  File "<frozen importlib._bootstrap>", line 241, in _call_with_frames_removed',
    '  File "/app/app/main.py", line 11',
    "    x = (",
    "        ^",
    "SyntaxError: '(' was never closed",
]
OLD_SERVER = ['{"message": "request", "path": "/ready"}', '{"message": "Application startup complete."}']


# --- which files a pod needs --------------------------------------------------------------------------------


def test_a_new_pod_gets_what_differs_from_the_image() -> None:
    baseline = {"app/a.py": "1", "app/b.py": "1", "app/gone.py": "1"}
    current = {"app/a.py": "2", "app/b.py": "1", "app/new.py": "1"}
    assert dev.plan(current, baseline, {}) == ["app/a.py", "app/gone.py", "app/new.py"]


def test_a_pod_gets_only_what_it_does_not_hold_and_a_revert_is_sent_back() -> None:
    baseline = {"app/a.py": "1"}
    assert dev.plan({"app/a.py": "2"}, baseline, {"app/a.py": "2"}) == []
    assert dev.plan({"app/a.py": "1"}, baseline, {"app/a.py": "2"}) == ["app/a.py"]  # reverted to the image's


def test_a_file_an_earlier_session_synced_is_always_sent() -> None:
    assert dev.plan({"app/a.py": "1"}, {"app/a.py": "1"}, {"app/a.py": dev.UNKNOWN}) == ["app/a.py"]


def test_the_snapshot_skips_bytecode_caches_and_editor_files(tmp_path: Path) -> None:
    for name in ["app/main.py", "app/__pycache__/main.cpython-311.pyc", "app/.main.py.swp", "app/main.py~",
                 "migrations/versions/0001.py", "alembic.ini"]:  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    assert sorted(dev.snapshot(tmp_path)) == ["app/main.py", "migrations/versions/0001.py"]


# --- the copy script, with the real sh and tar --------------------------------------------------------------


def run_sync_script(local: Path, pod: Path, paths: list[str]) -> None:
    subprocess.run(
        ["sh", "-c", dev.SYNC_SCRIPT, "sh", str(pod), *dev.sync_arguments(local, paths)],
        input=dev.tar_of(local, paths),
        check=True,
    )


@pytest.mark.skipif(shutil.which("tar") is None, reason="tar is not installed")
def test_the_script_moves_files_in_deletes_records_them_and_cues_the_reloader(tmp_path: Path) -> None:
    local, pod = tmp_path / "local", tmp_path / "pod"
    trees = {
        local: {"app/__init__.py": "", "app/main.py": "new", "app/api/x.py": "x"},
        pod: {"app/__init__.py": "", "app/main.py": "old", "app/gone.py": "g"},
    }
    for root, files in trees.items():
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
    os.utime(pod / "app/__init__.py", (1, 1))
    run_sync_script(local, pod, ["app/api/x.py", "app/gone.py", "app/main.py"])
    assert (pod / "app/main.py").read_text() == "new"
    assert (pod / "app/api/x.py").read_text() == "x"  # a new directory too
    assert not (pod / "app/gone.py").exists()
    assert dev.parse_marker((pod / dev.MARKER).read_text()) == {
        "app/api/x.py": hashlib.sha256(b"x").hexdigest(),
        "app/gone.py": None,
        "app/main.py": hashlib.sha256(b"new").hexdigest(),
    }
    assert (pod / "app/__init__.py").stat().st_mtime > 1  # touched: the reloader restarts the server
    assert sorted(path.name for path in pod.iterdir()) == [dev.MARKER, "app"]  # no staging directory left


# --- what a pod's log says ----------------------------------------------------------------------------------


def watch_lines(lines: Iterable[str]) -> dev.Restart | None:
    watch = dev.RestartWatch()
    return next((outcome for line in lines if (outcome := watch.feed(line)) is not None), None)


def test_the_server_serves_again_once_the_new_one_has_started() -> None:
    assert watch_lines(RELOADED) == dev.Restart()


def test_lines_of_the_old_server_before_the_reload_do_not_count() -> None:
    assert watch_lines(OLD_SERVER) is None
    assert watch_lines(OLD_SERVER + RELOADED[:-1]) is None


def test_a_syntax_error_is_named_with_its_file_and_line() -> None:
    assert watch_lines(SYNTAX_ERROR) == dev.Restart(
        error="SyntaxError: '(' was never closed (app/main.py, line 11)"
    )


def test_a_failing_startup_logged_as_json_is_reported() -> None:
    failed = {"message": "Application startup failed. Exiting.", "level": "ERROR"}
    assert watch_lines([RELOADED[0], json.dumps(failed)]) == dev.Restart(
        error="Application startup failed. Exiting."
    )


# --- the loop, against fake pods ----------------------------------------------------------------------------


class FakeStream:
    def __init__(self, pods: "FakePods", pod: str) -> None:
        self.pods, self.pod, self.lines, self.closed = pods, pod, [], False

    def drain(self) -> None:
        self.lines.clear()

    def next_line(self, timeout: float) -> str | None:
        return self.lines.pop(0) if self.lines else None

    def alive(self) -> bool:
        return not self.closed and self.pod in self.pods.pods

    def close(self) -> None:
        self.closed = True


class FakePods:
    """Pods that answer a copy with the given log lines. `replace` makes a pod vanish on its next copy (its
    successor starts after one listing as starting); a pod in `starting` starts after that many listings."""

    def __init__(self, *pods: str, answer: list[str] = RELOADED, markers: dict | None = None) -> None:
        self.pods = list(pods)
        self.starting: dict[str, int] = {}
        self.answer = answer
        self.markers = markers or {}
        self.copies: list[tuple[str, list[str]]] = []
        self.streams: dict[str, FakeStream] = {}
        self.replace: dict[str, str] = {}  # pod -> its successor
        self.migrated: list[str] = []

    def listing(self) -> dev.Listing:
        for pod, listings in list(self.starting.items()):
            if listings == 0:
                del self.starting[pod]
                self.pods.append(pod)
            else:
                self.starting[pod] = listings - 1
        return dev.Listing(list(self.pods), list(self.starting))

    def marker(self, pod: str) -> dict[str, str | None]:
        return self.markers.get(pod, {})

    def copy(self, pod: str, archive: bytes, arguments: list[str]) -> None:
        if pod in self.replace:
            self.pods.remove(pod)
            self.starting[self.replace.pop(pod)] = 1
            raise dev.PodGone(pod)
        self.copies.append((pod, arguments))
        self.streams[pod].lines.extend(self.answer)

    def follow(self, pod: str) -> FakeStream:
        self.streams[pod] = FakeStream(self, pod)
        return self.streams[pod]

    def migrate(self, pod: str) -> str:
        self.migrated.append(pod)
        return "migrations: Running upgrade 0003 -> 0004"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("app/__init__.py", "app/main.py", "migrations/versions/0001.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\n")
    return tmp_path


def session(tree: Path, pods: FakePods, timeout: float = 5) -> dev.Session:
    return dev.Session(tree, dev.snapshot(tree), pods, reload_timeout=timeout)


def test_a_saved_file_goes_to_every_pod_which_then_serves_again(tree: Path) -> None:
    pods = FakePods("pod-a", "pod-b")
    loop = session(tree, pods)
    assert loop.sync().summary() == "in step: 2 pods already held these files"
    (tree / "app/main.py").write_text("changed = True\n")
    report = loop.sync()
    assert sorted(pods.copies) == [("pod-a", ["+app/main.py"]), ("pod-b", ["+app/main.py"])]
    assert report.summary().startswith("synced 1 file to 2 pods, serving again in ")
    assert loop.sync().summary().startswith("in step")  # nothing new: nothing copied
    assert len(pods.copies) == 2


def test_a_pod_gone_mid_sync_is_left_to_its_successor_which_gets_every_change(tree: Path) -> None:
    pods = FakePods("pod-a", "pod-b")
    loop = session(tree, pods)
    (tree / "app/main.py").write_text("first = True\n")
    loop.sync()
    (tree / "app/new.py").write_text("second = True\n")
    pods.replace = {"pod-a": "pod-c"}  # pod-a is deleted as the copy starts
    report = loop.sync()
    assert ("pod-c", ["+app/main.py", "+app/new.py"]) in pods.copies  # the first change too
    assert sorted(result.pod for result in report.pods) == ["pod-b", "pod-c"]
    assert report.summary().startswith("synced 2 files to 2 pods, serving again")


def test_a_syntax_error_is_shown_and_the_next_save_is_synced_again(tree: Path) -> None:
    pods = FakePods("pod-a", answer=SYNTAX_ERROR)
    loop = session(tree, pods)
    (tree / "app/main.py").write_text("x = (\n")
    report = loop.sync()
    assert re.fullmatch(
        r"synced 1 file to 1 pod; not serving after \d+\.\d s: "
        r"SyntaxError: '\(' was never closed \(app/main.py, line 11\) in pod-a",
        report.summary(),
    )
    with pytest.raises(OpsError, match="SyntaxError"):
        report.raise_for_failures()
    pods.answer = RELOADED
    (tree / "app/main.py").write_text("x = ()\n")
    assert loop.sync().failures == []


def test_a_starting_pod_is_waited_for_and_gets_the_changes(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dev, "STARTING_POLL_SECONDS", 0)
    pods = FakePods("pod-a")
    pods.starting = {"pod-b": 2}  # a pod deleted between saves has a successor on its way
    loop = session(tree, pods)
    (tree / "app/main.py").write_text("changed = True\n")
    report = loop.sync()
    assert sorted(pods.copies) == [("pod-a", ["+app/main.py"]), ("pod-b", ["+app/main.py"])]
    assert report.failures == []


def test_a_pod_that_never_starts_is_reported_after_the_timeout(tree: Path, monkeypatch) -> None:
    monkeypatch.setattr(dev, "STARTING_POLL_SECONDS", 0.05)
    pods = FakePods("pod-a")
    pods.starting = {"pod-b": 10**6}
    loop = session(tree, pods, timeout=0.2)
    (tree / "app/main.py").write_text("changed = True\n")
    report = loop.sync()
    assert report.summary().endswith(f"s: {dev.STARTING_ERROR} in pod-b")
    assert report.summary().startswith("synced 1 file to 1 pod; not serving after ")


def test_between_saves_a_new_pod_is_synced_and_starting_ones_are_not_waited_for(tree: Path) -> None:
    pods = FakePods("pod-a")
    loop = session(tree, pods)
    (tree / "app/main.py").write_text("changed = True\n")
    loop.sync()
    pods.pods.append("pod-b")  # a deleted pod's successor, started between two saves
    pods.starting = {"pod-c": 10**6}
    report = loop.sync(wait=False)
    assert pods.copies[-1] == ("pod-b", ["+app/main.py"])
    assert report.failures == []


def test_a_pod_that_never_restarts_is_reported_after_the_timeout(tree: Path) -> None:
    pods = FakePods("pod-a", answer=OLD_SERVER)
    loop = session(tree, pods, timeout=0.2)
    (tree / "app/main.py").write_text("quiet = True\n")
    (failure,) = loop.sync().failures
    assert failure.error.startswith("no restart within 0 s after the sync")


def test_a_changed_migration_runs_the_migrations_once(tree: Path) -> None:
    pods = FakePods("pod-a", "pod-b")
    loop = session(tree, pods)
    (tree / "migrations/versions/0004.py").write_text("revision = '0004'\n")
    report = loop.sync()
    assert pods.migrated == ["pod-a"]
    assert report.lines()[1] == "migrations: Running upgrade 0003 -> 0004"
    (tree / "app/main.py").write_text("changed = True\n")
    loop.sync()
    assert pods.migrated == ["pod-a"]


def test_files_an_earlier_session_synced_are_put_back_to_the_tree(tree: Path) -> None:
    in_step = hashlib.sha256((tree / "app/__init__.py").read_bytes()).hexdigest()
    marker = f"0123  app/main.py\n{in_step}  app/__init__.py\n-  app/gone.py\nabcd  app/removed.py\n"
    pods = FakePods("pod-a", markers={"pod-a": dev.parse_marker(marker)})
    session(tree, pods).sync()
    # what differs from the tree goes back; the file it holds as the tree has it, and one gone in both, stay
    assert pods.copies == [("pod-a", ["+app/main.py", "-app/removed.py"])]


def test_the_last_marker_line_of_a_path_holds() -> None:
    assert dev.parse_marker("aa  app/a.py\n-  app/a.py\nbb  app/b.py\n\n") == {
        "app/a.py": None,
        "app/b.py": "bb",
    }


def test_once_sends_every_file(tree: Path) -> None:
    pods = FakePods("pod-a")
    session(tree, pods).sync(everything=True)
    assert pods.copies == [("pod-a", ["+app/__init__.py", "+app/main.py", "+migrations/versions/0001.py"])]


def test_no_running_pod_is_a_clear_error(tree: Path) -> None:
    with pytest.raises(OpsError, match=r"no todo-backend pod is running: is the release deployed\?"):
        session(tree, FakePods()).sync()


# --- the kubectl side ---------------------------------------------------------------------------------------


def pod(name: str, command: list[str] | None, started: bool = True, deleting: bool = False) -> dict:
    metadata = {"name": name, **({"deletionTimestamp": "2026-01-01T00:00:00Z"} if deleting else {})}
    container = {"name": "api", **({"command": command} if command else {})}
    state = {"state": {"running": {}}, "started": started, "name": "api"}
    return {
        "metadata": metadata,
        "spec": {"containers": [container]},
        "status": {"containerStatuses": [state]},
    }


DEV_COMMAND = ["uvicorn", "app.main:app", "--reload"]


def kubectl_answering(stdout: object, returncode: int = 0, stderr: bytes = b""):
    def run(command: list[str], **_options: object) -> subprocess.CompletedProcess:
        output = stdout if isinstance(stdout, bytes) else json.dumps(stdout).encode()
        return subprocess.CompletedProcess(command, returncode, output, stderr)

    return run


def test_dev_pods_are_started_or_starting_and_one_being_deleted_is_neither(tmp_path: Path) -> None:
    items = [
        pod("a", DEV_COMMAND),
        pod("b", DEV_COMMAND, started=False),
        pod("c", DEV_COMMAND, deleting=True),
    ]
    pods = dev.KubectlPods(settings_for("minikube", tmp_path / "env"), kubectl_answering({"items": items}))
    assert pods.listing() == dev.Listing(["a"], ["b"])


def test_production_pods_are_a_clear_error(tmp_path: Path) -> None:
    pods = dev.KubectlPods(
        settings_for("minikube", tmp_path / "env"), kubectl_answering({"items": [pod("a", None)]})
    )
    with pytest.raises(OpsError, match=r"todo-backend runs in production mode \(a\): `invoke dev` deploys"):
        pods.listing()


def test_an_unreachable_cluster_is_a_clear_error(tmp_path: Path) -> None:
    refused = kubectl_answering(b"", 1, b"The connection to the server 127.0.0.1:8443 was refused")
    pods = dev.KubectlPods(settings_for("minikube", tmp_path / "env"), refused)
    with pytest.raises(
        OpsError, match=r"cannot list the todo-backend pods \(is the cluster up\?.*\n.*refused"
    ):
        pods.listing()


# --- the deploy's values ------------------------------------------------------------------------------------


def test_dev_mode_is_set_on_for_invoke_dev_and_off_for_every_other_deploy(tmp_path: Path) -> None:
    settings = settings_for("minikube", tmp_path / "env")
    secrets = Secrets("s" * 40, "postgresql://todo:pw@todo-postgres:5432/todo", "pw", "", "", "", "")
    url = "http://127.0.0.1:30000"
    assert release_values("todo-backend", settings, secrets, {}, url)["dev.enabled"] is False
    values = release_values("todo-backend", settings, secrets, {}, url, dev=True)
    assert set_flags({"dev.enabled": values["dev.enabled"]}) == ["--set", "dev.enabled=true"]
    assert "dev.enabled" not in release_values("todo-frontend", settings, secrets, {}, url, dev=True)
