#!/usr/bin/env bash
# Build minikube and its storage provisioner from the Go module proxy into the CI cache.
#
# `go install k8s.io/minikube/cmd/minikube@vX` is refused here (the proxy does not serve the module's version
# list), so the module is downloaded, copied out of the read-only module cache and built in place with the
# version flags of minikube's Makefile. A warm run does nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "${here}/config.sh"

main() {
  if [[ -x "${MINIKUBE_BIN}/minikube" && -x "${MINIKUBE_BIN}/storage-provisioner" ]]; then
    say "minikube ${MINIKUBE_VERSION} cached in ${MINIKUBE_BIN}"
    return
  fi
  local source_dir started module="k8s.io/minikube" pkg="k8s.io/minikube/pkg"
  source_dir="$(go mod download -json "${module}@${MINIKUBE_VERSION}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -d "${source_dir}" ]] || die "${module}@${MINIKUBE_VERSION} is not on the module proxy"
  local work="${CACHE_ROOT}/minikube-src-${MINIKUBE_VERSION}"
  rm -rf "${work}" && cp -r "${source_dir}" "${work}" && chmod -R u+w "${work}"
  mkdir -p "${MINIKUBE_BIN}.tmp"
  started=$(date +%s)
  say "building minikube ${MINIKUBE_VERSION} and storage-provisioner ${STORAGE_PROVISIONER_TAG}"
  (
    cd "${work}"
    go build -tags libvirt_dlopen -trimpath -ldflags "-s -w \
      -X ${pkg}/version.version=${MINIKUBE_VERSION} -X ${pkg}/version.isoVersion=${MINIKUBE_ISO_VERSION} \
      -X ${pkg}/version.gitCommitID=${MINIKUBE_COMMIT} \
      -X ${pkg}/version.storageProvisionerVersion=${STORAGE_PROVISIONER_TAG}" \
      -o "${MINIKUBE_BIN}.tmp/minikube" ./cmd/minikube
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X ${pkg}/storage.version=${STORAGE_PROVISIONER_TAG}" \
      -o "${MINIKUBE_BIN}.tmp/storage-provisioner" ./cmd/storage-provisioner
  )
  rm -rf "${MINIKUBE_BIN}" "${work}" && mv "${MINIKUBE_BIN}.tmp" "${MINIKUBE_BIN}"
  say "built in $(($(date +%s) - started)) s"
}

main "$@"
