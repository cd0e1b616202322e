"""`invoke bench`: a bounded load test of the deployed release along the user's path.

A throwaway user signs up through the frontend, then `concurrency` workers send a mix of task lists and
creates through the frontend's proxy (/api/backend/tasks) until `seconds` have passed or `requests` were sent;
or, with `backend`, straight to the backend through a `kubectl port-forward`, with the user's backend token.
It prints requests per second, p50/p95 latency and the errors by kind, and fails when any request failed.

The load comes from this machine (threads, `requests`): its CPU and the path to the cluster count in the
figures.
"""

import base64
import json
import statistics
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests

from ops.errors import OpsError

HTTP_TIMEOUT_SECONDS = 30
SIGN_UP_ATTEMPTS = 6
CREATE_EVERY = 4  # one request in four creates a task; the others list them (a page load lists, a user adds)
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


Send = Callable[[requests.Session, int], requests.Response]


def hammer(plan: Plan, new_session: Callable[[], requests.Session], send: Send) -> Figures:
    """`plan.concurrency` workers, each with its own connection, send until the time or the count runs out."""
    figures, lock = Figures(), threading.Lock()
    numbers = iter(range(plan.requests))
    deadline = time.monotonic() + plan.seconds

    def next_number() -> int | None:
        with lock:
            return next(numbers, None) if time.monotonic() < deadline else None

    def worker() -> None:
        session = new_session()
        while (number := next_number()) is not None:
            started = time.perf_counter()
            outcome = _outcome(lambda: send(session, number))
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


def _outcome(call: Callable[[], requests.Response]) -> str | None:
    """None for a success; else what went wrong, as one short kind ('HTTP 502', 'ConnectionError')."""
    try:
        response = call()
    except requests.RequestException as error:
        return type(error).__name__
    return None if response.ok else f"HTTP {response.status_code}"


def task_mix(prefix: str) -> Send:
    """List the tasks, and every CREATE_EVERY-th request add one: the list grows as a real user's does."""

    def send(session: requests.Session, number: int) -> requests.Response:
        if number % CREATE_EVERY == CREATE_EVERY - 1:
            return session.post(
                f"{prefix}/tasks", json={"title": f"bench {number}"}, timeout=HTTP_TIMEOUT_SECONDS
            )
        return session.get(f"{prefix}/tasks", timeout=HTTP_TIMEOUT_SECONDS)

    return send


def sign_up(base_url: str) -> requests.Session:
    """A throwaway user's browser-like session (cookies, Origin): sign-up starts no session (no account
    enumeration), so it signs in afterwards, as the app's form does."""
    session = requests.Session()
    session.headers["Origin"] = base_url
    email, password = f"bench-{uuid.uuid4().hex[:12]}@example.com", f"pw-{uuid.uuid4().hex}"
    auth_call(session, base_url, "sign-up", {"email": email, "password": password, "name": "Bench"})
    auth_call(session, base_url, "sign-in", {"email": email, "password": password})
    return session


def auth_call(session: requests.Session, base_url: str, action: str, body: dict[str, str]) -> None:
    """POST /api/auth/<action>/email, waiting out the rate limit as the server's X-Retry-After asks."""
    for _ in range(SIGN_UP_ATTEMPTS):
        try:
            response = session.post(
                f"{base_url}/api/auth/{action}/email", json=body, timeout=HTTP_TIMEOUT_SECONDS
            )
        except requests.RequestException as error:
            raise OpsError(f"bench: cannot reach {base_url}: {error}") from None
        if response.status_code != 429:
            break
        time.sleep(int(response.headers.get("X-Retry-After", "5")))
    if response.status_code != 200:
        raise OpsError(
            f"bench: {action} at {base_url} answered {response.status_code}: {response.text[:200]}"
        )


def proxy_session(user: requests.Session) -> Callable[[], requests.Session]:
    """Each worker's own session (own connection) carrying the user's cookies, as a browser tab would."""

    def new_session() -> requests.Session:
        session = requests.Session()
        session.headers.update(user.headers)
        session.cookies.update(user.cookies)
        return session

    return new_session


def backend_token(base_url: str, user: requests.Session) -> tuple[str, str]:
    """The user's backend JWT from the frontend (/api/auth/token) and the user id it names."""
    response = user.get(f"{base_url}/api/auth/token", timeout=HTTP_TIMEOUT_SECONDS)
    if response.status_code != 200:
        raise OpsError(f"bench: /api/auth/token answered {response.status_code}: {response.text[:200]}")
    token = response.json()["token"]
    claims = token.split(".")[1]
    return token, json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["sub"]


def bearer_session(token: str) -> Callable[[], requests.Session]:
    def new_session() -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        return session

    return new_session


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
            requests.get(f"{url}/health", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise OpsError(f"bench: the backend did not answer on {url} within {PORT_FORWARD_WAIT_SECONDS} s")
