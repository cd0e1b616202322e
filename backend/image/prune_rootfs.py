"""Cut the Python base image's root filesystem down to what the backend service runs.

Run as root in a build stage made of the base image plus the service's virtual environment:

    python prune_rootfs.py /opt/venv

The runtime stage copies the result (`COPY --from=<stage> / /`), so what this deletes is absent from the
image, not hidden under a later layer. Standard library only: it runs on the official python:3.11-slim
(Python in /usr/local) and on Debian's Python (CI's stand-in) alike, and finds everything from the running
interpreter.

Kept: the interpreter and its standard library (minus the parts below); every shared library that the
interpreter, its extension modules, the venv's compiled modules or the kept programs link (found with ldd),
with the Debian packages that own them; a POSIX shell (dash), coreutils, grep, sed, tar and gzip
(`docker exec`, `kubectl exec/cp` and the container tests use them); CA certificates, time zones,
/etc/services and MIME types; the dpkg status of what stays, so image scanners still see the OS packages.
Removed: the package managers (apt, dpkg, pip), perl, debconf, bash, login and account tools, file system
tools, the base interpreter's pip and setuptools, standard library parts no service imports (tests, IDLE,
Tk, turtle, 2to3, ensurepip, pydoc's topic texts), and glibc's iconv converters when no library of the
service calls iconv.
"""

import ctypes
import importlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Iterator
from pathlib import Path

# Packages kept whatever they link: the shell and tools for debugging, and data the standard library reads.
KEEP_PACKAGES = {
    "base-files",  # /etc/os-release, which scanners read
    "base-passwd",
    "ca-certificates",
    "coreutils",
    "dash",  # /bin/sh
    "grep",
    "gzip",
    "libc-bin",  # ldconfig and its cache: ctypes.util.find_library reads `ldconfig -p`
    "libc6",
    "libgcc-s1",  # glibc loads it at thread cancellation; manylinux wheels may link it
    "media-types",  # /etc/mime.types (mimetypes, Starlette's file responses)
    "netbase",  # /etc/services, /etc/protocols (socket.getservbyname)
    "openssl",  # /etc/ssl/openssl.cnf, read by libssl
    "sed",
    "tar",  # kubectl cp
    "tzdata",  # zoneinfo
}
# Standard library parts that nothing in a server imports: IDLE, Tk, turtle, 2to3, pip's bootstrap, the tests
# and the texts of help('topic') (pydoc says they are missing instead).
STDLIB_UNUSED = [
    "test",
    "idlelib",
    "tkinter",
    "turtledemo",
    "turtle.py",
    "ensurepip",
    "lib2to3",
    "pydoc_data",
]
DYNLOAD_UNUSED = re.compile(r"^(_test|_xxtest|xxlimited|_tkinter|_ctypes_test|xxsubtype)")
BASE_SITE_UNUSED = [
    "pip",
    "setuptools",
    "wheel",
    "_distutils_hack",
    "pkg_resources",
    "distutils-precedence.pth",
]
BIN_UNUSED = re.compile(r"^(pip|idle|2to3|pydoc)[0-9.-]*$")  # pip3.11, 2to3-3.11, ...
# Package manager state and caches: no package manager remains to read them.
# dpkg's backup and `available` files still list the removed packages.
STATE_UNUSED = [
    "/var/lib/apt",
    "/var/cache/apt",
    "/var/cache/debconf",
    "/usr/share/python-wheels",
    "/var/lib/dpkg/status-old",
    "/var/lib/dpkg/available",
]
TOP_LEVEL_MODULE = re.compile(r"\w+(\.py|\..+\.so)")  # a module file at the top of site-packages
LDD_PATH = re.compile(r"=> (/\S+)|^\s*(/\S+) \(0x")


def main(venv: Path) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    service = [Path(os.path.realpath(sys.executable)), *shared_objects(stdlib), *shared_objects(venv)]
    service_libraries = linked_libraries(service) | set(service)
    tools = [path for package in KEEP_PACKAGES for path in package_files(package) if is_program(path)]
    needed = service_libraries | linked_libraries(tools)
    remove_unused_packages(KEEP_PACKAGES | owners(needed | {stdlib}), needed)
    prune_stdlib(stdlib)
    prune_base_python()
    prune_state()
    prune_gconv(service_libraries)
    compile_imported_stdlib(stdlib, venv)
    subprocess.run(["ldconfig"], check=True)  # the cache find_library reads must not name removed libraries
    check_loadable([*shared_objects(stdlib), *shared_objects(venv)])


def remove_unused_packages(keep: set[str], needed: set[Path]) -> None:
    # Every listing is read before the first deletion: dpkg-query goes with the dpkg package.
    unused = {
        package: package_files(package) for package in installed_packages() if name(package) not in keep
    }
    for package, files in unused.items():
        remove_files(files, needed)
        forget_package(package)


def prune_state() -> None:
    for path in STATE_UNUSED:
        remove(Path(path))
    for log in Path("/var/log").iterdir():
        remove(log)
    for listing in Path("/var/lib/dpkg/info").glob("*.md5sums"):  # only `dpkg --verify` reads them
        listing.unlink()
    # update-alternatives links (awk, which, pager) whose target package went
    for directory in ("/etc/alternatives", "/usr/bin", "/usr/sbin"):
        for path in Path(directory).iterdir():
            if path.is_symlink() and not path.exists():
                path.unlink()


