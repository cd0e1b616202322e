"""The task list under wrk, a load generator written in C: bench.run's Python client takes much of a small
machine itself, so its requests per second undersell the server.

    cd backend && TEST_DATABASE_URL=postgresql://... python -m bench.wrk
    # before/after: this checkout against another one, interleaved
    python -m bench.wrk --against /tmp/base/backend --rounds 3 --seconds 8

Serves each checkout as bench.run does (bench.harness: one uvicorn worker, PostgreSQL), seeds one user with
100 tasks, then each round runs `wrk --latency` on GET /tasks against each checkout in turn, alternating which
goes first, and prints requests/s, p50/p99, the failed requests and the server's CPU per request. Needs wrk
(Debian: `apt-get install wrk`).
"""

import argparse
import logging
import re
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import httpx

from bench.harness import NoDatabase, Served, served_app
from bench.run import SEEDED_TASKS, backend_dir, cpu_seconds

USER = "lister"
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def seed(app: Served) -> str:
    """Give the user SEEDED_TASKS tasks; return the list's URL."""
    url = f"{app.server.url}/api/{USER}/tasks"
    with httpx.Client(headers={"Authorization": f"Bearer {app.token}"}, timeout=30) as http:
        for number in range(SEEDED_TASKS):
            http.post(url, json={"title": f"Task {number}"}).raise_for_status()
    return url


def found(pattern: str, output: str) -> tuple[str, ...]:
    match = re.search(pattern, output, re.MULTILINE)
    if match is None:
        raise ValueError(f"wrk printed no {pattern!r}:\n{output}")
    return match.groups()


def latency_ms(percent: int, output: str) -> float:
    value, unit = found(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)$", output)
    return float(value) * UNITS_MS[unit]


def failed(output: str) -> int:
    """Non-2xx answers plus socket errors (connect, read, write, timeout)."""
    statuses = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return int(statuses.group(1) if statuses else 0) + sum(map(int, sockets.groups() if sockets else ()))


def round_line(label: str, app: Served, url: str, args: argparse.Namespace) -> str:
    command = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--latency"]
    command += ["-H", f"Authorization: Bearer {app.token}", url]
    pid = app.server.process.pid
    cpu_before = cpu_seconds(pid)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    (requests,) = found(r"^\s+(\d+) requests in", output)
    (rate,) = found(r"^Requests/sec:\s+([\d.]+)", output)
    cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / max(int(requests), 1)
    return (
        f"{label:<8} {float(rate):6.0f} req/s   "
        f"p50 {latency_ms(50, output):6.1f} ms   p99 {latency_ms(99, output):6.1f} ms   "
        f"server CPU {cpu_ms:5.2f} ms/req   ({requests} requests, {failed(output)} failed)"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--against", type=backend_dir, help="another checkout's backend/ to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8, help="per checkout and round (default 8)")
    parser.add_argument("--connections", type=int, default=16, help="requests in flight (default 16)")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    logging.getLogger().setLevel(logging.WARNING)  # importing the app set up its logging: keep httpx quiet
    if shutil.which("wrk") is None:
        print("error: wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    checkouts = [("this", Path(__file__).resolve().parents[1])]
    if args.against:
        checkouts.append(("against", args.against))
    try:
        with ExitStack() as stack:
            served = []
            for index, (label, directory) in enumerate(checkouts):
                app = stack.enter_context(served_app(f"backend_wrk_{index}", USER, directory))
                served.append((label, app, seed(app)))
            for number in range(args.rounds):
                print(f"round {number + 1} of {args.rounds}", flush=True)
                for label, app, url in served if number % 2 == 0 else served[::-1]:
                    print(round_line(label, app, url, args), flush=True)
    except NoDatabase as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
