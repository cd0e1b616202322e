"""Benchmark: the backend served by uvicorn on 127.0.0.1 against PostgreSQL, over HTTP with real tokens.

    cd backend && TEST_DATABASE_URL=postgresql://todo:todo@127.0.0.1:5432/todo_test python -m bench.run
    # before/after: this checkout against another one (say a `git worktree` of main), interleaved
    python -m bench.run --against ../../todo-main/backend --rounds 3 --only list,create

Prints requests/s, p50/p95/p99 latencies and server CPU per request for: listing 100 tasks, creating a task,
updating one, listing 20 conversations, one offline chat turn; and the server's resident memory at idle. Each
scenario is bounded in time (--seconds). With --against, both checkouts are served side by side (same venv,
same database, schemas of their own) and every round runs each scenario on one and then the other, in
alternating order, so that the machine's other load falls on both alike; the summary gives the medians. It
uses its own PostgreSQL schemas, so other users of the database are left alone.
"""

import argparse
import asyncio
import itertools
import logging
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness import NoDatabase, Served, served_app

USER = "bench-user"
BENCH_SCHEMA = "backend_bench"
SEEDED_TASKS = 100
SEEDED_CONVERSATIONS = 20

Send = Callable[[], Awaitable[httpx.Response]]


@dataclass
class Result:
    name: str
    latencies: list[float]
    seconds: float
    errors: int
    server_cpu_seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.server_cpu_seconds * 1000 / max(len(self.latencies), 1)

    def cut(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1]

    def line(self) -> str:
        if not self.latencies:
            return f"{self.name:<32} no successful requests ({self.errors} errors)"
        return (
            f"{self.name:<32} {self.rate:6.0f} req/s   "
            f"p50 {self.cut(50):6.1f} ms   p95 {self.cut(95):6.1f} ms   p99 {self.cut(99):6.1f} ms   "
            f"server CPU {self.cpu_ms:5.2f} ms/req   "
            f"({len(self.latencies)} ok, {self.errors} errors)"
        )


async def hammer(name: str, send: Send, seconds: float, concurrency: int, server_pid: int) -> Result:
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


class Target:
    """One served checkout with its seeded users: each scenario has a user of its own, so that creating
    tasks never grows the list that another scenario reads."""

    def __init__(self, label: str, app: Served, concurrency: int) -> None:
        self.label, self.app, self.pid = label, app, app.server.process.pid
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.http = httpx.AsyncClient(base_url=app.server.url, limits=limits, timeout=30)
        self.task_ids: Iterator[int] = iter(())

    def user(self, name: str) -> tuple[str, dict[str, str]]:
        return f"/api/{name}", {"Authorization": f"Bearer {self.app.token_for(name)}"}

    async def seed(self) -> None:
        for name in ("lister", "writer"):
            base, headers = self.user(name)
            ids = [
                (await self.http.post(f"{base}/tasks", json={"title": f"Task {n}"}, headers=headers)).json()[
                    "id"
                ]
                for n in range(SEEDED_TASKS)
            ]
        self.task_ids = itertools.cycle(ids)  # the writer's (seeded last): updates spread over them
        base, headers = self.user("talker")
        for _ in range(SEEDED_CONVERSATIONS):
            (
                await self.http.post(f"{base}/chat", json={"message": "Show my tasks"}, headers=headers)
            ).raise_for_status()

    def scenarios(self, concurrency: int) -> dict[str, tuple[Send, int]]:
        lister, writer, talker, chatter = (
            self.user(name) for name in ("lister", "writer", "talker", "chatter")
        )
        create = {"title": "Benchmark task", "description": "created by bench/run.py"}
        chat = {"message": "Add a task to water the plants"}

        def update() -> Awaitable[httpx.Response]:
            body = {"title": "Renamed", "completed": True}
            return self.http.put(f"{writer[0]}/tasks/{next(self.task_ids)}", json=body, headers=writer[1])

        return {
            "list": (lambda: self.http.get(f"{lister[0]}/tasks", headers=lister[1]), concurrency),
            "create": (
                lambda: self.http.post(f"{writer[0]}/tasks", json=create, headers=writer[1]),
                concurrency,
            ),
            "update": (update, concurrency),
            "conversations": (
                lambda: self.http.get(f"{talker[0]}/conversations", headers=talker[1]),
                concurrency,
            ),
            "chat1": (lambda: self.http.post(f"{chatter[0]}/chat", json=chat, headers=chatter[1]), 1),
            "chat": (
                lambda: self.http.post(f"{chatter[0]}/chat", json=chat, headers=chatter[1]),
                concurrency,
            ),
        }


