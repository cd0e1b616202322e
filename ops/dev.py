"""`invoke dev`: the backend's edit loop. A saved file is copied into every running backend pod, whose uvicorn
(the chart's dev mode: `--reload`, /app a writable emptyDir) restarts on it; the loop waits until each pod
serves again, or shows why it does not.

The pure parts (which files a pod needs, what its log says after a sync) are apart from the `Pods` interface,
which `KubectlPods` implements with kubectl; the unit tests drive the loop with a fake of it.
"""

import hashlib
import json
import queue
import re
import subprocess
import tarfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Protocol

from invoke import Context
from watchfiles import DefaultFilter, watch

from ops import deploy as deployment
from ops.errors import OpsError
from ops.settings import Settings
from ops.shell import join, tail
from ops.targets import kubectl

# The directories of backend/ that the image copies to /app and `invoke dev` keeps in step.
WATCHED = ("app", "migrations")
# Touched after every sync: uvicorn's StatReload restarts on a newer mtime of a file it has already seen, so a
# new or deleted file alone would not restart it; one touch makes every sync one restart.
RELOAD_CUE = "app/__init__.py"
# In the pod's /app (not a *.py, so the reloader ignores it): `sha256sum` lines of every file synced into that
# pod (DELETED_MARK for a deleted one), so that a later `invoke dev` knows how it differs from the image (a
# pod outlives a session). The last line of a path holds.
MARKER = ".dev-synced"
DELETED_MARK = "-"
UNKNOWN = "?"  # never equal to a digest: a file held as UNKNOWN is sent
DELETED = None
RELEASE = "todo-backend"
CODE_DIR = "/app"  # the image's WORKDIR, a writable emptyDir in dev mode
CONTAINER = "api"
# In the code directory (its first argument, /app), unpacks the tar on stdin into a staging directory, then
# moves each file into place (a rename: the reloader never sees half a file), deletes the files named with a
# leading '-', records each in the marker and touches the reload cue. Paths are arguments, not script text.
SYNC_SCRIPT = f"""set -e
cd "$1"
shift
stage=.dev-sync-$$
mkdir -p "$stage"
tar -x -m -f - -C "$stage"
for arg in "$@"; do
  path=${{arg#?}}
  case "$arg" in
    +*) mkdir -p "$(dirname "$path")"; mv -f "$stage/$path" "$path"; sha256sum "$path" >> {MARKER} ;;
    -*) rm -f "$path"; echo "{DELETED_MARK}  $path" >> {MARKER} ;;
  esac
done
rm -rf "$stage"
touch {RELOAD_CUE}
"""
LOG_CONNECT_SECONDS = 5  # how long a new log stream may take to show the pod's last line
STARTING_POLL_SECONDS = 1
# Between saves, how often the loop looks for pods it has not met (a deleted pod's successor) to sync them.
IDLE_SECONDS = 5
STARTING_ERROR = "still not started: `invoke doctor` explains why"


# --- what each pod needs ------------------------------------------------------------------------------------


def watched(path: Path) -> bool:
    """A file `invoke dev` syncs: source files, not bytecode, caches, editors' swap files or hidden files."""
    name = path.name
    return not (
        "__pycache__" in path.parts
        or name.startswith((".", "#"))
        or name.endswith(("~", ".pyc", ".pyo", ".swp", ".swx", ".tmp"))
    )


