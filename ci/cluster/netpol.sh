#!/usr/bin/env bash
# The CI cluster's NetworkPolicy engine: kube-router's firewall (iptables + ipset), run on the node as a host
# process beside kube-proxy. Its router and service proxy stay off: the bridge CNI routes, kube-proxy proxies.
# Built from the Go module proxy into KUBE_ROUTER_BIN (keyed by kube-router and Go version; a warm run only
# starts it). `down` stops it and removes its chains and sets. See docs/cluster.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "${here}/config.sh"
source "${here}/lib.sh"

build() {
  [[ -x "${KUBE_ROUTER_BIN}/kube-router" ]] && return 0
  say "building kube-router ${KUBE_ROUTER_VERSION}"
  mkdir -p "${KUBE_ROUTER_BIN}"
  CGO_ENABLED=0 GOBIN="${KUBE_ROUTER_BIN}" go install -trimpath -ldflags "-s -w \
    -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=${KUBE_ROUTER_VERSION}" \
    "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@${KUBE_ROUTER_VERSION}"
}

start() {
  require_root
  command -v ipset >/dev/null || die "ipset is missing; run: ci/cluster/cluster.sh deps"
  [[ -s "${KUBECONFIG_PATH}" ]] || die "the cluster is not up; run: ci/cluster/cluster.sh up"
  # Pod-to-pod traffic crosses the bridge: without this, iptables (and so the firewall) never sees it.
  [[ "$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)" == 1 ]] ||
    die "net.bridge.bridge-nf-call-iptables is not 1 (load br_netfilter): bridged pod traffic would bypass policies"
  build
  start_daemon kube-router "${KUBE_ROUTER_BIN}/kube-router" \
    --kubeconfig "${KUBECONFIG_PATH}" --hostname-override "${NODE_NAME}" \
    --run-firewall=true --run-router=false --run-service-proxy=false \
    --service-cluster-ip-range "${SERVICE_CIDR}" --health-port "${KUBE_ROUTER_HEALTH_PORT}" \
    --metrics-port 0 --enable-ipv6=false --v 1
  wait_for 60 "kube-router's firewall" curl -fsS "http://127.0.0.1:${KUBE_ROUTER_HEALTH_PORT}/healthz"
  daemon_running kube-router || die "kube-router exited; see ${LOG_DIR}/kube-router.log"
  say "NetworkPolicy enforced by kube-router ${KUBE_ROUTER_VERSION} (firewall only)"
}

case "${1:-start}" in
  build) build ;;
  start) start ;;
  *) die "usage: netpol.sh [build|start]" ;;
esac
