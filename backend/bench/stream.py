"""Streaming benchmark: how soon the first words of an offline chat reply arrive, and the whole reply.

    cd backend
    TEST_DATABASE_URL=postgresql://todo:todo@127.0.0.1:5432/todo_test .venv/bin/python -m bench.stream

Serves the app with uvicorn on PostgreSQL (as bench.run does), then sends offline chat turns one at a time to
POST /chat/stream and times, from sending the request: the `start` event (user message stored), the first
`delta` (first words on screen) and `done` (reply stored). Prints p50/p95 of each, per kind of turn.
"""

import argparse
import logging
import os
import statistics
import sys
import time

import httpx

from bench.harness import NoDatabase, served_app

USER = "bench-user"
BENCH_SCHEMA = "backend_bench"
TURNS = {
    "add a task (1 tool call)": "Add a task to water the plants",
    "list 20 tasks (1 tool call)": "Show me all my tasks",
    "small talk (no tool)": "hello",
}


def time_turn(client: httpx.Client, message: str) -> dict[str, float]:
    """Milliseconds from the request to each event's first arrival."""
    seen: dict[str, float] = {}
    started = time.perf_counter()
    with client.stream("POST", "/chat/stream", json={"message": message}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("event: "):
                seen.setdefault(line.removeprefix("event: "), (time.perf_counter() - started) * 1000)
    return seen


def summary(name: str, timings: list[dict[str, float]]) -> str:
    parts = []
    for event in ("start", "delta", "done"):
        values = [timing[event] for timing in timings]
        cuts = statistics.quantiles(values, n=20, method="inclusive")
        parts.append(f"{event:<5} p50 {statistics.median(values):5.1f} ms  p95 {cuts[18]:5.1f} ms")
    return f"{name:<28} " + "   ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stream", description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100, help="turns per kind (default 100)")
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.WARNING)
    try:
        with (
            served_app(BENCH_SCHEMA, USER) as app,
            httpx.Client(
                base_url=f"{app.server.url}/api/{USER}", headers={"Authorization": f"Bearer {app.token}"}
            ) as client,
        ):
            for number in range(19):
                client.post("/tasks", json={"title": f"Task {number}"}).raise_for_status()
            time_turn(client, "hello")  # warm up: first imports, connections
            lines = [
                summary(name, [time_turn(client, message) for _ in range(args.turns)])
                for name, message in TURNS.items()
            ]
    except NoDatabase as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    print(
        f"uvicorn, 1 worker, PostgreSQL, offline model, one turn at a time ({args.turns} per kind); "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
