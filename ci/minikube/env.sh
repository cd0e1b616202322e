# shellcheck shell=bash
# CI's environment for the real minikube (sourced by .ci/run). Everything here is what a user could also set:
# minikube reads MINIKUBE_<FLAG> for every `minikube start` flag. None of it is in what a user runs.
# shellcheck source=ci/minikube/config.sh
source "$(dirname "${BASH_SOURCE[0]}")/config.sh"
export PATH="${MINIKUBE_BIN}:${PATH}"
export MINIKUBE_BASE_IMAGE="${KICBASE_IMAGE}"  # the locally built node image: present, so never pulled
export MINIKUBE_PRELOAD=false                  # no preload tarball: the images come from the host's Docker
export MINIKUBE_CONTAINER_RUNTIME=containerd   # no cri-dockerd needed in the node
export MINIKUBE_CNI=bridge                     # kindnet, containerd's default CNI, has no image here
export MINIKUBE_FORCE=true                     # CI runs as root, which minikube refuses without it
export MINIKUBE_WANTUPDATENOTIFICATION=false MINIKUBE_IN_STYLE=false
