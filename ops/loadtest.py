"""`invoke bench`: a bounded load test of the deployed release along the user's path.

A throwaway user signs up through the frontend and gets SEEDED_TASKS tasks (not timed), then `concurrency`
workers send a mix of task lists, creates and deletes that holds the list at that size, through the
frontend's proxy (/api/backend/tasks) until `seconds` have passed or `requests` were sent; or, with `backend`,
straight to the backend through a `kubectl port-forward`, with the user's backend token. It prints requests
per second, p50/p95 latency, the errors by kind and the load generator's own CPU per request, deletes the
user's tasks and fails when any request failed.

The load comes from this machine (threads, each with one urllib3 connection): its CPU and the path to the
cluster count in the figures, hence the generator's CPU in the report.
"""

import base64
import json
import statistics
import subprocess
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import urllib3
from urllib3.exceptions import HTTPError

from ops.errors import OpsError

HTTP_TIMEOUT_SECONDS = 30
SIGN_UP_ATTEMPTS = 6
SEEDED_TASKS = 100  # the "list 100 tasks" (backend/bench/run.py); a real user's list is tens
MIX = ("list", "list", "list", "create", "delete")  # a page load lists, a user adds and clears tasks
MIX_LABEL = "3 lists : 1 create : 1 delete"
PORT_FORWARD_WAIT_SECONDS = 30
BACKEND_SERVICE, BACKEND_PORT = "service/todo-backend", 8000


@dataclass(frozen=True)
class Plan:
    seconds: float
    requests: int
    concurrency: int

    def __post_init__(self) -> None:
        if self.seconds <= 0 or self.requests < 1 or self.concurrency < 1:
            raise OpsError("bench: --seconds must be positive, --requests and --concurrency at least 1")


@dataclass
class Figures:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    cpu_seconds: float = 0.0  # the load generator's own: this process's user + system time over the run

    def raise_for_errors(self) -> None:
        if self.errors:
            raise OpsError(f"bench: {sum(self.errors.values())} requests failed")

    def report(self, label: str) -> str:
        total = len(self.latencies_ms) + sum(self.errors.values())
        errors = ", ".join(f"{count} x {kind}" for kind, count in self.errors.most_common()) or "none"
        if len(self.latencies_ms) < 2:
            return f"{label}: {total} requests, too few answered to measure; errors: {errors}"
        cuts = statistics.quantiles(self.latencies_ms, n=100, method="inclusive")
        rate = len(self.latencies_ms) / self.elapsed
        return (
            f"{label}: {rate:.0f} req/s, p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms "
            f"({len(self.latencies_ms)} ok of {total} in {self.elapsed:.1f} s); errors: {errors}; "
            f"load generator CPU {self.cpu_seconds * 1000 / total:.2f} ms/request "
            f"({self.cpu_seconds / self.elapsed:.2f} of a core)"
        )


