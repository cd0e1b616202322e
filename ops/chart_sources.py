"""The charts' shared sources and the files made from them, kept in step by one command.

- charts/todo-common/values.schema.defs.json holds the `$defs` the charts' values.schema.json files share.
  Each chart's schema is its own `properties` plus the shared `$defs` it refers to (directly or through
  another definition) plus any `$defs` of its own (a name the shared file lacks).
- charts/todo-common, the library chart, is packaged into each chart's charts/ directory and committed, so
  `helm template`, `helm lint` and `helm upgrade` work on a clean clone with no `helm dependency build` and no
  network. The archive is written byte for byte the same from the same files, so regenerating is a no-op;
  one that `helm dependency build` made from the same files passes the check too.

`python -m ops.chart_sources` rewrites what is out of date (and the charts' READMEs when helm-docs is
installed); `--check` only lists it and exits 1, as `invoke chart.lint` and tests/charts do.
"""

import argparse
import fnmatch
import gzip
import io
import json
import shutil
import sys
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from ops.errors import OpsError
from ops.settings import RELEASES, ROOT
from ops.shell import Shell

CHARTS_DIR = ROOT / "charts"
LIBRARY = "todo-common"
DEFS_FILE = "values.schema.defs.json"
DEFS_PREFIX = "#/$defs/"
SCHEMA_WIDTH = 100  # the schemas' line length, as they were formatted by hand before they were generated
SOURCES_COMMAND = "python -m ops.chart_sources"
HELM_DOCS_VERSION = "v1.14.2"
HELM_DOCS_INSTALL = f"go install github.com/norwoodj/helm-docs/cmd/helm-docs@{HELM_DOCS_VERSION}"
# Values in file order (the order values.yaml explains them in), no version footer (it would change with the
# helm-docs build): the README then changes only when a chart does.
HELM_DOCS_FLAGS = ("--sort-values-order", "file", "--skip-version-footer", "--log-level", "warning")


# --- the schemas --------------------------------------------------------------------------------------------


def shared_defs(charts_dir: Path = CHARTS_DIR) -> dict[str, Any]:
    return json.loads((charts_dir / LIBRARY / DEFS_FILE).read_text())["$defs"]


def refs(node: Any) -> Iterator[str]:
    """The names of the `$defs` a schema fragment refers to."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(DEFS_PREFIX):
                yield value.removeprefix(DEFS_PREFIX)
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def merged_schema(schema: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """The chart's schema with its `$defs` rebuilt: the shared ones it reaches, then its own."""
    own = {name: body for name, body in schema.get("$defs", {}).items() if name not in shared}
    body = {key: value for key, value in schema.items() if key != "$defs"}
    reached: set[str] = set()
    pending = list(refs([body, own]))
    while pending:
        name = pending.pop()
        if name in shared and name not in reached:
            reached.add(name)
            pending.extend(refs(shared[name]))
    defs = {name: shared[name] for name in shared if name in reached} | own
    return body | {"$defs": defs} if defs else body


def schema_text(schema: dict[str, Any]) -> str:
    return compact_json(schema) + "\n"


def compact_json(node: Any, indent: int = 0, prefix: str = "") -> str:
    """JSON with each object or array on one line when that fits in SCHEMA_WIDTH, else one member a line."""
    one_line = inline_json(node)
    if not isinstance(node, dict | list) or indent + len(prefix) + len(one_line) < SCHEMA_WIDTH:
        return one_line
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(node, dict):
        members = [
            f"{inner}{json.dumps(key)}: {compact_json(value, indent + 2, json.dumps(key) + ': ')}"
            for key, value in node.items()
        ]
        return "{\n" + ",\n".join(members) + f"\n{pad}}}"
    items = [f"{inner}{compact_json(item, indent + 2)}" for item in node]
    return "[\n" + ",\n".join(items) + f"\n{pad}]"


def inline_json(node: Any) -> str:
    if isinstance(node, dict):
        members = ", ".join(f"{json.dumps(key)}: {inline_json(value)}" for key, value in node.items())
        return f"{{ {members} }}" if node else "{}"
    if isinstance(node, list):
        return "[" + ", ".join(inline_json(item) for item in node) + "]"
    return json.dumps(node, ensure_ascii=False)


def schema_drift(chart_dir: Path, shared: dict[str, Any]) -> tuple[str, str] | None:
    """(current text, expected text) of the chart's values.schema.json when they differ."""
    path = chart_dir / "values.schema.json"
    current = path.read_text()
    expected = schema_text(merged_schema(json.loads(current), shared))
    return None if current == expected else (current, expected)


# --- the packaged library -----------------------------------------------------------------------------------


def helmignore_patterns(chart_dir: Path) -> list[str]:
    path = chart_dir / ".helmignore"
    lines = path.read_text().splitlines() if path.is_file() else []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def ignored(relative: str, patterns: Iterable[str]) -> bool:
    """The subset of .helmignore that the library uses: names, globs and directories (`dir/`)."""
    parts = relative.split("/")
    for pattern in patterns:
        if pattern.endswith("/"):
            if pattern.rstrip("/") in parts[:-1]:
                return True
        elif fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(parts[-1], pattern):
            return True
    return False


