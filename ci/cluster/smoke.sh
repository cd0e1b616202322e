#!/usr/bin/env bash
# Smoke check of a running CI cluster, run right after `up`: node Ready, a probed Deployment Ready, cluster
# DNS from another pod, hairpin traffic, HTTP through the ClusterIP and the NodePort (node IP and 127.0.0.1),
# a deleted pod replaced, `kubectl port-forward`, and a PVC on the default StorageClass.
# Ends with "N passed, N failed".
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "${here}/config.sh"
source "${here}/lib.sh"

NAMESPACE=todo-ci-smoke
SMOKE_NODE_PORT="${SMOKE_NODE_PORT:-30080}"
FORWARD_PORT="${FORWARD_PORT:-18080}"
passed=0
failed=0

k() { kubectl_admin -n "${NAMESPACE}" "$@"; }
# in_client COMMAND...: run a busybox applet in the client pod, bounded (a dropped packet would hang wget).
in_client() {
  timeout 10 kubectl --kubeconfig "${KUBECONFIG_PATH}" -n "${NAMESPACE}" exec client -- /bin/busybox "$@"
}

# check DESCRIPTION COMMAND...: run one check, print its outcome, and on failure what it said.
check() {
  local what="$1" output; shift
  if output="$("$@" 2>&1)"; then
    passed=$((passed + 1)); say "PASS ${what}"
  else
    failed=$((failed + 1)); say "FAIL ${what}"; printf '%s\n' "${output}" | tail -20 >&2
  fi
}

# retry SECONDS COMMAND...: quiet attempts until one succeeds or time is up, then a last one that shows
# its output (Services and DNS converge within seconds of a pod becoming Ready).
retry() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s) < deadline )) || { "$@"; return; }
    sleep 1
  done
}

expect_hello() { curl -fsS --max-time 5 "$1" | grep -q "hello from echo-"; }
cluster_ip() { k get service echo -o jsonpath='{.spec.clusterIP}'; }
echo_pods() { k get pods -l app=echo -o jsonpath='{.items[*].metadata.name}'; }

dns_resolves() {
  local ip
  ip="$(cluster_ip)"
  [[ -n "${ip}" ]] && in_client nslookup "echo.${NAMESPACE}.svc.${CLUSTER_DOMAIN}" | grep -qwF "${ip}"
}
hairpin() { in_client wget -qO- "http://client.${NAMESPACE}/" | grep -q "hairpin ok"; }
service_from_pod() { in_client wget -qO- "http://echo.${NAMESPACE}/" | grep -q "hello from"; }

deleted_pod_replaced() {
  local victim
  victim="$(echo_pods | cut -d' ' -f1)"
  k delete pod "${victim}" --wait=false >/dev/null || return 1
  retry 60 replaced_and_ready "${victim}"
}
replaced_and_ready() {
  [[ " $(echo_pods) " != *" $1 "* ]] &&
    [[ "$(k get deployment echo -o jsonpath='{.status.readyReplicas}')" == 2 ]]
}

port_forward_works() {
  local pod pid status=0
  pod="$(echo_pods | cut -d' ' -f1)"
  k port-forward --address 127.0.0.1 "pod/${pod}" "${FORWARD_PORT}:8080" \
    >"${LOG_DIR}/smoke-port-forward.log" 2>&1 &
  pid=$!
  retry 20 curl -fsS --max-time 5 "http://127.0.0.1:${FORWARD_PORT}/healthz" || status=1
  kill "${pid}" 2>/dev/null
  wait "${pid}" 2>/dev/null
  return "${status}"
}

volume_provisioned() {
  k wait --for=jsonpath='{.status.phase}'=Succeeded pod/writer --timeout 90s >/dev/null &&
    k logs writer | grep -qx persisted &&
    [[ "$(k get pvc data -o jsonpath='{.status.phase}')" == Bound ]] &&
    [[ "$(kubectl_admin get pv "$(k get pvc data -o jsonpath='{.spec.volumeName}')" \
      -o jsonpath='{.spec.storageClassName}')" == standard ]]
}

main() {
  local started
  started=$(date +%s)
  [[ -s "${KUBECONFIG_PATH}" ]] || die "no cluster: run ci/cluster/cluster.sh up first"
  kubectl_admin delete namespace "${NAMESPACE}" --ignore-not-found --wait=true --timeout 90s >/dev/null
  check "node ${NODE_NAME} is Ready" \
    kubectl_admin wait --for=condition=Ready "node/${NODE_NAME}" --timeout 60s
  render "${here}/manifests/smoke.yaml" SMOKE_NODE_PORT INFRA_REGISTRY | kubectl_admin apply -f - >/dev/null
  check "Deployment with readiness and liveness probes becomes Ready" \
    k rollout status deployment/echo --timeout 120s
  check "client pod is Ready" k wait --for=condition=Ready pod/client --timeout 60s
  check "Service name resolves through cluster DNS from another pod" retry 30 dns_resolves
  check "HTTP from a pod through the Service name" retry 30 service_from_pod
  check "a pod reaches itself through its own Service (hairpin)" retry 30 hairpin
  check "HTTP from the host through the ClusterIP" retry 30 expect_hello "http://$(cluster_ip)/"
  check "HTTP through the NodePort on the node IP" \
    retry 30 expect_hello "http://${NODE_IP}:${SMOKE_NODE_PORT}/"
  check "HTTP through the NodePort on 127.0.0.1" retry 30 expect_hello "http://127.0.0.1:${SMOKE_NODE_PORT}/"
  check "a deleted pod is replaced" deleted_pod_replaced
  check "kubectl port-forward to a pod" port_forward_works
  check "PVC on the default StorageClass is provisioned and writable" volume_provisioned
  kubectl_admin delete namespace "${NAMESPACE}" --wait=true --timeout 90s >/dev/null ||
    say "warning: namespace ${NAMESPACE} not deleted"
  say "smoke took $(( $(date +%s) - started ))s"
  echo "smoke: ${passed} passed, ${failed} failed"
  ((failed == 0))
}

main "$@"
