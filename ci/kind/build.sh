#!/usr/bin/env bash
# Make what `kind create cluster` would download, for CI's offline kind target (see docs/cluster.md, "kind
# offline (CI)"):
#   - kind itself, from the Go module proxy, into KIND_BIN (keyed by kind and Go version);
#   - the node image KIND_NODE_IMAGE: ci/kind/node/Dockerfile on minikube's base image (ci/minikube/kicbase),
#     plus the control-plane images and ci/cluster's local-path-provisioner imported into its containerd, as
#     kind's own `kind build node-image` does (which cannot run offline: it pulls).
# Needs ci/cluster/build.sh (Kubernetes, local-path-provisioner) and ci/minikube/images.sh (base image and
# control-plane images in the host's Docker) first. The node image carries the digest of all its inputs as a label: a warm run only
# compares it and takes seconds; any changed input rebuilds it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "${here}/config.sh"
DOCKER=/usr/bin/docker
RECIPE_LABEL=org.todo-ci.recipe
NODE_BINARIES=(kubeadm kubelet kubectl)

die() { say "error: $*"; exit 1; }

build_kind() {
  if [[ -x "${KIND_BIN}/kind" ]] && "${KIND_BIN}/kind" version | grep -q "^kind ${KIND_VERSION} "; then
    return 0
  fi
  say "building kind ${KIND_VERSION}"
  mkdir -p "${KIND_BIN}"
  CGO_ENABLED=0 GOBIN="${KIND_BIN}" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kind@${KIND_VERSION}"
}

image_id() { ${DOCKER} image inspect --format '{{.Id}}' "$1" 2>/dev/null; }

check_inputs() {
  [[ -f "${K8S_BIN}/.complete" ]] || die "Kubernetes ${K8S_VERSION} is not built: run ci/cluster/build.sh"
  local image archive
  for image in "${KICBASE_IMAGE}" "${KIND_NODE_IMAGES[@]}"; do
    image_id "${image}" >/dev/null || die "image ${image} is not in Docker: run ci/minikube/images.sh"
  done
  for archive in "${LOCAL_PATH_ARCHIVES[@]}"; do
    [[ -f "${archive}" ]] || die "${archive} is missing: run ci/cluster/build.sh"
  done
}

# ci/cluster's local-path manifest with the node's paths and the archives' image names.
storage_manifest() {
  DATA_DIR="${LOCAL_PATH_DATA_DIR}" INFRA_REGISTRY=todo-ci.local LOCAL_PATH_VERSION="${KIND_LOCAL_PATH_VERSION}" \
    envsubst '${DATA_DIR} ${INFRA_REGISTRY} ${LOCAL_PATH_VERSION}' <"${LOCAL_PATH_MANIFEST}"
}

# The digest of everything the node image is made of: the scripts, the node's files, the rendered storage
# manifest, the Kubernetes binaries, the local-path archives and the IDs of the base image and of the images
# preloaded into the node.
recipe() {
  local image binary
  {
    cat "${BASH_SOURCE[0]}" "${here}/config.sh"
    (cd "${here}/node" && sha256sum -- *)
    storage_manifest
    for binary in "${NODE_BINARIES[@]}"; do sha256sum "${K8S_BIN}/${binary}"; done
    sha256sum "${LOCAL_PATH_ARCHIVES[@]}"
    for image in "${KICBASE_IMAGE}" "${KIND_NODE_IMAGES[@]}"; do echo "${image} $(image_id "${image}")"; done
  } | sha256sum | cut -c1-16
}

current_recipe() {
  ${DOCKER} image inspect --format "{{ index .Config.Labels \"${RECIPE_LABEL}\" }}" "$1" 2>/dev/null || true
}

BUILD_CONTEXT=""
BUILD_CONTAINER="todo-ci-kind-node-build-$$"
cleanup() {
  [[ -z "${BUILD_CONTEXT}" ]] || rm -rf "${BUILD_CONTEXT}"
  ${DOCKER} rm -f -v "${BUILD_CONTAINER}" >/dev/null 2>&1 || true
}