def snapshot(root: Path) -> dict[str, str]:
    """Every watched file of root's WATCHED directories: its path relative to root (as in /app) -> sha256."""
    digests = {}
    for directory in WATCHED:
        for path in sorted((root / directory).rglob("*")):
            if path.is_file() and watched(path.relative_to(root)):
                digests[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def plan(current: Mapping[str, str], baseline: Mapping[str, str], pod: Mapping[str, str | None]) -> list[str]:
    """The paths a pod needs, sorted: where the local tree differs from what the pod holds. A pod holds the
    image's files (the baseline: the tree the image was built from) except those synced into it since."""
    paths = set(current) | set(baseline) | set(pod)
    return sorted(path for path in paths if current.get(path) != pod.get(path, baseline.get(path)))


def tar_of(root: Path, paths: Iterable[str]) -> bytes:
    """An uncompressed tar of the files (relative to root) that exist; deleted ones are sync arguments."""
    buffer = BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path in paths:
            if (root / path).is_file():
                archive.add(root / path, arcname=path, recursive=False)
    return buffer.getvalue()


def sync_arguments(root: Path, paths: Iterable[str]) -> list[str]:
    return [("+" if (root / path).is_file() else "-") + path for path in paths]


def parse_marker(text: str) -> dict[str, str | None]:
    """The marker's lines as path -> digest the pod holds (None: deleted); the last line of a path holds."""
    held: dict[str, str | None] = {}
    for line in text.splitlines():
        digest, _, path = line.partition("  ")
        if path:
            held[path] = DELETED if digest == DELETED_MARK else digest
    return held


# --- what a pod's log says after a sync ---------------------------------------------------------------------


@dataclass(frozen=True)
class Restart:
    """How a pod's server came back after a sync: `error` is None when it serves again."""

    error: str | None = None


def message_of(line: str) -> str:
    """The text of a log line: the backend logs JSON (message, and a logged exception's traceback); uvicorn's
    reloader and a crash before the app's logging is set up write plain lines."""
    if line.startswith("{"):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            return line
        if isinstance(entry, dict) and "message" in entry:
            exception = str(entry.get("exception") or "")
            return f"{entry['message']}\n{exception}".strip()
    return line


FILE_LINE = re.compile(r'^\s*File "(?:/app/)?([^"]+)", line (\d+)')
TRACEBACK_PROSE = ("Traceback", "During handling", "The above exception")


class RestartWatch:
    """Reads a pod's log lines after a sync: the reloader's "detected changes", then the new server's
    "Application startup complete." (it serves), or a traceback or "Application startup failed" (it does
    not)."""

    def __init__(self) -> None:
        self.reloading = False
        self.in_traceback = False
        self.location = ""

    def feed(self, line: str) -> Restart | None:
        for text in message_of(line).splitlines():
            outcome = self._feed_line(text.rstrip())
            if outcome is not None:
                return outcome
        return None

    def _feed_line(self, text: str) -> Restart | None:
        if "detected changes" in text:
            self.reloading = True
            return None
        if not self.reloading:
            return None  # the old server's lines (probes, requests) before the reloader noticed the sync
        if "Application startup complete" in text:
            return Restart()
        if text.startswith("Traceback"):
            self.in_traceback = True
        elif self.in_traceback:
            found = FILE_LINE.match(text)
            if found:
                self.location = f" ({found[1]}, line {found[2]})"
            elif text and not text[0].isspace() and not text.startswith(TRACEBACK_PROSE):
                return Restart(error=f"{text}{self.location}")  # the exception's own line ends a traceback
        elif "Application startup failed" in text:
            return Restart(error=text)
        return None


# --- the cluster side ---------------------------------------------------------------------------------------


class PodGone(Exception):
    """The pod went away (deleted, replaced) while it was being synced: the loop moves to its successor."""


class LogStream(Protocol):
    def drain(self) -> None: ...
    def next_line(self, timeout: float) -> str | None: ...
    def alive(self) -> bool: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Listing:
    """The release's dev-mode pods: those whose API container has started, and those still starting."""

    started: list[str]
    starting: list[str] = field(default_factory=list)


class Pods(Protocol):
    def listing(self) -> Listing: ...
    def marker(self, pod: str) -> dict[str, str | None]: ...
    def copy(self, pod: str, archive: bytes, arguments: list[str]) -> None: ...
    def follow(self, pod: str) -> LogStream: ...
    def migrate(self, pod: str) -> str: ...


# --- the loop -----------------------------------------------------------------------------------------------


@dataclass
class PodResult:
    pod: str
    paths: list[str]  # synced into it
    error: str | None = None  # why it does not serve again


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass
class Report:
    files: int
    pods: list[PodResult]
    seconds: float
    migrations: str = ""

    @property
    def failures(self) -> list[PodResult]:
        return [result for result in self.pods if result.error]

    def summary(self) -> str:
        synced = [result for result in self.pods if result.paths]
        if synced:
            head = f"synced {plural(self.files, 'file')} to {plural(len(synced), 'pod')}"
        else:
            head = f"in step: {plural(len(self.pods), 'pod')} already held these files"
        if self.failures:
            pods_by_error: dict[str, list[str]] = {}
            for result in self.failures:
                pods_by_error.setdefault(str(result.error), []).append(result.pod)
            errors = "; ".join(f"{error} in {', '.join(pods)}" for error, pods in pods_by_error.items())
            return f"{head}; not serving after {self.seconds:.1f} s: {errors}"
        return f"{head}, serving again in {self.seconds:.1f} s" if synced else head

    def lines(self) -> list[str]:
        return [self.summary(), *([self.migrations] if self.migrations else [])]

    def raise_for_failures(self) -> None:
        if self.failures:
            raise OpsError(self.summary())


@dataclass
class Session:
    """One `invoke dev`: the tree the image was built from (the baseline) and what each pod holds since."""

    root: Path
    baseline: dict[str, str]
    pods: Pods
    reload_timeout: float
    attempts: int = 3  # sync rounds when pods go away during one (a rollout, a deleted pod)
    held: dict[str, dict[str, str | None]] = field(default_factory=dict)  # pod -> path -> digest it holds
    streams: dict[str, LogStream] = field(default_factory=dict)

    def sync(self, everything: bool = False, started: float | None = None, wait: bool = True) -> Report:
        """Bring every pod in step with the tree and wait until each serves again (or fails to).

        A pod that goes away meanwhile is dropped, and a pod still starting (a deleted one's successor) is
        waited for (unless not `wait`): each one met for the first time gets every file that differs from the
        image. `everything` sends all files (a check)."""
        started = time.monotonic() if started is None else started
        current = snapshot(self.root)
        results: dict[str, PodResult] = {}
        for _ in range(self.attempts):
            listing = self._wait_for_starting_pods(started, wait)
            self._forget_all_but(listing.started)
            if everything:
                for pod in listing.started:
                    self._holdings(pod).update(dict.fromkeys(current, UNKNOWN))
                everything = False  # once: a successor gets what differs from the image
            outcomes = self._sync_all(listing.started, current)
            for pod, outcome in zip(listing.started, outcomes, strict=True):
                if outcome is not None and (outcome.paths or pod not in results):
                    results[pod] = outcome
            if all(outcome is not None for outcome in outcomes):  # none went away: done
                late = [PodResult(pod, [], STARTING_ERROR) for pod in listing.starting]  # after the timeout
                return self._report([results[pod] for pod in listing.started] + late, started)
        raise OpsError(
            f"{RELEASE} pods kept going away during the sync ({self.attempts} rounds): is a rollout running? "
            "Save again once `invoke status` shows them Running"
        )

    def _wait_for_starting_pods(self, started: float, wait: bool) -> Listing:
        """The pods once none is starting, or once the reload timeout has passed since `started`; without
        `wait`, the started ones at once."""
        while True:
            listing = self.pods.listing()
            if not listing.started and not listing.starting:
                raise OpsError(
                    f"no {RELEASE} pod is running: is the release deployed? (`invoke dev` deploys it, "
                    "`invoke status` shows what runs)"
                )
            if not wait:
                return Listing(listing.started)
            if not listing.starting or time.monotonic() - started > self.reload_timeout:
                return listing
            time.sleep(STARTING_POLL_SECONDS)

    def _report(self, results: list[PodResult], started: float) -> Report:
        synced = sorted({path for result in results for path in result.paths})
        migrations = any(path.startswith("migrations/") for path in synced)
        migrated = self._migrate(results[0].pod) if migrations and results else ""
        return Report(len(synced), results, time.monotonic() - started, migrated)

    def _sync_all(self, running: list[str], current: dict[str, str]) -> list[PodResult | None]:
        """All pods at once. Ctrl-C does not wait for the pods' restarts: `close` ends their log streams."""
        if not running:
            return []
        pool = ThreadPoolExecutor(max_workers=len(running))
        try:
            return list(pool.map(lambda pod: self._sync_pod(pod, current), running))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _migrate(self, pod: str) -> str:
        try:
            return self.pods.migrate(pod)
        except PodGone:
            return f"migrations not run: pod {pod} went away; `invoke deploy` or the next save runs them"

    def _holdings(self, pod: str) -> dict[str, str | None]:
        if pod not in self.held:
            # A pod met for the first time holds the image's files, except what an earlier session synced.
            self.held[pod] = self.pods.marker(pod)
        return self.held[pod]

    def _forget_all_but(self, running: list[str]) -> None:
        for pod in set(self.held) - set(running):
            del self.held[pod]
        for pod in set(self.streams) - set(running):
            self.streams.pop(pod).close()

    def _sync_pod(self, pod: str, current: dict[str, str]) -> PodResult | None:
        """Sync one pod and wait for its restart; None when it went away meanwhile."""
        try:
            holdings = self._holdings(pod)
            paths = plan(current, self.baseline, holdings)
            if not paths:
                return PodResult(pod, [])
            stream = self._stream(pod)
            stream.drain()
            self.pods.copy(pod, tar_of(self.root, paths), sync_arguments(self.root, paths))
            holdings.update({path: current.get(path, DELETED) for path in paths})
            return PodResult(pod, paths, self._wait_for_restart(pod, stream))
        except PodGone:
            self.held.pop(pod, None)
            return None

    def _stream(self, pod: str) -> LogStream:
        stream = self.streams.get(pod)
        if stream is None or not stream.alive():
            stream = self.streams[pod] = self.pods.follow(pod)
        return stream

    def _wait_for_restart(self, pod: str, stream: LogStream) -> str | None:
        """None once the pod serves again; else why not (its error, or the timeout)."""
        watch = RestartWatch()
        deadline = time.monotonic() + self.reload_timeout
        while (left := deadline - time.monotonic()) > 0:
            line = stream.next_line(timeout=left)
            if line is None:
                if not stream.alive():
                    if pod not in self.pods.listing().started:
                        raise PodGone(pod)
                    return "its log ended before the server restarted (`invoke logs --service backend`)"
                continue
            outcome = watch.feed(line)
            if outcome is not None:
                return outcome.error
        return (
            f"no restart within {self.reload_timeout:.0f} s after the sync (`invoke logs --service backend` "
            "shows its log)"
        )

    def close(self) -> None:
        for stream in self.streams.values():
            stream.close()
        self.streams.clear()


# --- kubectl ------------------------------------------------------------------------------------------------


def pod_is_dev(pod: dict) -> bool:
    """The chart's dev mode runs the API container with --reload (and /app writable)."""
    containers = pod.get("spec", {}).get("containers", [])
    return any(c.get("name") == CONTAINER and "--reload" in (c.get("command") or []) for c in containers)


def pod_listing(pods: dict) -> tuple[Listing, list[str]]:
    """The dev-mode pods (started: the API container runs and passed its startup probe), and the production
    pods. A pod being deleted is neither: its successor is synced instead."""
    started, starting, production = [], [], []
    for pod in pods.get("items", []):
        if pod.get("metadata", {}).get("deletionTimestamp"):
            continue
        name = pod["metadata"]["name"]
        if not pod_is_dev(pod):
            production.append(name)
            continue
        statuses = pod.get("status", {}).get("containerStatuses", [])
        api = next((s for s in statuses if s.get("name") == CONTAINER), {})
        (started if "running" in api.get("state", {}) and api.get("started") else starting).append(name)
    return Listing(sorted(started), sorted(starting)), sorted(production)


class KubectlLogStream:
    """`kubectl logs -f` of a pod's API container, read by a thread into a queue."""

    def __init__(self, command: list[str]) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True
        )
        threading.Thread(target=self._read, daemon=True).start()
        # --tail=1 shows the last line first: once it is here, the stream is connected, no later line is lost.
        self.next_line(LOG_CONNECT_SECONDS)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def drain(self) -> None:
        while not self.lines.empty():
            if self.lines.get_nowait() is None:
                self.lines.put(None)  # keep the end visible to next_line
                return

    def next_line(self, timeout: float) -> str | None:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            self.lines.put(None)
        return line

    def alive(self) -> bool:
        return self.process.poll() is None or not self.lines.empty()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=5)


