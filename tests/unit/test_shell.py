"""Shell: how commands run, fail and dry-run; generated documents stay private."""

import re
from pathlib import Path

import pytest
from invoke import Context

from ops.errors import OpsError
from ops.shell import FILE, Shell


def test_a_generated_document_is_private_and_removed_afterwards() -> None:
    output = Shell(Context()).change_with_file(
        ["stat", "-c", "%a %n", FILE], "secret: value\n", "stat failed"
    )
    mode, path = output.split()
    assert mode == "600"
    assert not Path(path).exists()


def test_a_failing_command_raises_with_its_output() -> None:
    with pytest.raises(OpsError, match=r"listing failed:\n.*No such file or directory"):
        Shell(Context()).query(["ls", "/nonexistent-e2e-path"], "listing failed")


def test_a_dry_run_prints_changes_without_running_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    marker = tmp_path / "created"
    shell = Shell(Context(), dry=True)
    shell.change(["touch", str(marker)], "touch failed")
    shell.change_with_file(["cat", FILE], "secret: value\n", "cat failed")
    printed = capsys.readouterr().out
    assert not marker.exists()
    assert re.search(r"\[dry-run\] touch \S+/created", printed)
    assert "[dry-run] cat generated.yaml" in printed
    assert "secret" not in printed