TITLES = {
    "list": "list 100 tasks",
    "create": "create task",
    "update": "update task",
    "conversations": "list 20 conversations",
    "chat1": "offline chat turn",
    "chat": "offline chat turn",
}


async def run_rounds(targets: list[Target], args: argparse.Namespace) -> list[tuple[str, str, Result]]:
    for target in targets:
        await target.seed()
    results = []
    for round_number in range(args.rounds):
        order = targets if round_number % 2 == 0 else targets[::-1]
        for name in args.only:
            for target in order:
                send, in_flight = target.scenarios(args.concurrency)[name]
                title = f"{TITLES[name]} (c={in_flight})"
                label = f"{title} [{target.label}]" if len(targets) > 1 else title
                result = await hammer(label, send, args.seconds, in_flight, target.pid)
                print(result.line(), flush=True)
                results.append((name, target.label, result))
    for target in targets:
        await target.http.aclose()
    return results


def summary(results: list[tuple[str, str, Result]], names: list[str], labels: list[str]) -> list[str]:
    """Per scenario and checkout, the median over the rounds of each figure."""
    lines = ["medians over the rounds:"]
    for name, label in itertools.product(names, labels):
        runs = [result for scenario, owner, result in results if (scenario, owner) == (name, label)]
        if not all(run.latencies for run in runs):
            lines.append(f"  {name:<14} {label:<10} some round had no successful requests")
            continue

        def median(figure: Callable[[Result], float], runs: list[Result] = runs) -> float:
            return statistics.median(figure(run) for run in runs)

        lines.append(
            f"  {name:<14} {label:<10} {median(lambda r: r.rate):6.0f} req/s   "
            f"p50 {median(lambda r: r.cut(50)):6.1f} ms   p95 {median(lambda r: r.cut(95)):6.1f} ms   "
            f"server CPU {median(lambda r: r.cpu_ms):5.2f} ms/req   "
            f"errors {sum(run.errors for run in runs)}"
        )
    return lines


def scenario_list(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in TITLES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose among {', '.join(TITLES)} (got {value!r})")
    return names


def backend_dir(value: str) -> Path:
    path = Path(value).resolve()
    if not (path / "app" / "main.py").is_file():
        raise argparse.ArgumentTypeError(f"{value} is not a backend directory (no app/main.py in it)")
    return path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="duration of each scenario (default 10)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    parser.add_argument(
        "--only",
        type=scenario_list,
        default=list(TITLES),
        help=f"scenarios, of {','.join(TITLES)} (default all)",
    )
    parser.add_argument("--against", type=backend_dir, help="another backend checkout to compare with")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of every scenario (default 1)")
    args = parser.parse_args()
    if args.seconds <= 0 or args.concurrency < 1 or args.rounds < 1:
        parser.error("--seconds must be positive, --concurrency and --rounds at least 1")
    return args


def main() -> int:
    args = parse_args()
    logging.getLogger().setLevel(
        logging.WARNING
    )  # importing the app set up its logging: keep the client quiet
    checkouts = [("this", Path(__file__).resolve().parents[1])]
    if args.against:
        checkouts.insert(0, ("against", args.against))
    try:
        with ExitStack() as stack:
            apps = [
                (label, stack.enter_context(served_app(f"{BENCH_SCHEMA}_{label}", USER, directory)))
                for label, directory in checkouts
            ]
            time.sleep(2)  # let start-up settle before reading the idle footprint
            idle = {label: rss(app.server.process.pid) for label, app in apps}
            targets = [Target(label, app, args.concurrency) for label, app in apps]
            results = asyncio.run(run_rounds(targets, args))
            after = {label: rss(app.server.process.pid) for label, app in apps}
    except NoDatabase as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    print(
        f"uvicorn, 1 worker, PostgreSQL; {args.seconds:g} s per scenario, {args.rounds} round(s), "
        f"c = requests in flight; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
    labels = [label for label, _ in checkouts]
    if len(labels) > 1 or args.rounds > 1:
        print("\n".join(summary(results, args.only, labels)))
    for label in labels:
        print(f"{'server RSS':<24} [{label}] idle {idle[label]}; after the scenarios {after[label]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
