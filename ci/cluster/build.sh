#!/usr/bin/env bash
# Build and cache the Kubernetes binaries the CI cluster runs, straight from the Go module proxy.
#
# `go install k8s.io/kubernetes/cmd/...@vX` does not work because k8s.io/kubernetes pins its staging
# modules (k8s.io/api, k8s.io/client-go, ...) to v0.0.0 with replace directives that only apply inside its
# own repository. A tiny wrapper module re-creates those replaces against the published v0.<minor>.<patch>
# tags, generated from the release's own go.mod, then builds all six commands in one `go build` so they share
# compilation. Binaries are cached outside the repository, keyed by Kubernetes and Go version.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.31.14}"
CACHE_ROOT="${TODO_CI_CACHE:-/var/cache/todo-ci}"
COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)

go_version="$(go env GOVERSION)"
bin_dir="${CACHE_ROOT}/k8s-${K8S_VERSION}-${go_version}"
stamp="${bin_dir}/.complete"

if [[ -f "${stamp}" ]]; then
  echo "cached: ${bin_dir}"
  exit 0
fi

# Published staging modules carry the release's version with a major of 0: v1.31.14 -> v0.31.14.
staging_version="v0.${K8S_VERSION#v1.}"
major_minor="${K8S_VERSION#v}"
git_major="${major_minor%%.*}"
git_minor="$(cut -d. -f2 <<<"${major_minor}")"

available_staging_version() {
  local module="$1" patch="${staging_version##*.}" minor="${staging_version%.*}"
  for (( ; patch >= 0; patch-- )); do
    if go mod download "${module}@${minor}.${patch}" 2>/dev/null; then
      [[ "${minor}.${patch}" == "${staging_version}" ]] || \
        echo "WARNING: ${module}@${staging_version} not on the proxy; using ${minor}.${patch}" >&2
      echo "${minor}.${patch}"
      return
    fi
  done
  echo "no ${minor}.x version of ${module} on the module proxy" >&2
  return 1
}

work_dir="${CACHE_ROOT}/wrapper-${K8S_VERSION}"
mkdir -p "${work_dir}" "${bin_dir}"
cd "${work_dir}"
rm -f go.mod go.sum

upstream_mod="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
upstream_go="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "${upstream_mod}")"

go mod init todo-ci/kubernetes-build >/dev/null 2>&1
# Keep the release's language version so GODEBUG defaults match an upstream build of it.
go mod edit -go="${upstream_go}" -require="k8s.io/kubernetes@${K8S_VERSION}"
# Every `k8s.io/<staging> v0.0.0` requirement of the release becomes a replace to its published tag.
# The module proxy these machines use lacks a few staging tags (e.g. k8s.io/kube-proxy v0.31.14 answers
# 403 "not available"); for those take the newest earlier patch of the same minor the proxy does serve.
while read -r module; do
  go mod edit -replace="${module}=${module}@$(available_staging_version "${module}")"
done < <(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "${upstream_mod}")

version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=${git_major}"
  version_flags+=" -X ${pkg}.gitMinor=${git_minor} -X ${pkg}.gitTreeState=clean"
done

packages=()
for cmd in "${COMMANDS[@]}"; do packages+=("k8s.io/kubernetes/cmd/${cmd}"); done

started=$(date +%s)
echo "building ${COMMANDS[*]} ${K8S_VERSION} with ${go_version} into ${bin_dir}"
CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w${version_flags}" -o "${bin_dir}/" "${packages[@]}"
touch "${stamp}"
echo "built in $(( $(date +%s) - started )) s"
