#!/usr/bin/env bash
# Build the cluster's helper programs with `go install` and pack the one-file images its own pods run.
# Everything lands in TOOLS_BIN (outside the repository, keyed by Go version); a warm run does nothing.
#   binaries: coredns, registry (distribution), local-path-provisioner, crictl
#   images (OCI archives for `ctr images import`): pause, coredns, local-path-provisioner, busybox,
#   echo-server
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "${here}/config.sh"
source "${here}/lib.sh"

# go_install BINARY MODULE_PATH@VERSION: static build into TOOLS_BIN unless a binary of that version is there.
go_install() {
  local binary="$1" package="$2" stamp="${TOOLS_BIN}/.$1.version"
  [[ -x "${TOOLS_BIN}/${binary}" && "$(cat "${stamp}" 2>/dev/null)" == "${package}" ]] && return 0
  say "go install ${package}"
  CGO_ENABLED=0 GOBIN="${TOOLS_BIN}" go install -trimpath -ldflags "-s -w" "${package}"
  echo "${package}" >"${stamp}"
}

# pack IMAGE_NAME_TAG OCI_IMAGE_ARGS...: one-file image archive named after the image (name_tag.tar).
pack() {
  local name="$1"; shift
  local archive="${TOOLS_BIN}/images/${name/:/_}.tar"
  python3 "${here}/images/oci_image.py" --name "${INFRA_REGISTRY}/${name}" --output "${archive}.tmp" "$@"
  mv "${archive}.tmp" "${archive}"
}

# The images are rebuilt only when their inputs (sources, packer, versions, binaries) change.
images_fingerprint() {
  {
    echo "${COREDNS_VERSION} ${LOCAL_PATH_VERSION}"
    sha256sum "${here}/images/pause.c" "${here}/images/echo-server.go" "${here}/images/oci_image.py" \
      /bin/busybox
  } | sha256sum | cut -d' ' -f1
}

build_images() {
  local stamp="${TOOLS_BIN}/images/.fingerprint" fingerprint scratch
  fingerprint="$(images_fingerprint)"
  [[ "$(cat "${stamp}" 2>/dev/null)" == "${fingerprint}" ]] && return 0
  scratch="$(mktemp -d)"
  mkdir -p "${TOOLS_BIN}/images"
  gcc -static -Os -s -o "${scratch}/pause" "${here}/images/pause.c"
  (cd "${scratch}" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o echo-server \
    "${here}/images/echo-server.go")
  pack pause:1.0 --add "${scratch}/pause=/pause" --entrypoint /pause --user 65535:65535
  pack echo-server:1.0 --add "${scratch}/echo-server=/echo-server" --entrypoint /echo-server
  pack "coredns:${COREDNS_VERSION}" --add "${TOOLS_BIN}/coredns=/coredns" --entrypoint /coredns
  pack "local-path-provisioner:${LOCAL_PATH_VERSION}" \
    --add "${TOOLS_BIN}/local-path-provisioner=/usr/bin/local-path-provisioner" \
    --entrypoint /usr/bin/local-path-provisioner
  # The volume helper runs shell scripts as root on hostPath directories, like upstream's busybox helper.
  local links=() applet
  for applet in sh mkdir rm chmod ls; do links+=(--link "/bin/${applet}=busybox"); done
  pack busybox:static --add /bin/busybox=/bin/busybox "${links[@]}" --entrypoint /bin/sh --user 0:0
  rm -rf "${scratch}"
  echo "${fingerprint}" >"${stamp}"
}

main() {
  command -v gcc >/dev/null || die "gcc is missing: apt-get install -y gcc libc6-dev"
  [[ -x /bin/busybox ]] || die "/bin/busybox is missing: apt-get install -y busybox-static"
  mkdir -p "${TOOLS_BIN}"
  go_install coredns "github.com/coredns/coredns@${COREDNS_VERSION}"
  go_install registry "github.com/distribution/distribution/v3/cmd/registry@${REGISTRY_VERSION}"
  go_install local-path-provisioner "github.com/rancher/local-path-provisioner@${LOCAL_PATH_VERSION}"
  go_install crictl "sigs.k8s.io/cri-tools/cmd/crictl@${CRICTL_VERSION}"
  build_images
  say "tools and images ready in ${TOOLS_BIN}"
}

main "$@"