def library_files(charts_dir: Path = CHARTS_DIR) -> dict[str, bytes]:
    """What `helm package` would put in the library's archive: archive path -> content."""
    library_dir = charts_dir / LIBRARY
    patterns = helmignore_patterns(library_dir)
    files = {}
    for path in sorted(library_dir.rglob("*")):
        relative = path.relative_to(library_dir).as_posix()
        if path.is_file() and not ignored(relative, patterns):
            files[f"{LIBRARY}/{relative}"] = path.read_bytes()
    return files


def package(files: dict[str, bytes]) -> bytes:
    """A .tgz of the files with fixed times, owners and modes: the same files always give the same bytes."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), 0o644, 0
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def packaged_files(archive: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        return {
            member.name: tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
            if member.isfile()
        }


def same_library(packaged: dict[str, bytes], expected: dict[str, bytes]) -> bool:
    """The same files; Chart.yaml compared as data, because `helm dependency build` re-serialises it."""
    chart_yaml = f"{LIBRARY}/Chart.yaml"
    if packaged.keys() != expected.keys():
        return False
    if yaml.safe_load(packaged[chart_yaml]) != yaml.safe_load(expected[chart_yaml]):
        return False
    return all(packaged[name] == expected[name] for name in expected if name != chart_yaml)


def library_version(charts_dir: Path = CHARTS_DIR) -> str:
    return str(yaml.safe_load((charts_dir / LIBRARY / "Chart.yaml").read_text())["version"])


def vendored_archive(chart_dir: Path, version: str) -> Path:
    return chart_dir / "charts" / f"{LIBRARY}-{version}.tgz"


def dependency_problems(chart_dir: Path, version: str) -> list[str]:
    """The chart must depend on this very library version, from the sibling directory."""
    dependencies = yaml.safe_load((chart_dir / "Chart.yaml").read_text()).get("dependencies") or []
    wanted = {"name": LIBRARY, "version": version, "repository": f"file://../{LIBRARY}"}
    if any({key: str(dep.get(key)) for key in wanted} == wanted for dep in dependencies):
        return []
    return [f"{chart_dir.name}/Chart.yaml must list the dependency {wanted} (edit it by hand)"]


# --- checking and writing -----------------------------------------------------------------------------------


def drift(charts_dir: Path = CHARTS_DIR, charts: Iterable[str] = RELEASES) -> list[str]:
    """What is out of date, one line each; empty when every generated file matches its sources."""
    shared, version = shared_defs(charts_dir), library_version(charts_dir)
    expected_files = library_files(charts_dir)
    problems = []
    for chart in charts:
        chart_dir = charts_dir / chart
        problems += dependency_problems(chart_dir, version)
        if schema_drift(chart_dir, shared):
            problems.append(f"{chart}/values.schema.json differs from its properties plus the shared $defs")
        archive = vendored_archive(chart_dir, version)
        if not archive.is_file():
            problems.append(f"{chart}/charts/{archive.name} is missing")
        elif not same_library(packaged_files(archive.read_bytes()), expected_files):
            problems.append(f"{chart}/charts/{archive.name} differs from charts/{LIBRARY}")
        stale = sorted(set((chart_dir / "charts").glob(f"{LIBRARY}-*.tgz")) - {archive})
        problems += [f"{chart}/charts/{path.name} is an old library version" for path in stale]
    return [f"{problem}: run `{SOURCES_COMMAND}`" for problem in problems]


def write(charts_dir: Path = CHARTS_DIR, charts: Iterable[str] = RELEASES) -> list[Path]:
    """Rewrite the out-of-date schemas and archives; the paths written (or removed)."""
    shared, version = shared_defs(charts_dir), library_version(charts_dir)
    expected_files = library_files(charts_dir)
    archive_bytes = package(expected_files)
    changed = []
    for chart in charts:
        chart_dir = charts_dir / chart
        if found := schema_drift(chart_dir, shared):
            (chart_dir / "values.schema.json").write_text(found[1])
            changed.append(chart_dir / "values.schema.json")
        archive = vendored_archive(chart_dir, version)
        if not archive.is_file() or not same_library(packaged_files(archive.read_bytes()), expected_files):
            archive.parent.mkdir(exist_ok=True)
            archive.write_bytes(archive_bytes)
            changed.append(archive)
        for stale in set(archive.parent.glob(f"{LIBRARY}-*.tgz")) - {archive}:
            stale.unlink()
            changed.append(stale)
    return changed


# --- the READMEs (helm-docs) --------------------------------------------------------------------------------


def find_helm_docs() -> str | None:
    return shutil.which("helm-docs") or shutil.which(str(Path.home() / "go" / "bin" / "helm-docs"))


def run_helm_docs(helm_docs: str, charts_dir: Path) -> None:
    """Write README.md into every chart under charts_dir from its Chart.yaml and the `# --` comments."""
    Shell().query([helm_docs, "--chart-search-root", str(charts_dir), *HELM_DOCS_FLAGS], "helm-docs failed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=SOURCES_COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="list what is out of date and exit 1; write nothing"
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = drift()
        print("\n".join(problems) or "the charts' generated files match their sources")
        return 1 if problems else 0
    helm_docs = find_helm_docs()
    if helm_docs:  # first: the READMEs are packaged with the library
        try:
            run_helm_docs(helm_docs, CHARTS_DIR)
        except OpsError as error:  # outside invoke nothing turns it into a message and an exit code
            print(error, file=sys.stderr)
            return 1
        print("READMEs regenerated with helm-docs (see `git diff charts/*/README.md`)")
    else:
        print(f"helm-docs is not installed, READMEs left as they are: {HELM_DOCS_INSTALL}")
    for path in write():
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
