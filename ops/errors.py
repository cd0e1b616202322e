"""The one exception type for expected failures.

It subclasses `invoke.Exit`, so invoke prints the message and exits non-zero without a traceback,
while the plain functions in `ops/` stay usable (and testable) outside invoke.
"""

from invoke import Exit


class OpsError(Exit):
    """An expected failure: bad input, a missing tool, a cluster that is down, a release that failed."""

    def __init__(self, message: str) -> None:
        super().__init__(f"error: {message}", code=1)

    def __str__(self) -> str:
        return str(self.message)
