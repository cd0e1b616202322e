# shellcheck shell=bash disable=SC2034  # sourced: the scripts that source it use these
# Settings shared by the ci/minikube scripts (sourced, not run). CI only: a user downloads minikube and its
# images from the internet; these machines reach only package registries, so CI makes them locally.
MINIKUBE_VERSION="${MINIKUBE_VERSION:-v1.38.1}"
MINIKUBE_ISO_VERSION="v1.38.0"                                # the Makefile's ISO_VERSION for this release
MINIKUBE_COMMIT="c93a4cb9311efc66b90d33ea03f75f2c4120e9b0"   # the release tag's commit (module origin)
STORAGE_PROVISIONER_TAG="v5"
K8S_VERSION="${K8S_VERSION:-v1.31.14}"
# What kubeadm (and minikube's image table) name for this Kubernetes version.
ETCD_VERSION="v3.5.24"
ETCD_TAG="3.5.24-0"
COREDNS_VERSION="v1.11.3"
PAUSE_TAG="3.10"
CRICTL_VERSION="v1.34.0"
KICBASE_IMAGE="todo-ci/kicbase:${MINIKUBE_VERSION}"

CACHE_ROOT="${TODO_CI_CACHE:-/var/cache/todo-ci}"
GO_VERSION="$(go env GOVERSION)"
MINIKUBE_BIN="${CACHE_ROOT}/minikube-${MINIKUBE_VERSION}-${GO_VERSION}"
K8S_BIN="${CACHE_ROOT}/k8s-${K8S_VERSION}-${GO_VERSION}"   # built by ci/cluster/build.sh

say() { printf '[minikube %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { say "error: $*"; exit 1; }