class Client:
    """One keep-alive connection (urllib3: no retries, no redirects followed, so each request is one attempt)
    with the user's headers and cookies, which it keeps up to date from Set-Cookie as a browser tab does (the
    frontend refreshes its session cookie cache every minute). Cheaper per request than a requests.Session."""

    def __init__(self, base_url: str, headers: dict[str, str], cookies: dict[str, str] | None = None) -> None:
        self.base_url, self.headers, self.cookies = base_url, headers, dict(cookies or {})
        self.pool = urllib3.connection_from_url(
            base_url, maxsize=1, retries=False, timeout=HTTP_TIMEOUT_SECONDS
        )

    def request(self, method: str, path: str, body: object = None) -> urllib3.BaseHTTPResponse:
        headers = self.headers
        if self.cookies:
            headers = {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        response = self.pool.request(method, path, json=body, headers=headers)
        for set_cookie in response.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(set_cookie).items():
                self.cookies[name] = morsel.value
        return response

    def copy(self) -> "Client":
        """The same user on a connection of its own."""
        return Client(self.base_url, self.headers, self.cookies)


Send = Callable[[Client, int], urllib3.BaseHTTPResponse]


def hammer(plan: Plan, new_client: Callable[[], Client], send: Send) -> Figures:
    """`plan.concurrency` workers, each with its own connection, send until the time or the count runs out."""
    figures, lock = Figures(), threading.Lock()
    numbers = iter(range(plan.requests))
    deadline = time.monotonic() + plan.seconds

    def next_number() -> int | None:
        with lock:
            return next(numbers, None) if time.monotonic() < deadline else None

    def worker() -> None:
        client = new_client()
        while (number := next_number()) is not None:
            started = time.perf_counter()
            outcome = _outcome(lambda: send(client, number))
            with lock:
                if outcome is None:
                    figures.latencies_ms.append((time.perf_counter() - started) * 1000)
                else:
                    figures.errors[outcome] += 1

    started, cpu_started = time.monotonic(), time.process_time()
    with ThreadPoolExecutor(plan.concurrency) as pool:
        for running in [pool.submit(worker) for _ in range(plan.concurrency)]:
            running.result()
    figures.elapsed, figures.cpu_seconds = time.monotonic() - started, time.process_time() - cpu_started
    return figures


def _outcome(call: Callable[[], urllib3.BaseHTTPResponse]) -> str | None:
    """None for a success (2xx); else what went wrong, as one short kind ('HTTP 502', 'ProtocolError')."""
    try:
        response = call()
    except (HTTPError, ValueError) as error:  # ValueError: NoTaskToDelete, a non-JSON answer
        return type(error).__name__
    return None if 200 <= response.status < 300 else f"HTTP {response.status}"


class NoTaskToDelete(ValueError):
    """Every task the mix could delete was taken: only when many creates failed, or more were in flight than
    seeded."""


class TaskMix:
    """A user's requests on a list held at a fixed size: it is seeded with SEEDED_TASKS tasks, then of every
    five requests three list them, one adds a task and one deletes the oldest, so the list stays at
    SEEDED_TASKS give or take the creates and deletes in flight (left to grow, by one task in four requests,
    it reached hundreds and the figures measured the list's length more than the system)."""

    def __init__(self, prefix: str, task_ids: list[int]) -> None:
        self.path = f"{prefix}/tasks"
        self.task_ids = deque(task_ids)  # oldest first; append and popleft are atomic, the workers share it

    def __call__(self, client: Client, number: int) -> urllib3.BaseHTTPResponse:
        kind = MIX[number % len(MIX)]
        if kind == "create":
            response = client.request("POST", self.path, {"title": f"bench {number}"})
            if response.status == 201:
                self.task_ids.append(response.json()["id"])
            return response
        if kind == "delete":
            try:
                task_id = self.task_ids.popleft()
            except IndexError:
                raise NoTaskToDelete from None
            return client.request("DELETE", f"{self.path}/{task_id}")
        return client.request("GET", self.path)


def seed(client: Client, prefix: str) -> TaskMix:
    """The user's SEEDED_TASKS tasks, created one by one before the timed part (not counted)."""
    task_ids = []
    for number in range(SEEDED_TASKS):
        try:
            response = client.request("POST", f"{prefix}/tasks", {"title": f"seed {number}"})
        except HTTPError as error:
            raise OpsError(f"bench: seeding the user's tasks: {error}") from None
        if response.status != 201:
            raise OpsError(f"bench: seeding the user's tasks: POST {prefix}/tasks answered {_said(response)}")
        task_ids.append(response.json()["id"])
    return TaskMix(prefix, task_ids)


class CleanupFailed(Exception):
    pass


def delete_all(client: Client, prefix: str) -> int:
    """Delete every task of the throwaway user (all of them the bench's); how many there were."""
    listed = client.request("GET", f"{prefix}/tasks")
    if listed.status != 200:
        raise CleanupFailed(f"GET {prefix}/tasks answered {_said(listed)}")
    tasks = listed.json()
    for task in tasks:
        response = client.request("DELETE", f"{prefix}/tasks/{task['id']}")
        if response.status not in (204, 404):  # 404: a worker's delete got there first
            raise CleanupFailed(f"DELETE of task {task['id']} answered {_said(response)}")
    return len(tasks)


@contextmanager
def cleaned_up(client: Client, prefix: str) -> Iterator[None]:
    """Deletes the user's tasks however the block ends. A failed cleanup fails the run only when nothing else
    did (else it is one more line, and the first failure stays the one reported)."""
    try:
        yield
    except OpsError:
        try:
            delete_all(client, prefix)
        except (CleanupFailed, HTTPError, ValueError) as error:
            print(f"bench: the user's tasks were not deleted: {error}")
        raise
    try:
        print(f"bench: deleted the user's {delete_all(client, prefix)} tasks")
    except (CleanupFailed, HTTPError, ValueError) as error:
        raise OpsError(f"bench: cleaning up: {error}") from None


def _said(response: urllib3.BaseHTTPResponse) -> str:
    return f"{response.status}: {response.data[:200].decode(errors='replace')}"


def run(plan: Plan, new_client: Callable[[], Client], prefix: str, label: str) -> None:
    """Seed the user's list, load it, print the figures; delete the user's tasks however it ends; fail when
    any request failed. `prefix` is the path the tasks are under (/api/backend, or /api/<user id>)."""
    setup = new_client()
    with cleaned_up(setup, prefix):
        figures = hammer(plan, new_client, seed(setup, prefix))
        print(figures.report(f"bench ({MIX_LABEL}, {SEEDED_TASKS} tasks listed) {label}"))
        figures.raise_for_errors()


def sign_up(base_url: str) -> Client:
    """A throwaway user's browser-like client (cookies, Origin): sign-up starts no session (no account
    enumeration), so it signs in afterwards, as the app's form does."""
    user = Client(base_url, {"Origin": base_url})
    email, password = f"bench-{uuid.uuid4().hex[:12]}@example.com", f"pw-{uuid.uuid4().hex}"
    auth_call(user, "sign-up", {"email": email, "password": password, "name": "Bench"})
    auth_call(user, "sign-in", {"email": email, "password": password})
    return user


def auth_call(user: Client, action: str, body: dict[str, str]) -> None:
    """POST /api/auth/<action>/email, waiting out the rate limit as the server's X-Retry-After asks."""
    for _ in range(SIGN_UP_ATTEMPTS):
        try:
            response = user.request("POST", f"/api/auth/{action}/email", body)
        except HTTPError as error:
            raise OpsError(f"bench: cannot reach {user.base_url}: {error}") from None
        if response.status != 429:
            break
        time.sleep(int(response.headers.get("X-Retry-After", "5")))
    if response.status != 200:
        raise OpsError(f"bench: {action} at {user.base_url} answered {_said(response)}")


def sign_out(user: Client) -> None:
    """End the user's session (its row goes); the user itself stays: the app offers no account deletion."""
    outcome = _outcome(lambda: user.request("POST", "/api/auth/sign-out", {}))
    if outcome is not None:
        print(f"bench: the user's session was not ended: {outcome}")


def backend_token(user: Client) -> tuple[str, str]:
    """The user's backend JWT from the frontend (/api/auth/token) and the user id it names."""
    response = user.request("GET", "/api/auth/token")
    if response.status != 200:
        raise OpsError(f"bench: /api/auth/token answered {_said(response)}")
    token = response.json()["token"]
    claims = token.split(".")[1]
    return token, json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["sub"]


@contextmanager
def port_forward(kubectl: list[str], local_port: int) -> Iterator[str]:
    """`kubectl port-forward` to the backend's service on 127.0.0.1:local_port while the block runs."""
    command = [
        *kubectl,
        "port-forward",
        BACKEND_SERVICE,
        f"{local_port}:{BACKEND_PORT}",
        "--address=127.0.0.1",
    ]
    # Not through Shell: Shell runs a command to its end and turns its failure into one message, while this
    # process must run beside the load, be polled (did it die?) and be stopped with SIGTERM when the block
    # ends. invoke's asynchronous run offers only join() and SIGKILL; a Shell.spawn for this one caller would
    # wrap Popen and add nothing, so the process handle stays here, with its own clear errors below.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{local_port}"
    try:
        _wait_for(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + PORT_FORWARD_WAIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            reason = process.stderr.read().strip() if process.stderr else ""
            raise OpsError(f"bench: kubectl port-forward ended: {reason}")
        try:
            urllib3.request("GET", f"{url}/health", timeout=2, retries=False)
            return
        except HTTPError:
            time.sleep(0.2)
    raise OpsError(f"bench: the backend did not answer on {url} within {PORT_FORWARD_WAIT_SECONDS} s")
