# Settings shared by the ci/minikube scripts (sourced, not run). CI only: a user downloads minikube and its
# images from the internet; these machines reach only package registries, so CI makes them locally.
MINIKUBE_VERSION="${MINIKUBE_VERSION:-v1.38.1}"
MINIKUBE_ISO_VERSION="v1.38.0"                                # the Makefile's ISO_VERSION for this release
MINIKUBE_COMMIT="c93a4cb9311efc66b90d33ea03f75f2c4120e9b0"   # the release tag's commit (module origin)
STORAGE_PROVISIONER_TAG="v5"
K8S_VERSION="${K8S_VERSION:-v1.31.14}"

CACHE_ROOT="${TODO_CI_CACHE:-/var/cache/todo-ci}"
MINIKUBE_BIN="${CACHE_ROOT}/minikube-${MINIKUBE_VERSION}-$(go env GOVERSION)"

say() { printf '[minikube] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
