# shellcheck shell=bash disable=SC2034  # sourced: the scripts that source it use these
# Settings shared by the ci/kind scripts (sourced, not run). CI only: a user downloads kind and its node image
# (kindest/node) from the internet; these machines reach only package registries, so CI makes them locally.
# The Kubernetes version, the image tags kubeadm expects and the node's base image are minikube's (ci/minikube):
# one Kubernetes build and one set of control-plane images serve both targets.
source "$(dirname "${BASH_SOURCE[0]}")/../minikube/config.sh"
KIND_VERSION="${KIND_VERSION:-v0.33.0}"
KIND_BIN="${CACHE_ROOT}/kind-${KIND_VERSION}-${GO_VERSION}"
# The node image's name; its recipe (every input's digest) is a label, so changed inputs rebuild it.
KIND_NODE_IMAGE="todo-ci/kind-node:${K8S_VERSION}"
# What the node image's containerd holds, under the names kubeadm uses (from the host's Docker)...
KIND_NODE_IMAGES=(
  "registry.k8s.io/kube-apiserver:${K8S_VERSION}"
  "registry.k8s.io/kube-controller-manager:${K8S_VERSION}"
  "registry.k8s.io/kube-scheduler:${K8S_VERSION}"
  "registry.k8s.io/kube-proxy:${K8S_VERSION}"
  "registry.k8s.io/etcd:${ETCD_TAG}"
  "registry.k8s.io/coredns/coredns:${COREDNS_VERSION}"
  "registry.k8s.io/pause:${PAUSE_TAG}"
)
# ... and the default StorageClass: ci/cluster's local-path-provisioner (its manifest and the OCI archives of
# its images, built by ci/cluster/build.sh). minikube's storage-provisioner, built from v1.38.1's sources,
# exits at once here: "Error creating lock: endpoints lock is removed, migrate to leases".
KIND_LOCAL_PATH_VERSION=v0.0.30     # ci/cluster/config.sh LOCAL_PATH_VERSION
CLUSTER_TOOLS_BIN="${CACHE_ROOT}/tools-${GO_VERSION}"
LOCAL_PATH_MANIFEST="$(dirname "${BASH_SOURCE[0]}")/../cluster/manifests/local-path.yaml"
LOCAL_PATH_ARCHIVES=(
  "${CLUSTER_TOOLS_BIN}/images/local-path-provisioner_${KIND_LOCAL_PATH_VERSION}.tar"
  "${CLUSTER_TOOLS_BIN}/images/busybox_static.tar"
)
LOCAL_PATH_DATA_DIR=/var   # volumes under the node's /var/local-path (a Docker volume, as kind's own)

say() { printf '[kind %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
