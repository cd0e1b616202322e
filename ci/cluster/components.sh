# shellcheck shell=bash
# etcd, the control plane, the kubelet and kube-proxy of the CI cluster (sourced by up.sh).
# Every component listens on 127.0.0.1 or the node IP only, never on the machine's own address.

start_etcd() {
  start_daemon etcd etcd --name "${NODE_NAME}" --data-dir "${DATA_DIR}/etcd" \
    --listen-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORT}" \
    --advertise-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORT}" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-cluster "${NODE_NAME}=http://127.0.0.1:${ETCD_PEER_PORT}" \
    --listen-metrics-urls "" --logger zap --log-level warn
  wait_for 30 etcd curl -fsS "http://127.0.0.1:${ETCD_CLIENT_PORT}/health"
}

start_apiserver() {
  start_daemon kube-apiserver kube-apiserver \
    --etcd-servers "http://127.0.0.1:${ETCD_CLIENT_PORT}" \
    --bind-address "${NODE_IP}" --advertise-address "${NODE_IP}" --secure-port "${APISERVER_PORT}" \
    --service-cluster-ip-range "${SERVICE_CIDR}" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --anonymous-auth=false --profiling=false \
    --client-ca-file "${PKI_DIR}/ca.crt" \
    --tls-cert-file "${PKI_DIR}/apiserver.crt" --tls-private-key-file "${PKI_DIR}/apiserver.key" \
    --kubelet-certificate-authority "${PKI_DIR}/ca.crt" \
    --kubelet-client-certificate "${PKI_DIR}/apiserver-kubelet-client.crt" \
    --kubelet-client-key "${PKI_DIR}/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-issuer "https://kubernetes.default.svc.${CLUSTER_DOMAIN}" \
    --service-account-key-file "${PKI_DIR}/service-account.pub" \
    --service-account-signing-key-file "${PKI_DIR}/service-account.key" \
    --event-ttl 30m --v 1
  wait_for 90 kube-apiserver kubectl_admin get --raw /readyz
}

start_controllers() {
  start_daemon kube-controller-manager kube-controller-manager \
    --kubeconfig "${PKI_DIR}/controller-manager.kubeconfig" \
    --authentication-kubeconfig "${PKI_DIR}/controller-manager.kubeconfig" \
    --authorization-kubeconfig "${PKI_DIR}/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
    --allocate-node-cidrs --cluster-cidr "${POD_CIDR}" --node-cidr-mask-size 24 \
    --service-cluster-ip-range "${SERVICE_CIDR}" \
    --cluster-signing-cert-file "${PKI_DIR}/ca.crt" --cluster-signing-key-file "${PKI_DIR}/ca.key" \
    --root-ca-file "${PKI_DIR}/ca.crt" \
    --service-account-private-key-file "${PKI_DIR}/service-account.key" --v 1
  start_daemon kube-scheduler kube-scheduler \
    --kubeconfig "${PKI_DIR}/scheduler.kubeconfig" \
    --authentication-kubeconfig "${PKI_DIR}/scheduler.kubeconfig" \
    --authorization-kubeconfig "${PKI_DIR}/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --v 1
}

# The apiserver reaches the kubelet (logs, exec, port-forward) as kube-apiserver-kubelet-client.
grant_apiserver_kubelet_access() {
  kubectl_admin get clusterrolebinding todo-ci:apiserver-kubelet-client >/dev/null 2>&1 ||
    kubectl_admin create clusterrolebinding todo-ci:apiserver-kubelet-client \
      --clusterrole system:kubelet-api-admin --user kube-apiserver-kubelet-client >/dev/null
}

# Eviction thresholds sit near zero because CI disks are sometimes nearly full; swap and the
# machine's cgroup v1 layout are accepted as they are.
write_kubelet_config() {
  mkdir -p "${DATA_DIR}/kubelet"
  install_file "${DATA_DIR}/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: ${PKI_DIR}/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: ${PKI_DIR}/kubelet-serving.crt
tlsPrivateKeyFile: ${PKI_DIR}/kubelet-serving.key
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://${CONTAINERD_SOCK}
failSwapOn: false
clusterDNS: [${DNS_SERVICE_IP}]
clusterDomain: ${CLUSTER_DOMAIN}
resolvConf: /etc/resolv.conf
evictionHard:
  memory.available: "1Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
maxPods: 110
YAML
}

start_node_agents() {
  write_kubelet_config
  start_daemon kubelet kubelet --config "${DATA_DIR}/kubelet/config.yaml" \
    --kubeconfig "${PKI_DIR}/kubelet.kubeconfig" --root-dir "${DATA_DIR}/kubelet" \
    --hostname-override "${NODE_NAME}" --node-ip "${NODE_IP}" --v 1
  install_file "${DATA_DIR}/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: ${PKI_DIR}/kube-proxy.kubeconfig}
hostnameOverride: ${NODE_NAME}
mode: iptables
clusterCIDR: ${POD_CIDR}
bindAddress: ${NODE_IP}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts answer on the node IP and on 127.0.0.1, never on the machine's own address.
nodePortAddresses: ["${NODE_IP}/32", "127.0.0.1/32"]
iptables: {localhostNodePorts: true, masqueradeAll: false}
# 0 leaves the host's conntrack table size and timeouts alone.
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
YAML
  start_daemon kube-proxy kube-proxy --config "${DATA_DIR}/kube-proxy.yaml" --v 1
}

node_ready() {
  [[ "$(kubectl_admin get node "${NODE_NAME}" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}