build_node_image() {
  local recipe="$1" context base container="${BUILD_CONTAINER}"
  context="$(mktemp -d)"
  BUILD_CONTEXT="${context}"
  trap cleanup EXIT
  cp "${here}"/node/* "${context}/"
  for binary in "${NODE_BINARIES[@]}"; do cp "${K8S_BIN}/${binary}" "${context}/"; done
  storage_manifest >"${context}/default-storage.yaml"
  say "node image: files and Kubernetes ${K8S_VERSION} binaries on ${KICBASE_IMAGE}"
  base="$(DOCKER_BUILDKIT=1 ${DOCKER} build -q --build-arg "BASE_IMAGE=${KICBASE_IMAGE}" \
    --build-arg "K8S_VERSION=${K8S_VERSION}" "${context}")"

  # Import the images into the node's containerd (content only, unpacked when a pod first uses them, as
  # kind's own build does), then commit the container as the node image.
  say "node image: importing ${#KIND_NODE_IMAGES[@]} images and the local-path provisioner into its containerd"
  # --init: a PID 1 that reaps containerd once it is stopped.
  ${DOCKER} run -d --init --name "${container}" --entrypoint sleep --security-opt seccomp=unconfined "${base}" \
    infinity >/dev/null
  ${DOCKER} exec "${container}" bash -c 'nohup containerd >/var/log/containerd-build.log 2>&1 &'
  ${DOCKER} exec "${container}" bash -c \
    'for i in $(seq 60); do [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1 && exit 0; sleep 1; done
     cat /var/log/containerd-build.log; exit 1'
  ${DOCKER} save "${KIND_NODE_IMAGES[@]}" | ${DOCKER} exec -i "${container}" \
    ctr --namespace=k8s.io images import --all-platforms --no-unpack - >/dev/null
  local archive
  for archive in "${LOCAL_PATH_ARCHIVES[@]}"; do
    ${DOCKER} exec -i "${container}" ctr --namespace=k8s.io images import --no-unpack - <"${archive}" >/dev/null
  done
  local image listed
  listed="$(${DOCKER} exec "${container}" ctr --namespace=k8s.io images list -q)"
  for image in "${KIND_NODE_IMAGES[@]}"; do
    grep -qxF "${image}" <<<"${listed}" || die "the node's containerd lacks ${image} after the import"
    # Pinned, as kind's own import does: the kubelet's image garbage collection leaves them alone.
    ${DOCKER} exec "${container}" ctr --namespace=k8s.io images label "${image}" io.cri-containerd.pinned=pinned \
      >/dev/null
  done
  ${DOCKER} exec "${container}" bash -c 'pkill -x containerd; while pgrep -x containerd >/dev/null; do sleep 0.2; done
    rm -f /var/log/containerd-build.log'
  ${DOCKER} commit \
    --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/usr/local/bin/kind-entrypoint", "/sbin/init"]' \
    --change 'CMD []' --change "LABEL ${RECIPE_LABEL}=${recipe}" \
    "${container}" "${KIND_NODE_IMAGE}" >/dev/null
  say "image ${KIND_NODE_IMAGE} (recipe ${recipe})"
}

main() {
  local started recipe
  started=$(date +%s)
  build_kind
  check_inputs
  recipe="$(recipe)"
  if [[ "$(current_recipe "${KIND_NODE_IMAGE}")" != "${recipe}" ]]; then
    local previous
    previous="$(image_id "${KIND_NODE_IMAGE}" || true)"
    build_node_image "${recipe}"
    # The replaced image (1 GB) goes, unless a node still runs it.
    [[ -z "${previous}" ]] || ${DOCKER} rmi "${previous}" >/dev/null 2>&1 || true
  fi
  say "kind ${KIND_VERSION} in ${KIND_BIN}, node image ${KIND_NODE_IMAGE} ready ($(($(date +%s) - started)) s)"
}

main "$@"
