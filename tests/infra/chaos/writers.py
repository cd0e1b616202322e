"""Bounded writers that create tasks through the browser's path while a fault runs, and the reconciliation of
what they were told against what the database holds.

Every write has a unique title, so reading the tasks back tells, for each write, whether it was stored: an
acknowledged write (201) that is missing is lost; a write reported failed that is stored is a phantom (the
user saw an error for something that happened).
"""

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import requests
from todo_release import HTTP_TIMEOUT_SECONDS, TodoUser

WRITERS = 8
MAX_WRITES_PER_WRITER = 400  # bounds a run whose fault never ends; the deadline stops them well before
PAUSE_SECONDS = 0.05  # between two writes of one writer: steady traffic that leaves CPU for the fault itself

DETAIL_CHARS = 160

RESULTS: list["Counts"] = []  # every fault's counts, in the order run, for the summary at the end


@dataclass
class Write:
    title: str
    status: int | str  # the HTTP status, or the name of the exception (a refused or reset connection)
    after_recovery: bool = False
    detail: str = ""  # the start of an error's body: which layer answered, and why


@dataclass
class Counts:
    """One fault's figures, as printed and asserted."""

    fault: str
    acked: int
    failed: int
    stored: int
    lost: list[str]
    phantom: list[str]
    errors: Counter[str] = field(default_factory=Counter)
    details: Counter[str] = field(default_factory=Counter)  # "status: body" of the failures

    def explain(self) -> str:
        """The distinct failures, most frequent first: what the user was told."""
        return "; ".join(f"{count} x {detail}" for detail, count in self.details.most_common(5))

    def line(self) -> str:
        errors = ", ".join(f"{status}: {count}" for status, count in sorted(self.errors.items())) or "none"
        return (
            f"{self.fault:<26} acked {self.acked:>4}  failed {self.failed:>3}  stored {self.stored:>4}  "
            f"lost {len(self.lost)}  phantom {len(self.phantom)}  errors: {errors}"
        )


class Writers:
    """WRITERS threads, each with its own HTTP session carrying the signed-in user's cookies."""

    def __init__(self, user: TodoUser, fault: str) -> None:
        self.user = user
        self.fault = fault
        self.prefix = f"chaos-{fault}-{uuid.uuid4().hex[:8]}"
        self.writes: list[Write] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.recovered = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(WRITERS)]

    def session(self) -> requests.Session:
        session = requests.Session()
        session.headers.update(self.user.session.headers)
        session.cookies.update(self.user.session.cookies)
        return session

    def run(self, writer: int) -> None:
        session = self.session()
        url = f"{self.user.base_url}/api/backend/tasks"
        for n in range(MAX_WRITES_PER_WRITER):
            if self.stop.is_set():
                return
            title = f"{self.prefix}-{writer}-{n}"
            after_recovery = self.recovered.is_set()
            try:
                response = session.post(url, json={"title": title}, timeout=HTTP_TIMEOUT_SECONDS)
                status: int | str = response.status_code
                detail = "" if status == 201 else response.text[:DETAIL_CHARS]
            except requests.RequestException as error:  # refused, reset or timed out: the user saw an error
                status, detail = type(error).__name__, str(error)[:DETAIL_CHARS]
            with self.lock:
                self.writes.append(Write(title, status, after_recovery, detail))
            time.sleep(PAUSE_SECONDS)

    def successes_after_recovery(self) -> int:
        with self.lock:
            return sum(1 for write in self.writes if write.after_recovery and write.status == 201)

    def __enter__(self) -> "Writers":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def reconcile(self, stored_titles: set[str]) -> Counts:
        mine = {title for title in stored_titles if title.startswith(f"{self.prefix}-")}
        acked = [write for write in self.writes if write.status == 201]
        failed = [write for write in self.writes if write.status != 201]
        return Counts(
            fault=self.fault,
            acked=len(acked),
            failed=len(failed),
            stored=len(mine),
            lost=[write.title for write in acked if write.title not in mine],
            phantom=[write.title for write in failed if write.title in mine],
            errors=Counter(str(write.status) for write in failed),
            details=Counter(f"{write.status}: {write.detail}" for write in failed),
        )
