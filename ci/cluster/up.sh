#!/usr/bin/env bash
# Bring the CI cluster up (idempotent: running components are left alone) and print the time to node Ready.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "${here}/config.sh"
source "${here}/lib.sh"
source "${here}/pki.sh"
source "${here}/node.sh"
source "${here}/components.sh"

check_prerequisites() {
  require_root
  local missing=() binary
  for binary in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    [[ -x "${K8S_BIN}/${binary}" ]] || missing+=("${binary}")
  done
  for binary in coredns registry local-path-provisioner crictl; do
    [[ -x "${TOOLS_BIN}/${binary}" ]] || missing+=("${binary}")
  done
  ((${#missing[@]} == 0)) || die "not built: ${missing[*]}; run: ci/cluster/cluster.sh build"
  for binary in containerd runc etcd iptables conntrack openssl; do
    command -v "${binary}" >/dev/null || die "${binary} is missing; run: ci/cluster/cluster.sh deps"
  done
}

start_registry() {
  mkdir -p "${DATA_DIR}/registry"
  install_file "${DATA_DIR}/registry.yaml" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: ${DATA_DIR}/registry}
  delete: {enabled: true}
http:
  addr: ${REGISTRY_ADDR}
YAML
  start_daemon registry registry serve "${DATA_DIR}/registry.yaml"
  wait_for 30 "the registry on ${REGISTRY_ADDR}" curl -fsS "http://${REGISTRY_ADDR}/v2/"
}

install_addons() {
  grant_apiserver_kubelet_access
  local manifest
  for manifest in coredns local-path; do
    render "${here}/manifests/${manifest}.yaml" DATA_DIR CLUSTER_DOMAIN DNS_SERVICE_IP INFRA_REGISTRY \
      COREDNS_VERSION LOCAL_PATH_VERSION | kubectl_admin apply -f - >/dev/null
  done
}

# A component that dies right after starting (a bad flag, a port in use) must fail `up`, not the tests.
check_components_alive() {
  local name dead=()
  for name in "${COMPONENTS[@]}"; do
    daemon_running "${name}" || dead+=("${name}")
  done
  ((${#dead[@]} == 0)) || die "not running: ${dead[*]}; see ${LOG_DIR}/<component>.log"
}

# State left by a cluster whose processes are gone (a crash, a reboot, a killed session) is cleaned first.
clean_stale_state() {
  local name
  for name in "${COMPONENTS[@]}"; do
    daemon_running "${name}" && return 0
  done
  if [[ -d "${DATA_DIR}" || -d "${RUN_DIR}" ]]; then
    say "no component running but state left behind: cleaning it first"
    "${here}/down.sh"
  fi
}

main() {
  local started
  started=$(date +%s)
  check_prerequisites
  clean_stale_state
  mkdir -p "${DATA_DIR}" "${RUN_DIR}" "${LOG_DIR}"
  chmod 700 "${DATA_DIR}"
  remember_host_state
  setup_network
  make_pki
  start_containerd
  import_infra_images
  start_registry
  start_etcd
  start_apiserver
  start_controllers
  start_node_agents
  install_addons
  wait_for 120 "node ${NODE_NAME} to be Ready" node_ready
  wait_for 60 "kube-proxy to sync" curl -fsS http://127.0.0.1:10256/healthz
  say "node ${NODE_NAME} Ready $(( $(date +%s) - started ))s after start"
  kubectl_admin -n kube-system rollout status deployment/coredns --timeout 120s >/dev/null
  kubectl_admin -n local-path-storage rollout status deployment/local-path-provisioner --timeout 120s \
    >/dev/null
  check_components_alive
  say "cluster up in $(( $(date +%s) - started ))s:" \
    "KUBECONFIG=${KUBECONFIG_PATH} (context ${CONTEXT_NAME})," \
    "registry ${REGISTRY_ADDR}, node IP ${NODE_IP}"
}

main "$@"
