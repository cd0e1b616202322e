#!/usr/bin/env bash
# Build and cache the Kubernetes binaries the CI cluster runs, straight from the Go module proxy.
#
# `go install k8s.io/kubernetes/cmd/...@vX` does not work because k8s.io/kubernetes pins its staging
# modules (k8s.io/api, k8s.io/client-go, ...) to v0.0.0 with replace directives that only apply inside its
# own repository. A tiny wrapper module re-creates those replaces against the published v0.<minor>.<patch>
# tags, generated from the release's own go.mod, then builds all six commands in one `go build` so they share
# compilation. Binaries land in K8S_BIN (outside the repository, keyed by Kubernetes and Go version).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "${here}/config.sh"
source "${here}/lib.sh"

COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl kubeadm)
# Published staging modules carry the release's version with a major of 0: v1.31.14 -> v0.31.14.
STAGING_VERSION="v0.${K8S_VERSION#v1.}"

# available_staging_version MODULE: STAGING_VERSION, or, when the module proxy lacks that tag (these
# machines' proxy answers 403 "not available" for e.g. k8s.io/kube-proxy v0.31.14), the newest earlier
# patch of the same minor that it serves.
available_staging_version() {
  local module="$1" patch="${STAGING_VERSION##*.}" minor="${STAGING_VERSION%.*}"
  for (( ; patch >= 0; patch-- )); do
    if go mod download "${module}@${minor}.${patch}" 2>/dev/null; then
      [[ "${minor}.${patch}" == "${STAGING_VERSION}" ]] ||
        say "WARNING: ${module}@${STAGING_VERSION} is not on the module proxy; using ${minor}.${patch}"
      echo "${minor}.${patch}"
      return
    fi
  done
  die "no ${minor}.x version of ${module} on the module proxy"
}

# write_wrapper_module DIR: go.mod requiring the release, with one replace per staging requirement.
write_wrapper_module() {
  local upstream_mod module
  upstream_mod="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" |
    sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
  [[ -s "${upstream_mod}" ]] || die "k8s.io/kubernetes@${K8S_VERSION} is not on the module proxy"
  rm -f go.mod go.sum
  go mod init todo-ci/kubernetes-build 2>/dev/null
  # Keep the release's language version so GODEBUG defaults match an upstream build of it.
  go mod edit -go="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "${upstream_mod}")" \
    -require="k8s.io/kubernetes@${K8S_VERSION}"
  while read -r module; do
    go mod edit -replace="${module}=${module}@$(available_staging_version "${module}")"
  done < <(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "${upstream_mod}")
}

# Without these the servers report v0.0.0-master and Helm's kubeVersion checks fail.
version_ldflags() {
  local release="${K8S_VERSION#v}" package flags=""
  for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X ${package}.gitVersion=${K8S_VERSION} -X ${package}.gitMajor=${release%%.*}"
    flags+=" -X ${package}.gitMinor=$(cut -d. -f2 <<<"${release}") -X ${package}.gitTreeState=clean"
  done
  echo "${flags}"
}

main() {
  if [[ -f "${K8S_BIN}/.complete" ]]; then
    say "Kubernetes ${K8S_VERSION} cached in ${K8S_BIN}"
    return
  fi
  local work_dir="${CACHE_ROOT}/wrapper-${K8S_VERSION}" started packages=() command
  mkdir -p "${work_dir}" "${K8S_BIN}"
  cd "${work_dir}"
  write_wrapper_module
  for command in "${COMMANDS[@]}"; do packages+=("k8s.io/kubernetes/cmd/${command}"); done
  started=$(date +%s)
  say "building ${COMMANDS[*]} ${K8S_VERSION} with ${GO_VERSION} into ${K8S_BIN}"
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w$(version_ldflags)" -o "${K8S_BIN}/" \
    "${packages[@]}"
  touch "${K8S_BIN}/.complete"
  say "built in $(( $(date +%s) - started )) s"
}

main "$@"
