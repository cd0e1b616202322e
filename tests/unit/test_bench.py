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
from ops.loadtest import Figures, Plan, backend_token, sign_up
from ops.tasks.bench import bench


class FrontendStandIn(BaseHTTPRequestHandler):
    """Sign-up sets a session cookie; /api/backend/tasks needs it (else 401) and records each call."""

    calls: ClassVar[list[str]] = []
    create_status: ClassVar[int] = 201
    sign_up_answers: ClassVar[list[int]] = []
    protocol_version = "HTTP/1.1"

    def answer(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def signed_in(self) -> bool:
        return "session=s1" in self.headers.get("Cookie", "")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/api/auth/sign-up/email":  # as the app's: no session (no account enumeration)
            status = self.sign_up_answers.pop(0) if self.sign_up_answers else 200
            return self.answer(status, {}, {} if status == 200 else {"X-Retry-After": "0"})
        if self.path == "/api/auth/sign-in/email":
            return self.answer(200, {}, {"Set-Cookie": "session=s1; Path=/"})
        self.calls.append(f"POST {self.path}")
        self.answer(self.create_status if self.signed_in() else 401, {"id": 1})

    def do_GET(self) -> None:
        if self.path == "/api/auth/token":
            claims = base64.urlsafe_b64encode(json.dumps({"sub": "user-7"}).encode()).decode().rstrip("=")
            return self.answer(200 if self.signed_in() else 401, {"token": f"e30.{claims}.sig"})
        self.calls.append(f"GET {self.path}")
        self.answer(200 if self.signed_in() else 401, [])

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def frontend() -> Iterator[str]:
    FrontendStandIn.calls, FrontendStandIn.create_status, FrontendStandIn.sign_up_answers = [], 201, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FrontendStandIn)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def run_bench(frontend: str, **options: object) -> None:
    c = cluster_context(invoke_config(cluster={"public_url": frontend}))
    bench(c, **options)


def test_a_signed_up_user_lists_and_adds_tasks_through_the_proxy(frontend: str, capsys) -> None:
    run_bench(frontend, seconds=30, requests=8, concurrency=2)
    assert sorted(FrontendStandIn.calls) == [
        *["GET /api/backend/tasks"] * 6,
        *["POST /api/backend/tasks"] * 2,
    ]
    report = capsys.readouterr().out
    assert f"{frontend} through the proxy, c=2" in report
    assert "8 ok of 8" in report and "errors: none" in report
    assert all(figure in report for figure in ("req/s", "p50", "p95", "load generator CPU"))


def test_the_report_gives_the_load_generators_own_cpu_per_request() -> None:
    figures = Figures(latencies_ms=[10.0, 20.0, 30.0, 40.0], elapsed=2.0, cpu_seconds=0.01)
    assert figures.report("bench").endswith("load generator CPU 2.50 ms/request (0.01 of a core)")


def test_failed_requests_are_counted_by_kind_and_fail_the_run(frontend: str, capsys) -> None:
    FrontendStandIn.create_status = 502
    with pytest.raises(OpsError, match=r"bench: 2 requests failed"):
        run_bench(frontend, seconds=30, requests=8, concurrency=2)
    report = capsys.readouterr().out  # printed before the run fails
    assert "6 ok of 8" in report and "errors: 2 x HTTP 502" in report


def test_sign_up_waits_out_the_rate_limit(frontend: str) -> None:
    FrontendStandIn.sign_up_answers = [429, 200]
    assert sign_up(frontend).cookies.get("session") == "s1"


def test_a_refused_sign_up_is_one_clear_error(frontend: str) -> None:
    FrontendStandIn.sign_up_answers = [400]
    with pytest.raises(OpsError, match=r"sign-up at .* answered 400"):
        sign_up(frontend)


def test_an_unreachable_release_is_one_clear_error() -> None:
    with pytest.raises(OpsError, match=r"cannot reach http://127.0.0.1:9"):
        sign_up("http://127.0.0.1:9")


def test_the_backend_mode_uses_the_users_token_and_id(frontend: str) -> None:
    token, user_id = backend_token(frontend, sign_up(frontend))
    assert (token.startswith("e30."), user_id) == (True, "user-7")


@pytest.mark.parametrize(("seconds", "requests", "concurrency"), [(0, 10, 1), (5, 0, 1), (5, 10, 0)])
def test_unbounded_or_empty_plans_are_refused(seconds: float, requests: int, concurrency: int) -> None:
    with pytest.raises(OpsError, match=r"--seconds must be positive"):
        Plan(seconds, requests, concurrency)
