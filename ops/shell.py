"""Running external commands (kubectl, helm, git, pytest...) with one failure policy and an honest dry run.

Every command the runner starts goes through `Shell`, so each failure ends in one OpsError message (the
command's last lines, or its exit code when its output was already on the terminal), never in a traceback.
"""

import json
import shlex
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

from invoke import Context, Result

from ops.errors import OpsError

TAIL_LINES = 12
FILE = "{file}"  # placeholder for change_with_file's document
# invoke decodes a command's output 1000 bytes at a time with errors="replace", which would garble a character
# split across two reads; latin-1 maps each byte to one character, so `read` gets the bytes back exactly.
BYTE_EXACT = "latin-1"


def tail(text: str, lines: int = TAIL_LINES) -> str:
    """The last lines of a command's output: enough to explain a failure without flooding the terminal."""
    return "\n".join(text.strip().splitlines()[-lines:])


def join(args: Sequence[str]) -> str:
    return shlex.join(str(arg) for arg in args)


class Shell:
    """Runs commands through an invoke Context.

    `change` is for commands that alter something (a cluster, a release, an image): a dry run prints them
    instead. `query` (and `attempt`, `read`) is for read-only commands, which run in a dry run too, so the
    plan it prints is real; their output is captured. `stream` and `show` put it on the terminal as it comes.

    Outside invoke (`python -m ops.chart_sources`, the chart tests) `Shell()` runs on a default Context.
    """

    def __init__(self, c: Context | None = None, dry: bool = False) -> None:
        self.c = c if c is not None else Context()
        self.dry = dry

    def query(self, args: Sequence[str], failure: str) -> str:
        """Run a read-only command and return its stdout; raise OpsError(failure + its stderr) if it fails."""
        return self._checked(self.attempt(args), failure).stdout

    def query_json(self, args: Sequence[str], failure: str) -> Any:
        output = self.query(args, failure)
        try:
            return json.loads(output)
        except json.JSONDecodeError as error:
            raise OpsError(f"{failure}: unreadable output from `{join(args)}` ({error})") from error

    def attempt(self, args: Sequence[str]) -> Result:
        """Run a read-only command and return its result, failed or not."""
        return self.c.run(join(args), warn=True, hide=True, in_stream=False)

    def read(self, args: Sequence[str], failure: str) -> bytes:
        """A read-only command's stdout byte for byte (for hashing it); raise OpsError if it fails."""
        result = self.c.run(join(args), warn=True, hide=True, in_stream=False, encoding=BYTE_EXACT)
        if result.failed:
            raise failed(result, failure, result.stderr.encode(BYTE_EXACT).decode(errors="replace"))
        return result.stdout.encode(BYTE_EXACT)

    def show(
        self, args: Sequence[str], *, env: Mapping[str, str] | None = None, interactive: bool = False
    ) -> Result:
        """Run a command with its output on the terminal as it comes; return its result, failed or not.

        `interactive` hands the keyboard to the command's stdin (a question it asks, a confirmation). No pty
        (invoke's default): the command's stdout and stderr stay apart and its output is plain lines.
        """
        return self.c.run(
            join(args), warn=True, env=dict(env or {}), in_stream=None if interactive else False
        )

    def stream(self, args: Sequence[str], failure: str, *, interactive: bool = False) -> None:
        """`show`, raising OpsError(failure + the exit code) if it fails: its output is already on screen."""
        result = self.show(args, interactive=interactive)
        if result.failed:
            raise failed(result, failure)

    def try_json(self, args: Sequence[str]) -> Any | None:
        """A read-only command's JSON output, or None if it fails (for best-effort reports)."""
        result = self.attempt(args)
        if result.failed:
            return None
        try:
            return json.loads(result.stdout)
        except json.JSONDecodeError:
            return None

    def succeeds(self, args: Sequence[str]) -> bool:
        """Whether a read-only command exits 0 (for probes such as `minikube status`)."""
        return self.attempt(args).ok

    def change(self, args: Sequence[str], failure: str, *, show: bool = False) -> str:
        """Run a command that changes state; in a dry run print it instead."""
        command = join(args)
        if self.dry:
            print(f"[dry-run] {command}")
            return ""
        return self._checked(self.c.run(command, warn=True, hide=not show, in_stream=False), failure).stdout

    def change_with_file(self, args: Sequence[str], content: str, failure: str, *, show: bool = False) -> str:
        """`change` for a command that reads a generated document: FILE in `args` becomes its path.

        The document goes through a private temporary file (mode 600, removed afterwards): not the command
        line, where secrets would show in `ps`, nor invoke's stdin mirroring, which sends a byte per tick.
        """
        if self.dry:
            print(f"[dry-run] {join(['generated.yaml' if arg == FILE else arg for arg in args])}")
            return ""
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="todo-ops-") as document:
            document.write(content)
            document.flush()
            return self.change([document.name if arg == FILE else arg for arg in args], failure, show=show)

    @staticmethod
    def _checked(result: Result, failure: str) -> Result:
        if result.failed:
            raise failed(result, failure, result.stdout + result.stderr)
        return result


def failed(result: Result, failure: str, output: str = "") -> OpsError:
    """The one message for a failed command: its last lines, or its exit code when it said nothing (or its
    output is already on the terminal)."""
    last = tail(output)
    return OpsError(f"{failure}:\n{last}" if last else f"{failure} (exit code {result.exited})")
