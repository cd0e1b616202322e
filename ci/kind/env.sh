# shellcheck shell=bash
# CI's environment for the kind target (sourced by .ci/run after ci/kind/build.sh). Only what a user of these
# machines would set too: kind on the PATH, and the project's setting for the node image (upstream's
# kindest/node cannot be pulled here).
source "$(dirname "${BASH_SOURCE[0]}")/config.sh"
export PATH="${KIND_BIN}:${PATH}"
export INVOKE_CLUSTER_KIND_NODE_IMAGE="${KIND_NODE_IMAGE}"
