# shellcheck shell=bash disable=SC2034  # sourced: the scripts that source it use these
# Settings shared by every ci/cluster script (sourced, not run). Override any of them in the environment.
# The addresses are the cluster's own: a dummy interface carries the node IP, and the pod and service
# ranges are private ranges nothing else on a CI machine uses.

K8S_VERSION="${K8S_VERSION:-v1.31.14}"
COREDNS_VERSION="${COREDNS_VERSION:-v1.14.7}"
REGISTRY_VERSION="${REGISTRY_VERSION:-v3.0.0}"
LOCAL_PATH_VERSION="${LOCAL_PATH_VERSION:-v0.0.30}"
CRICTL_VERSION="${CRICTL_VERSION:-v1.34.0}"

CACHE_ROOT="${TODO_CI_CACHE:-/var/cache/todo-ci}"          # kept by `down`: built binaries
DATA_DIR="${TODO_CI_DATA:-/var/lib/todo-ci}"               # removed by `down`
RUN_DIR="${TODO_CI_RUN:-/run/todo-ci}"                     # removed by `down`: sockets, pids
LOG_DIR="${TODO_CI_LOGS:-/var/log/todo-ci/cluster}"        # one log per component, appended; kept by `down`
LOCK_FILE="${TODO_CI_LOCK:-/run/lock/todo-ci-cluster.lock}"  # serialises build/up/down

NODE_NAME="${NODE_NAME:-todo-ci}"
NODE_IFACE="${NODE_IFACE:-todo-ci0}"
NODE_IP="${NODE_IP:-10.213.0.1}"
POD_CIDR="${POD_CIDR:-10.214.0.0/16}"
NODE_POD_CIDR="${NODE_POD_CIDR:-10.214.0.0/24}"        # the first /24 the controller-manager hands out
SERVICE_CIDR="${SERVICE_CIDR:-10.215.0.0/16}"
KUBERNETES_SERVICE_IP="${KUBERNETES_SERVICE_IP:-10.215.0.1}"
DNS_SERVICE_IP="${DNS_SERVICE_IP:-10.215.0.10}"
CLUSTER_DOMAIN="${CLUSTER_DOMAIN:-cluster.local}"
BRIDGE_NAME="${BRIDGE_NAME:-todo-ci-br0}"
APISERVER_PORT="${APISERVER_PORT:-6443}"
ETCD_CLIENT_PORT="${ETCD_CLIENT_PORT:-12379}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-12380}"
REGISTRY_ADDR="${REGISTRY_ADDR:-127.0.0.1:5000}"
CONTEXT_NAME="${CONTEXT_NAME:-todo-ci}"

GO_VERSION="$(go env GOVERSION)"
K8S_BIN="${CACHE_ROOT}/k8s-${K8S_VERSION}-${GO_VERSION}"
TOOLS_BIN="${CACHE_ROOT}/tools-${GO_VERSION}"
PKI_DIR="${DATA_DIR}/pki"
KUBECONFIG_PATH="${DATA_DIR}/kubeconfig"
CONTAINERD_SOCK="${RUN_DIR}/containerd/containerd.sock"
PID_DIR="${RUN_DIR}/pids"
COMPONENTS=(containerd registry etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
# Images the cluster's own pods use. They are imported straight into containerd and never pulled.
INFRA_REGISTRY="todo-ci.local"
PAUSE_IMAGE="${INFRA_REGISTRY}/pause:1.0"
export PATH="${K8S_BIN}:${TOOLS_BIN}:${PATH}"

# The NetworkPolicy engine `cluster.sh netpol` starts: kube-router's firewall only. v2.1.0 is the newest
# version the Go module proxy serves (later tags answer 403).
KUBE_ROUTER_VERSION="${KUBE_ROUTER_VERSION:-v2.1.0}"
KUBE_ROUTER_BIN="${CACHE_ROOT}/kube-router-${KUBE_ROUTER_VERSION}-${GO_VERSION}"
KUBE_ROUTER_HEALTH_PORT="${KUBE_ROUTER_HEALTH_PORT:-20244}"
