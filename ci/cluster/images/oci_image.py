"""Pack a few local files into a one-layer OCI image archive that `ctr images import` accepts.

The CI cluster cannot pull images, so its own small images (pause, CoreDNS, the storage provisioner, the
smoke-test server) are static binaries packed here and imported straight into containerd.

    python3 oci_image.py --name todo-ci.local/pause:1.0 --output pause.tar \
        --add /tmp/pause=/pause --entrypoint /pause --user 65535
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class Blob:
    data: bytes
    media_type: str

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.data).hexdigest()

    def descriptor(self, **extra: object) -> dict[str, object]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": len(self.data), **extra}


def _entry(name: str, kind: bytes, mode: int, size: int = 0, target: str = "") -> tarfile.TarInfo:
    """A tar header owned by root with a fixed mtime, so the same inputs give the same image digest."""
    info = tarfile.TarInfo(name.lstrip("/"))
    info.type, info.mode, info.size, info.linkname, info.mtime = kind, mode, size, target, 0
    return info


def _parents(paths: list[str]) -> list[str]:
    parents = {str(parent) for path in paths for parent in PurePosixPath(path).parents if str(parent) != "/"}
    return sorted(parents)


def build_layer(files: dict[str, Path], links: dict[str, str]) -> bytes:
    """An uncompressed layer tar holding `files` (image path -> host file), `links` and a sticky /tmp."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as layer:
        layer.addfile(_entry("tmp", tarfile.DIRTYPE, 0o1777))
        for directory in _parents([*files, *links]):
            if directory != "/tmp":
                layer.addfile(_entry(directory, tarfile.DIRTYPE, 0o755))
        for image_path, host_path in sorted(files.items()):
            data = host_path.read_bytes()
            layer.addfile(_entry(image_path, tarfile.REGTYPE, 0o755, len(data)), io.BytesIO(data))
        for image_path, target in sorted(links.items()):
            layer.addfile(_entry(image_path, tarfile.SYMTYPE, 0o777, target=target))
    return buffer.getvalue()


def build_archive(name: str, layer_tar: bytes, entrypoint: list[str], user: str, env: list[str]) -> bytes:
    """The OCI image-layout tar: oci-layout, index.json naming the image, and the three blobs."""
    layer = Blob(gzip.compress(layer_tar, compresslevel=6, mtime=0), LAYER_TYPE)
    config = Blob(
        json.dumps(
            {
                "architecture": "amd64",
                "os": "linux",
                "config": {"Entrypoint": entrypoint, "User": user, "Env": [DEFAULT_PATH, *env]},
                "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer_tar).hexdigest()]},
            }
        ).encode(),
        CONFIG_TYPE,
    )
    manifest = Blob(
        json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": MANIFEST_TYPE,
                "config": config.descriptor(),
                "layers": [layer.descriptor()],
            }
        ).encode(),
        MANIFEST_TYPE,
    )
    tag = name.rsplit(":", 1)[1]
    annotations = {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag}
    index = {"schemaVersion": 2, "manifests": [manifest.descriptor(annotations=annotations)]}
    members = {
        "oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
        "index.json": json.dumps(index).encode(),
        **{f"blobs/sha256/{blob.digest.split(':')[1]}": blob.data for blob in (layer, config, manifest)},
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for directory in ("blobs", "blobs/sha256"):
            archive.addfile(_entry(directory, tarfile.DIRTYPE, 0o755))
        for member, data in members.items():
            archive.addfile(_entry(member, tarfile.REGTYPE, 0o644, len(data)), io.BytesIO(data))
    return buffer.getvalue()


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = dict(value.split("=", 1) for value in values if "=" in value)
    if len(pairs) != len(values):
        raise SystemExit(f"error: {option} takes SOURCE=DEST, got: {' '.join(values)}")
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--name", required=True, help="full image name with a tag, e.g. todo-ci.local/pause:1.0"
    )
    parser.add_argument("--output", required=True, type=Path, help="archive to write")
    parser.add_argument("--add", action="append", default=[], help="HOST_FILE=IMAGE_PATH (repeatable)")
    parser.add_argument("--link", action="append", default=[], help="IMAGE_PATH=TARGET symlink (repeatable)")
    parser.add_argument("--entrypoint", required=True, nargs="+", help="entrypoint argv")
    parser.add_argument("--user", default="65532:65532", help="uid[:gid] the image runs as")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE (repeatable)")
    args = parser.parse_args(argv)

    if ":" not in args.name.rsplit("/", 1)[-1]:
        parser.error(f"--name needs a tag: {args.name}")
    files = {image: Path(host) for host, image in _pairs(args.add, "--add").items()}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    layer = build_layer(files, _pairs(args.link, "--link"))
    args.output.write_bytes(build_archive(args.name, layer, args.entrypoint, args.user, args.env))
    return 0


if __name__ == "__main__":
    sys.exit(main())
