#!/usr/bin/env bash
# Put into the host's Docker and minikube's cache everything `minikube start` would download, made from what
# ci/minikube/build.sh and ci/cluster/build.sh (Kubernetes) built:
#   - the node image KICBASE_IMAGE (used through MINIKUBE_BASE_IMAGE; minikube does not pull a local image);
#   - the images kubeadm and minikube run, under their upstream names, which minikube finds in the host's
#     Docker before any registry and loads into the node;
#   - kubeadm, kubelet and kubectl in minikube's binary cache.
# An image whose recipe has not changed is kept, so a warm run takes seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=ci/minikube/config.sh
source "${here}/config.sh"
DOCKER=/usr/bin/docker
RECIPE_LABEL=org.todo-ci.recipe

MINIKUBE_CACHE="${MINIKUBE_HOME:-${HOME}/.minikube}/cache"

# forget_cached IMAGE: minikube keeps a tarball of every image it has loaded and never compares it with the
# host's Docker again; drop it when the image is rebuilt.
forget_cached() {
  rm -f "${MINIKUBE_CACHE}/images/amd64/${1/:/_}"
}

current_recipe() {  # current_recipe IMAGE: the recipe label of IMAGE, empty when it does not exist
  ${DOCKER} image inspect --format "{{ index .Config.Labels \"${RECIPE_LABEL}\" }}" "$1" 2>/dev/null || true
}

# from_binary IMAGE PATH_IN_IMAGE BINARY [ENTRYPOINT]: a one-layer image holding a static binary.
from_binary() {
  local image="$1" target="$2" binary="$3" entrypoint="${4:-}" recipe scratch
  recipe="$(sha256sum "${binary}" | cut -c1-16)"
  [[ "$(current_recipe "${image}")" == "${recipe}" ]] && return 0
  scratch="$(mktemp -d)"
  install -D -m 0755 "${binary}" "${scratch}${target}"
  local changes=(--change "ENV PATH=/usr/local/bin:/usr/bin:/bin" --change "LABEL ${RECIPE_LABEL}=${recipe}")
  [[ -n "${entrypoint}" ]] && changes+=(--change "ENTRYPOINT [\"${entrypoint}\"]")
  tar --numeric-owner -C "${scratch}" -c . | ${DOCKER} import "${changes[@]}" - "${image}" >/dev/null
  rm -rf "${scratch}"
  forget_cached "${image}"
  say "image ${image}"
}

# from_dockerfile IMAGE DOCKERFILE FILE...: build IMAGE from DOCKERFILE with FILE... as its context.
from_dockerfile() {
  local image="$1" dockerfile="$2" recipe context
  shift 2
  recipe="$(cat "${dockerfile}" "$@" | sha256sum | cut -c1-16)"
  [[ "$(current_recipe "${image}")" == "${recipe}" ]] && return 0
  context="$(mktemp -d)"
  cp "$@" "${context}/"
  DOCKER_BUILDKIT=1 ${DOCKER} build -q -f "${dockerfile}" --label "${RECIPE_LABEL}=${recipe}" -t "${image}" \
    "${context}" >/dev/null
  rm -rf "${context}"
  forget_cached "${image}"
  say "image ${image}"
}

pause_binary() {
  local binary="${MINIKUBE_BIN}/pause"
  [[ -x "${binary}" ]] || gcc -static -Os -s -o "${binary}" "${here}/../cluster/images/pause.c"
  echo "${binary}"
}

control_plane_images() {
  local registry=registry.k8s.io component
  for component in kube-apiserver kube-controller-manager kube-scheduler; do
    from_binary "${registry}/${component}:${K8S_VERSION}" "/usr/local/bin/${component}" "${K8S_BIN}/${component}"
  done
  # kube-proxy programs iptables, so it needs the tools beside it.
  from_dockerfile "${registry}/kube-proxy:${K8S_VERSION}" "${here}/kube-proxy.Dockerfile" "${K8S_BIN}/kube-proxy"
  from_binary "${registry}/etcd:${ETCD_TAG}" /usr/local/bin/etcd "${MINIKUBE_BIN}/etcd"
  from_binary "${registry}/coredns/coredns:${COREDNS_VERSION}" /coredns "${MINIKUBE_BIN}/coredns" /coredns
  from_binary "${registry}/pause:${PAUSE_TAG}" /pause "$(pause_binary)" /pause
  from_binary "gcr.io/k8s-minikube/storage-provisioner:${STORAGE_PROVISIONER_TAG}" /storage-provisioner \
    "${MINIKUBE_BIN}/storage-provisioner" /storage-provisioner
}

# minikube only checks that these files exist before it copies them into the node.
binary_cache() {
  local cache="${MINIKUBE_CACHE}/linux/amd64/${K8S_VERSION}" binary
  mkdir -p "${cache}"
  for binary in kubeadm kubelet kubectl; do
    cmp -s "${K8S_BIN}/${binary}" "${cache}/${binary}" || install -m 0755 "${K8S_BIN}/${binary}" "${cache}/${binary}"
  done
}

main() {
  local started
  started=$(date +%s)
  [[ -f "${K8S_BIN}/.complete" ]] || die "Kubernetes ${K8S_VERSION} is not built: run ci/cluster/cluster.sh build"
  [[ -x "${MINIKUBE_BIN}/minikube" ]] || die "minikube is not built: run ci/minikube/build.sh"
  from_dockerfile "${KICBASE_IMAGE}" "${here}/kicbase/Dockerfile" "${here}/kicbase/entrypoint" \
    "${here}/kicbase/containerd.toml" "${MINIKUBE_BIN}/crictl" "${MINIKUBE_BIN}/runc-wrapper"
  control_plane_images
  binary_cache
  say "images and binary cache ready ($(($(date +%s) - started)) s)"
}

main "$@"
