#!/usr/bin/env bash
# Build, from the Go module proxy, the programs CI's offline minikube needs, into MINIKUBE_BIN (outside the
# repository, keyed by minikube and Go version). Each program is skipped when already built: a warm run does
# nothing.
#   minikube, storage-provisioner   k8s.io/minikube, with the version flags of minikube's Makefile
#   etcd                            go.etcd.io/etcd/server/v3, the etcd kubeadm runs for this Kubernetes
#   coredns                         github.com/coredns/coredns, the CoreDNS kubeadm deploys
#   crictl                          sigs.k8s.io/cri-tools, for the node image
#   runc-wrapper                    ci/minikube/runc-wrapper (see its comment)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=ci/minikube/config.sh
source "${here}/config.sh"

# built NAME: true when NAME is in MINIKUBE_BIN already.
built() { [[ -x "${MINIKUBE_BIN}/$1" ]]; }

# module_dir MODULE@VERSION: the module's directory in the module cache (downloaded if needed).
module_dir() {
  go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}

# `go install k8s.io/minikube/cmd/minikube@vX` is refused (the proxy does not serve the module's version list):
# build inside a writable copy of the module instead.
build_minikube() {
  built minikube && built storage-provisioner && return 0
  local source_dir work="${CACHE_ROOT}/minikube-src-${MINIKUBE_VERSION}" pkg="k8s.io/minikube/pkg"
  source_dir="$(module_dir "k8s.io/minikube@${MINIKUBE_VERSION}")"
  [[ -d "${source_dir}" ]] || die "k8s.io/minikube@${MINIKUBE_VERSION} is not on the module proxy"
  rm -rf "${work}" && cp -r "${source_dir}" "${work}" && chmod -R u+w "${work}"
  cd "${work}"
  if ! built minikube; then
    say "building minikube ${MINIKUBE_VERSION}"
    go build -tags libvirt_dlopen -trimpath -ldflags "-s -w \
      -X ${pkg}/version.version=${MINIKUBE_VERSION} -X ${pkg}/version.isoVersion=${MINIKUBE_ISO_VERSION} \
      -X ${pkg}/version.gitCommitID=${MINIKUBE_COMMIT} \
      -X ${pkg}/version.storageProvisionerVersion=${STORAGE_PROVISIONER_TAG}" \
      -o "${MINIKUBE_BIN}/minikube" ./cmd/minikube
  fi
  if ! built storage-provisioner; then
    # Upstream's v5 image was built years ago. Built from this release's source, the provisioner links a
    # client-go that no longer has the Endpoints lock its library hard-codes for leader election, and exits
    # ("endpoints lock is removed, migrate to leases"). The addon runs one replica: turn leader election off.
    sed -i 's/serverVersion.GitVersion)$/serverVersion.GitVersion, controller.LeaderElection(false))/' \
      pkg/storage/storage_provisioner.go
    grep -q 'LeaderElection(false)' pkg/storage/storage_provisioner.go || die "storage provisioner patch failed"
    say "building storage-provisioner ${STORAGE_PROVISIONER_TAG}"
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X ${pkg}/storage.version=${STORAGE_PROVISIONER_TAG}" \
      -o "${MINIKUBE_BIN}/storage-provisioner" ./cmd/storage-provisioner
  fi
  cd - >/dev/null
  rm -rf "${work}"
}

# etcd's server module points at its sibling modules with relative replaces, so `go install` refuses it; a
# wrapper module that requires it resolves them to their published versions.
build_etcd() {
  built etcd && return 0
  local work="${CACHE_ROOT}/etcd-wrapper-${ETCD_VERSION}"
  rm -rf "${work}" && mkdir -p "${work}"
  say "building etcd ${ETCD_VERSION}"
  (
    cd "${work}"
    go mod init todo-ci/etcd-build 2>/dev/null
    go mod edit -require="go.etcd.io/etcd/server/v3@${ETCD_VERSION}"
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "${MINIKUBE_BIN}/etcd" \
      go.etcd.io/etcd/server/v3
  )
  rm -rf "${work}"
}

build_coredns() {
  built coredns && return 0
  say "building coredns ${COREDNS_VERSION}"
  CGO_ENABLED=0 GOBIN="${MINIKUBE_BIN}" go install -trimpath -ldflags "-s -w" \
    "github.com/coredns/coredns@${COREDNS_VERSION}"
}

build_crictl() {
  built crictl && return 0
  CGO_ENABLED=0 GOBIN="${MINIKUBE_BIN}" go install -trimpath -ldflags "-s -w" \
    "sigs.k8s.io/cri-tools/cmd/crictl@${CRICTL_VERSION}"
}

build_runc_wrapper() {
  (cd "${here}/runc-wrapper" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" \
    -o "${MINIKUBE_BIN}/runc-wrapper" main.go)
}

main() {
  local started
  started=$(date +%s)
  mkdir -p "${MINIKUBE_BIN}"
  build_minikube
  build_etcd
  build_coredns
  build_crictl
  build_runc_wrapper  # cheap, and always from the current source
  say "binaries ready in ${MINIKUBE_BIN} ($(($(date +%s) - started)) s)"
}

main "$@"
