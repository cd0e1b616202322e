# Settings shared by the ci/kind scripts (sourced, not run). CI only: a user downloads kind and its node image
# (kindest/node) from the internet; these machines reach only package registries, so CI makes them locally.
# The Kubernetes version, the image tags kubeadm expects and the node's base image are minikube's (ci/minikube):
# one Kubernetes build and one set of control-plane images serve both targets.
source "$(dirname "${BASH_SOURCE[0]}")/../minikube/config.sh"
KIND_VERSION="${KIND_VERSION:-v0.33.0}"
KIND_BIN="${CACHE_ROOT}/kind-${KIND_VERSION}-${GO_VERSION}"
# The node image's name; its recipe (every input's digest) is a label, so changed inputs rebuild it.
KIND_NODE_IMAGE="todo-ci/kind-node:${K8S_VERSION}"
# What the node image's containerd holds, under the names kubeadm and the default storage manifest use.
KIND_NODE_IMAGES=(
  "registry.k8s.io/kube-apiserver:${K8S_VERSION}"
  "registry.k8s.io/kube-controller-manager:${K8S_VERSION}"
  "registry.k8s.io/kube-scheduler:${K8S_VERSION}"
  "registry.k8s.io/kube-proxy:${K8S_VERSION}"
  "registry.k8s.io/etcd:${ETCD_TAG}"
  "registry.k8s.io/coredns/coredns:${COREDNS_VERSION}"
  "registry.k8s.io/pause:${PAUSE_TAG}"
  "gcr.io/k8s-minikube/storage-provisioner:${STORAGE_PROVISIONER_TAG}"
)

say() { printf '[kind %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
