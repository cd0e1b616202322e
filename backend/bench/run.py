"""Benchmark: the backend served by uvicorn on 127.0.0.1 against PostgreSQL, over HTTP with real tokens.

    cd backend && TEST_DATABASE_URL=postgresql://todo:todo@127.0.0.1:5432/todo_test python -m bench.run

Prints requests/s and p50/p95/p99 latencies for: listing 100 tasks, creating a task, one offline chat turn;
and the server's resident memory at idle. Each scenario is bounded in time (--seconds). It uses its own
PostgreSQL schema, so other users of the database are left alone.
"""

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness import NoDatabase, served_app

USER = "bench-user"
BENCH_SCHEMA = "backend_bench"


@dataclass
class Result:
    name: str
    latencies: list[float]
    seconds: float
    errors: int
    server_cpu_seconds: float

    def line(self) -> str:
        if not self.latencies:
            return f"{self.name:<24} no successful requests ({self.errors} errors)"
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        rate = len(self.latencies) / self.seconds
        cpu_ms = self.server_cpu_seconds * 1000 / len(self.latencies)
        return (
            f"{self.name:<24} {rate:6.0f} req/s   p50 {cuts[49]:6.1f} ms   p95 {cuts[94]:6.1f} ms   "
            f"p99 {cuts[98]:6.1f} ms   server CPU {cpu_ms:5.2f} ms/req   "
            f"({len(self.latencies)} ok, {self.errors} errors)"
        )


async def hammer(
    name: str,
    send: Callable[[], Awaitable[httpx.Response]],
    seconds: float,
    concurrency: int,
    server_pid: int,
) -> Result:
    """Keep `concurrency` requests in flight for `seconds`; record each one's latency in milliseconds."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = await send()
            if response.is_success:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1

    started, cpu_before = time.monotonic(), cpu_seconds(server_pid)
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    return Result(name, latencies, elapsed, errors, cpu_seconds(server_pid) - cpu_before)


def cpu_seconds(pid: int) -> float:
    """CPU time the server has used so far (per request, a figure that other load moves less than latency)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss(pid: int) -> str:
    """Resident memory, and how much of it is private (anonymous) rather than shared library pages."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    total, anonymous = (int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "RssAnon"))
    return f"{total:.0f} MB ({anonymous:.0f} MB anonymous)"


async def scenarios(
    base_url: str, token: str, seconds: float, concurrency: int, server_pid: int
) -> list[Result]:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"{base_url}/api/{USER}", headers=headers, limits=limits) as client:
        for number in range(100):
            (await client.post("/tasks", json={"title": f"Task {number}"})).raise_for_status()
        assert len((await client.get("/tasks")).json()) == 100
        create = {"title": "Benchmark task", "description": "created by bench/run.py"}
        chat = {"message": "Add a task to water the plants"}
        plan: list[tuple[str, Callable[[], Awaitable[httpx.Response]], int]] = [
            ("list 100 tasks", lambda: client.get("/tasks"), concurrency),
            ("create task", lambda: client.post("/tasks", json=create), concurrency),
            ("offline chat turn", lambda: client.post("/chat", json=chat), 1),
            ("offline chat turn", lambda: client.post("/chat", json=chat), concurrency),
        ]
        return [
            await hammer(f"{name} (c={in_flight})", send, seconds, in_flight, server_pid)
            for name, send, in_flight in plan
        ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="duration of each scenario (default 10)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    args = parser.parse_args()
    logging.getLogger().setLevel(
        logging.WARNING
    )  # importing the app set up its logging: keep the client quiet
    try:
        with served_app(BENCH_SCHEMA, USER) as app:
            time.sleep(2)  # let start-up settle before reading the idle footprint
            pid = app.server.process.pid
            idle = rss(pid)
            results = asyncio.run(scenarios(app.server.url, app.token, args.seconds, args.concurrency, pid))
            after = rss(pid)
    except NoDatabase as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    print(
        f"uvicorn, 1 worker, PostgreSQL; {args.seconds:g} s per scenario, c = requests in flight; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
    for result in results:
        print(result.line())
    print(f"{'server RSS':<24} idle {idle}; after the scenarios {after}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
