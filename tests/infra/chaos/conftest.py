"""The fault suite (`invoke test.chaos`): its per-fault counts are printed at the end of the run."""

import pytest
from writers import RESULTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if RESULTS:
        terminalreporter.section("writes under faults (8 writers through the frontend's /api/backend)")
        for counts in RESULTS:
            terminalreporter.write_line(counts.line())
