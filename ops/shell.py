"""Running external commands (kubectl, helm, minikube, kind) with one failure policy and an honest dry run."""

import json
import shlex
import tempfile
from collections.abc import Sequence
from typing import Any

from invoke import Context, Result

from ops.errors import OpsError

TAIL_LINES = 12
FILE = "{file}"  # placeholder for change_with_file's document


def tail(text: str, lines: int = TAIL_LINES) -> str:
    """The last lines of a command's output: enough to explain a failure without flooding the terminal."""
    return "\n".join(text.strip().splitlines()[-lines:])


def join(args: Sequence[str]) -> str:
    return shlex.join(str(arg) for arg in args)


class Shell:
    """Runs commands through an invoke Context.

    `change` is for commands that alter something (a cluster, a release, an image): a dry run prints them
    instead. `query` is for read-only commands, which run in a dry run too, so the plan it prints is real.
    """

    def __init__(self, c: Context, dry: bool = False) -> None:
        self.c = c
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
            raise OpsError(f"{failure}:\n{tail(result.stdout + result.stderr)}")
        return result