def compile_imported_stdlib(stdlib: Path, venv: Path) -> None:
    """Bytecode for the standard library modules that the venv's packages import, and only for those.

    The root filesystem is read-only at run time, so a module without bytecode is compiled at every start
    (about a second more here without any); the rest of the standard library is rarely imported, so its
    bytecode (about 8 MB) is left out. The official image ships none.
    """
    for cache in list(stdlib.rglob("__pycache__")):
        shutil.rmtree(cache)
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    python = venv / "bin" / "python"
    subprocess.run([str(python), __file__, "--import-every-package"], env=environment, cwd="/", check=True)


def import_every_package() -> None:
    """Import each top-level module of this environment's distributions; one failing alone is skipped."""
    modules = set()
    for distribution in importlib.metadata.distributions():
        for file in distribution.files or []:
            top = file.parts[0]
            if (len(file.parts) > 1 and file.name == "__init__.py") or TOP_LEVEL_MODULE.fullmatch(top):
                modules.add(top.split(".")[0])
    for module in sorted(modules):
        try:
            importlib.import_module(module)
        except Exception as error:
            print(f"prune_rootfs: importing {module} alone failed ({error}); its imports get no bytecode")


def shared_objects(root: Path) -> Iterator[Path]:
    return (path for path in root.rglob("*.so*") if path.is_file() and not path.is_symlink())


def is_program(path: Path) -> bool:
    """An executable file of a package (a program or a library); ldd says which are dynamically linked."""
    return path.is_file() and not path.is_symlink() and os.access(path, os.X_OK)


def linked_libraries(elf_files: Iterable[Path]) -> set[Path]:
    """The shared libraries (and their symlinks) that the ELF files need, by ldd; fails on a missing one."""
    libraries: set[Path] = set()
    for elf in elf_files:
        output = subprocess.run(["ldd", str(elf)], capture_output=True, text=True).stdout
        if "=> not found" in output:
            sys.exit(f"prune_rootfs: {elf} links a library the base image lacks:\n{output}")
        for match in LDD_PATH.finditer(output):
            library = Path(match.group(1) or match.group(2))
            libraries |= {library, Path(os.path.realpath(library))}
    return libraries


def installed_packages() -> list[str]:
    query = ["dpkg-query", "-W", "-f", "${binary:Package}\n"]
    return subprocess.run(query, capture_output=True, text=True, check=True).stdout.split()


def owners(paths: Iterable[Path]) -> set[str]:
    """The names of the Debian packages owning any of the paths (none for Python built in /usr/local)."""
    query = ["dpkg-query", "-S", *map(str, paths)]
    output = subprocess.run(query, capture_output=True, text=True).stdout  # unowned paths only print errors
    return {name(package) for line in output.splitlines() for package in line.split(": ")[0].split(", ")}


def name(package: str) -> str:
    """`libc6:amd64` -> `libc6`."""
    return package.split(":")[0]


def package_files(package: str) -> list[Path]:
    listing = ["dpkg-query", "-L", package]
    return [
        Path(line) for line in subprocess.run(listing, capture_output=True, text=True).stdout.splitlines()
    ]


def remove_files(paths: list[Path], needed: set[Path]) -> None:
    """Delete a package's files, then its directories left empty; never a directory symlink such as /lib."""
    for path in paths:
        if (path.is_file() or path.is_symlink()) and not path.is_dir() and path not in needed:
            path.unlink()
    for path in sorted(paths, key=lambda path: len(path.parts), reverse=True):
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()


def forget_package(package: str) -> None:
    """Drop the package from dpkg's status and info, so that scanners report only what the image holds."""
    status = Path("/var/lib/dpkg/status")
    entry = re.compile(rf"^Package: {re.escape(name(package))}$", re.MULTILINE)
    stanzas = status.read_text().split("\n\n")
    status.write_text("\n\n".join(stanza for stanza in stanzas if not entry.search(stanza)))
    info = Path("/var/lib/dpkg/info")
    for file in [*info.glob(f"{name(package)}.*"), *info.glob(f"{name(package)}:*.*")]:
        file.unlink()


def prune_stdlib(stdlib: Path) -> None:
    for part in STDLIB_UNUSED:
        remove(stdlib / part)
    for module in (stdlib / "lib-dynload").iterdir():
        if DYNLOAD_UNUSED.match(module.name):
            module.unlink()


def prune_base_python() -> None:
    """The base interpreter's pip and setuptools, their scripts, the C headers: the service uses its venv."""
    site = Path(sysconfig.get_paths()["purelib"])
    for pattern in BASE_SITE_UNUSED:
        for path in site.glob(f"{pattern}*"):
            remove(path)
    remove(Path(sysconfig.get_paths()["include"]))
    scripts = Path(sysconfig.get_paths()["scripts"])
    for script in scripts.iterdir():
        if BIN_UNUSED.match(script.name):
            script.unlink()


def prune_gconv(needed: set[Path]) -> None:
    """glibc's character set converters, loaded only by iconv: dropped when no kept library calls iconv."""
    callers = [path for path in needed if "libc.so" not in path.name and b"iconv_open" in read(path)]
    for gconv in Path("/usr/lib").glob("*/gconv"):
        if callers:
            print(f"prune_rootfs: keeping {gconv}, iconv is used by {sorted(map(str, callers))}")
        else:
            remove(gconv)


def read(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


def check_loadable(modules: list[Path]) -> None:
    """Load each compiled module with its libraries, as an import would: a missing library fails the build."""
    for elf in modules:
        try:
            ctypes.CDLL(str(elf))
        except OSError as error:
            sys.exit(f"prune_rootfs: {elf} no longer loads: {error}")


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


if __name__ == "__main__":
    if sys.argv[1] == "--import-every-package":
        import_every_package()
    else:
        main(Path(sys.argv[1]))
