"""`invoke bench`: a throwaway user's bounded list+create mix through a stand-in frontend, and its figures."""

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from runner_fakes import cluster_context, invoke_config

from ops.errors import OpsError
from ops.loadtest import (
    SEEDED_TASKS,
    Client,
    Figures,
    Plan,
    TaskMix,
    backend_token,
    hammer,
    seed,
    sign_up,
)
from ops.tasks.bench import bench


class FrontendStandIn(BaseHTTPRequestHandler):
    """Sign-up sets a session cookie; /api/backend/tasks needs it (else 401), keeps the user's tasks as the
    backend would (list, create, delete) and records each call and the length of each list it answered."""

    calls: ClassVar[list[str]] = []
    tasks: ClassVar[dict[int, str]] = {}
    listed: ClassVar[list[int]] = []
    create_status: ClassVar[int] = 201  # for the timed part's creates ("bench N"), not the seeding ("seed N")
    seed_status: ClassVar[int] = 201
    delete_status: ClassVar[int] = 204
    sign_up_answers: ClassVar[list[int]] = []
    refreshed_cookie: ClassVar[str] = (
        ""  # a Set-Cookie for the lists' answers, as the session cache's refresh
    )
    cookies_seen: ClassVar[list[str]] = []
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait for a delayed ACK
    lock = threading.Lock()

    def answer(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = b"" if status == 204 else json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def signed_in(self) -> bool:
        return "session=s1" in self.headers.get("Cookie", "")

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if self.path == "/api/auth/sign-up/email":  # as the app's: no session (no account enumeration)
            status = self.sign_up_answers.pop(0) if self.sign_up_answers else 200
            return self.answer(status, {}, {} if status == 200 else {"X-Retry-After": "0"})
        if self.path == "/api/auth/sign-in/email":
            return self.answer(200, {}, {"Set-Cookie": "session=s1; Path=/"})
        self.calls.append(f"POST {self.path}")
        if self.path == "/api/auth/sign-out":
            return self.answer(200 if self.signed_in() else 401, {"success": True})
        status = self.seed_status if body.get("title", "").startswith("seed") else self.create_status
        if not self.signed_in() or status != 201:
            return self.answer(status if self.signed_in() else 401, {"detail": "no"})
        with self.lock:
            task_id = max(self.tasks, default=0) + 1
            self.tasks[task_id] = body["title"]
        self.answer(201, {"id": task_id, "title": body["title"]})

    def do_GET(self) -> None:
        if self.path == "/api/auth/token":
            claims = base64.urlsafe_b64encode(json.dumps({"sub": "user-7"}).encode()).decode().rstrip("=")
            return self.answer(200 if self.signed_in() else 401, {"token": f"e30.{claims}.sig"})
        self.calls.append(f"GET {self.path}")
        with self.lock:
            tasks = [{"id": task_id, "title": title} for task_id, title in self.tasks.items()]
            self.listed.append(len(tasks))
            self.cookies_seen.append(self.headers.get("Cookie", ""))
        refresh = {"Set-Cookie": self.refreshed_cookie} if self.refreshed_cookie else {}
        self.answer(200, tasks, refresh) if self.signed_in() else self.answer(401, {})

    def do_DELETE(self) -> None:
        self.calls.append("DELETE /api/backend/tasks/N")
        task_id = int(self.path.rsplit("/", 1)[1])
        if not self.signed_in() or self.delete_status != 204 or task_id not in self.tasks:
            return self.answer(404 if task_id not in self.tasks else self.delete_status, {"detail": "no"})
        with self.lock:
            del self.tasks[task_id]
        self.answer(204, None)

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def frontend() -> Iterator[str]:
    stand_in = FrontendStandIn
    stand_in.calls, stand_in.tasks, stand_in.listed, stand_in.sign_up_answers = [], {}, [], []
    stand_in.refreshed_cookie, stand_in.cookies_seen = "", []
    stand_in.create_status = stand_in.seed_status = 201
    stand_in.delete_status = 204
    server = ThreadingHTTPServer(("127.0.0.1", 0), FrontendStandIn)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run_bench(frontend: str, **options: object) -> None:
    c = cluster_context(invoke_config(cluster={"public_url": frontend}))
    bench(c, **options)


def test_the_user_lists_adds_and_deletes_tasks_on_a_list_held_at_its_seeded_size(
    frontend: str, capsys
) -> None:
    run_bench(frontend, seconds=30, requests=10, concurrency=2)
    timed = FrontendStandIn.calls[SEEDED_TASKS : -SEEDED_TASKS - 2]  # between the seeding and the cleanup
    assert sorted(timed) == sorted([*["GET /api/backend/tasks"] * 6, *["POST /api/backend/tasks"] * 2,
                                    *["DELETE /api/backend/tasks/N"] * 2])  # fmt: skip
    assert FrontendStandIn.calls[:SEEDED_TASKS] == ["POST /api/backend/tasks"] * SEEDED_TASKS
    assert all(SEEDED_TASKS - 2 <= length <= SEEDED_TASKS + 2 for length in FrontendStandIn.listed[:-1])
    assert FrontendStandIn.tasks == {}  # the cleanup listed what was left and deleted it
    assert "POST /api/auth/sign-out" in FrontendStandIn.calls[-1]
    report = capsys.readouterr().out
    assert f"(3 lists : 1 create : 1 delete, 100 tasks listed) {frontend} through the proxy, c=2" in report
    assert "10 ok of 10" in report and "errors: none" in report
    assert all(figure in report for figure in ("req/s", "p50", "p95", "load generator CPU"))
    assert "deleted the user's 100 tasks" in report


def test_failed_requests_are_counted_by_kind_and_fail_the_run(frontend: str, capsys) -> None:
    FrontendStandIn.create_status = 502
    with pytest.raises(OpsError, match=r"bench: 2 requests failed"):
        run_bench(frontend, seconds=30, requests=10, concurrency=2)
    report = capsys.readouterr().out  # printed before the run fails
    assert "8 ok of 10" in report and "errors: 2 x HTTP 502" in report
    assert FrontendStandIn.tasks == {}  # cleaned up all the same


def test_a_delete_with_no_task_left_is_counted_as_an_error(frontend: str) -> None:
    FrontendStandIn.create_status = 502  # nothing to delete but what was seeded: here, nothing
    figures = hammer(Plan(30, 5, 1), sign_up(frontend).copy, TaskMix("/api/backend", []))
    assert figures.errors == {"HTTP 502": 1, "NoTaskToDelete": 1}


def test_a_failed_seeding_is_one_clear_error(frontend: str) -> None:
    FrontendStandIn.seed_status = 503
    with pytest.raises(OpsError, match=r"seeding the user's tasks: POST .*/api/backend/tasks answered 503"):
        run_bench(frontend, seconds=30, requests=10, concurrency=2)
    with pytest.raises(OpsError, match=r"seeding the user's tasks: .*Connection refused"):
        seed(Client("http://127.0.0.1:9", {}), "/api/backend")  # a release gone after the sign-in


def test_a_failed_cleanup_fails_an_otherwise_good_run(frontend: str, capsys) -> None:
    FrontendStandIn.delete_status = 502  # the timed part's deletes fail too: the first failure is reported
    with pytest.raises(OpsError, match=r"bench: 2 requests failed"):
        run_bench(frontend, seconds=30, requests=10, concurrency=2)
    assert "the user's tasks were not deleted: DELETE of task 1 answered 502" in capsys.readouterr().out
    with pytest.raises(OpsError, match=r"bench: cleaning up: DELETE of task \d+ answered 502"):
        run_bench(frontend, seconds=30, requests=3, concurrency=1)  # lists only: the cleanup is the failure


def test_the_report_gives_the_load_generators_own_cpu_per_request() -> None:
    figures = Figures(latencies_ms=[10.0, 20.0, 30.0, 40.0], elapsed=2.0, cpu_seconds=0.01)
    assert figures.report("bench").endswith("load generator CPU 2.50 ms/request (0.01 of a core)")


def test_sign_up_waits_out_the_rate_limit(frontend: str) -> None:
    FrontendStandIn.sign_up_answers = [429, 200]
    assert sign_up(frontend).cookies.get("session") == "s1"


def test_a_worker_sends_the_cookies_the_frontend_refreshed_as_a_browser_does(frontend: str) -> None:
    FrontendStandIn.refreshed_cookie = "cache=fresh; Path=/; HttpOnly; SameSite=Lax"
    worker = sign_up(frontend).copy()
    assert [worker.request("GET", "/api/backend/tasks").status for _ in range(2)] == [200, 200]
    assert FrontendStandIn.cookies_seen == ["session=s1", "session=s1; cache=fresh"]


def test_a_refused_sign_up_is_one_clear_error(frontend: str) -> None:
    FrontendStandIn.sign_up_answers = [400]
    with pytest.raises(OpsError, match=r"sign-up at .* answered 400"):
        sign_up(frontend)


def test_an_unreachable_release_is_one_clear_error() -> None:
    with pytest.raises(OpsError, match=r"cannot reach http://127.0.0.1:9"):
        sign_up("http://127.0.0.1:9")


def test_the_backend_mode_uses_the_users_token_and_id(frontend: str) -> None:
    token, user_id = backend_token(sign_up(frontend))
    assert (token.startswith("e30."), user_id) == (True, "user-7")


@pytest.mark.parametrize(("seconds", "requests", "concurrency"), [(0, 10, 1), (5, 0, 1), (5, 10, 0)])
def test_unbounded_or_empty_plans_are_refused(seconds: float, requests: int, concurrency: int) -> None:
    with pytest.raises(OpsError, match=r"--seconds must be positive"):
        Plan(seconds, requests, concurrency)
