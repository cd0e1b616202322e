"""Time the backend's edit loop: from saving a one-line change in backend/app to every backend pod serving it.

Run it beside a running `invoke dev` (same settings, e.g. `source ci/minikube/env.sh` first):

    PYTHONPATH=. python tests/infra/measure_edit_loop.py --runs 5

Each run rewrites the /health answer in backend/app/api/routes/health.py to carry a marker and polls every
backend pod (each through a `kubectl port-forward` of its own) until all of them answer with it; the file is
put back at the end, and the time until the pods serve it again is printed too, with the load average.
"""

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator

import requests
from invoke import Config, Context

from ops import dev
from ops.settings import ROOT, load_settings
from ops.targets import kubectl
from tests.helpers import runner_config

HEALTH = ROOT / "backend" / "app" / "api" / "routes" / "health.py"
ANSWER = 'return {"status": "ok"}'
POLL_SECONDS = 0.05


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def backend_pods(base: list[str]) -> list[str]:
    """The started dev-mode backend pods, as `invoke dev` syncs them (a pod being deleted is not one)."""
    output = subprocess.run(
        [*base, "get", "pods", "-l", f"app.kubernetes.io/instance={dev.RELEASE}", "-o", "json"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    pods = dev.pod_listing(json.loads(output))[0].started
    if not pods:
        raise SystemExit("no backend pod runs in dev mode: start `invoke dev` first")
    return [f"pod/{name}" for name in pods]


@contextlib.contextmanager
def forwarded(base: list[str], pods: list[str]) -> Iterator[list[str]]:
    """One local URL per pod, through `kubectl port-forward`."""
    ports = [free_port() for _ in pods]
    processes = [
        subprocess.Popen([*base, "port-forward", pod, f"{port}:8000"], stdout=subprocess.DEVNULL)
        for pod, port in zip(pods, ports, strict=True)
    ]
    try:
        urls = [f"http://127.0.0.1:{port}/health" for port in ports]
        for url in urls:
            wait_for(url, None, 30)
        yield urls
    finally:
        for process in processes:
            process.terminate()


def answers(url: str, marker: str | None) -> bool:
    try:
        body = requests.get(url, timeout=2).json()
    except (requests.RequestException, ValueError):
        return False
    return body.get("edit") == marker


def wait_for(url: str, marker: str | None, limit: float) -> None:
    deadline = time.monotonic() + limit
    while not answers(url, marker):
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer with edit={marker!r} within {limit:.0f} s")
        time.sleep(POLL_SECONDS)


def save(text: str) -> float:
    """Write the file as an editor does, and return when."""
    HEALTH.write_text(text)
    return time.monotonic()


def time_until_served(urls: list[str], marker: str | None, saved: float, limit: float) -> float:
    for url in urls:
        wait_for(url, marker, limit)
    return time.monotonic() - saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=float, default=60, help="seconds a run may take")
    parser.add_argument("--pause", type=float, default=3, help="seconds between runs")
    args = parser.parse_args()
    base = kubectl(load_settings(Context(Config(overrides=runner_config()))))
    original = HEALTH.read_text()
    if ANSWER not in original:
        raise SystemExit(f"{HEALTH} no longer holds {ANSWER!r}: update this script")
    pods = backend_pods(base)
    figures = []
    with forwarded(base, pods) as urls:
        try:
            for run in range(1, args.runs + 1):
                marker = f"run-{run}-{os.getpid()}"
                saved = save(original.replace(ANSWER, f'return {{"status": "ok", "edit": "{marker}"}}'))
                figures.append(time_until_served(urls, marker, saved, args.limit))
                load, took = os.getloadavg()[0], figures[-1]
                print(f"run {run}: {len(pods)} pods serve it {took:.2f} s after the save (load {load:.1f})")
                time.sleep(args.pause)
        finally:
            saved = save(original)
        reverted = time_until_served(urls, None, saved, args.limit)
    print(f"reverted: served {reverted:.2f} s after the save")
    print(f"median {statistics.median(figures):.2f} s, max {max(figures):.2f} s over {len(figures)} runs")


if __name__ == "__main__":
    main()