class KubectlPods:
    """The backend's pods through kubectl: list them, copy files in (`kubectl exec`, a tar on stdin), follow
    their logs.

    Not through Shell, like the load test's port-forward: a copy sends a binary archive on stdin with a
    deadline of its own, and a log is followed line by line beside the work and stopped with SIGTERM; Shell
    runs a command to its end on text streams and turns its failure into one message."""

    def __init__(self, settings: Settings, run: Callable[..., subprocess.CompletedProcess] = subprocess.run):
        self.settings = settings
        self.run = run

    def _kubectl(self, *args: str, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess:
        command = kubectl(self.settings, *args)
        try:
            return self.run(command, input=stdin, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as error:
            raise OpsError(
                f"`{join(command)}` did not answer within {timeout:.0f} s: is the cluster up?"
            ) from error

    def listing(self) -> Listing:
        result = self._kubectl("get", "pods", "-l", f"app.kubernetes.io/instance={RELEASE}", "-o", "json")
        if result.returncode:
            raise OpsError(f"cannot list the {RELEASE} pods (is the cluster up? `invoke status`):\n"
                           f"{tail(result.stderr.decode(errors='replace'), 3)}")  # fmt: skip
        listing, production = pod_listing(json.loads(result.stdout))
        if production and not (listing.started or listing.starting):
            raise OpsError(
                f"{RELEASE} runs in production mode ({', '.join(production)}): `invoke dev` deploys its dev "
                "mode (did `invoke deploy` run meanwhile?)"
            )
        return listing

    def marker(self, pod: str) -> dict[str, str | None]:
        result = self._kubectl(
            "exec", pod, "-c", CONTAINER, "--", "sh", "-c", f"cat {CODE_DIR}/{MARKER} 2>/dev/null || true"
        )
        if result.returncode:
            self._raise_exec_failure(pod, result, "read what was synced into")
        return parse_marker(result.stdout.decode(errors="replace"))

    def copy(self, pod: str, archive: bytes, arguments: list[str]) -> None:
        result = self._kubectl(
            "exec",
            "-i",
            pod,
            "-c",
            CONTAINER,
            "--",
            "sh",
            "-c",
            SYNC_SCRIPT,
            "sh",
            CODE_DIR,
            *arguments,
            stdin=archive,
        )
        if result.returncode:
            self._raise_exec_failure(pod, result, "copy the files into")

    def _raise_exec_failure(self, pod: str, result: subprocess.CompletedProcess, action: str) -> None:
        if pod not in self.listing().started:
            raise PodGone(pod)
        raise OpsError(f"could not {action} pod {pod}:\n{tail(result.stderr.decode(errors='replace'), 3)}")

    def follow(self, pod: str) -> LogStream:
        return KubectlLogStream(kubectl(self.settings, "logs", "-f", "--tail=1", pod, "-c", CONTAINER))

    def migrate(self, pod: str) -> str:
        result = self._kubectl(
            "exec", pod, "-c", CONTAINER, "--", "python", "-m", "alembic", "upgrade", "head"
        )
        output = (result.stdout + result.stderr).decode(errors="replace")
        if result.returncode:
            return f"migrations failed in {pod}:\n{tail(output, 6)}"
        ran = [line.split("] ", 1)[-1] for line in output.splitlines() if "Running upgrade" in line]
        if ran:
            return "migrations: " + "; ".join(ran)
        return "migrations: the database is at head, nothing to run"


def changes(paths: Iterable[Path]) -> Iterator[bool]:
    """True for each batch of saved files under the paths (watchfiles: inotify; a batch ends 50 ms after its
    last write), False after IDLE_SECONDS without one; Ctrl-C raises KeyboardInterrupt."""

    class Watched(DefaultFilter):
        def __call__(self, change: object, path: str) -> bool:
            return super().__call__(change, path) and watched(Path(path))

    batches = watch(
        *paths,
        watch_filter=Watched(),
        rust_timeout=IDLE_SECONDS * 1000,
        yield_on_timeout=True,
    )
    for batch in batches:
        yield bool(batch)


# --- the task -----------------------------------------------------------------------------------------------


def run(c: Context, settings: Settings, once: bool = False) -> None:
    """`invoke dev`: deploy in dev mode, bring the pods in step, then sync every save until Ctrl-C."""
    root = settings.path("backend")
    baseline = snapshot(root)  # before the deploy builds the image from the same tree
    deployment.deploy(c, settings, dev=True)
    session = Session(root, baseline, KubectlPods(settings), settings.dev.reload_timeout)
    try:
        report = session.sync(everything=once)
        print("\n".join(report.lines()), flush=True)
        if once:
            report.raise_for_failures()
            return
        print(
            f"watching backend/{' and backend/'.join(WATCHED)}: save a file to sync it, Ctrl-C stops",
            flush=True,
        )
        for saved in changes([root / directory for directory in WATCHED]):
            report = session.sync(started=time.monotonic(), wait=saved)
            if saved or report.files or report.failures:  # between saves: only news
                print("\n".join(report.lines()), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        session.close()
    if not once:
        print("stopped watching; the backend stays in dev mode until `invoke deploy`", flush=True)
