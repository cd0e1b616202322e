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


def test_read_returns_the_bytes_exactly_even_across_invoke_reads(tmp_path: Path) -> None:
    # invoke reads 1000 bytes at a time: a two-byte character at offset 999 is split across two reads.
    content = b"x" * 999 + "é".encode() + bytes(range(256))
    source = tmp_path / "data"
    source.write_bytes(content)
    assert Shell(Context()).read(["cat", str(source)], "cat failed") == content


def test_read_fails_with_the_commands_error() -> None:
    with pytest.raises(OpsError, match=r"reading failed:\n.*No such file or directory"):
        Shell(Context()).read(["cat", "/nonexistent-e2e-path"], "reading failed")


def test_stream_shows_the_output_and_fails_with_the_exit_code(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(OpsError, match=r"^error: the script failed \(exit code 3\)$"):
        Shell(Context()).stream(["sh", "-c", "echo progress; exit 3"], "the script failed")
    assert "progress" in capfd.readouterr().out


def test_show_passes_the_environment_and_returns_the_result(capfd: pytest.CaptureFixture[str]) -> None:
    result = Shell(Context()).show(["sh", "-c", 'echo "$SUITE_URL"; exit 5'], env={"SUITE_URL": "http://x"})
    assert result.exited == 5
    assert capfd.readouterr().out == "http://x\n"


def test_commands_outside_invoke_run_on_a_default_context() -> None:
    assert Shell().query(["echo", "plain"], "echo failed") == "plain\n"


def test_a_command_that_fails_silently_is_named_with_its_exit_code() -> None:
    with pytest.raises(OpsError, match=r"^error: the probe failed \(exit code 1\)$"):
        Shell(Context()).query(["false"], "the probe failed")
