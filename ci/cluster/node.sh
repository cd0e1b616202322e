# shellcheck shell=bash
# The node layer of the CI cluster: addresses, firewall, containerd and its CNI config (sourced by up.sh).

CNI_CONF_DIR="${DATA_DIR}/cni/net.d"
CONTAINERD_CONFIG="${DATA_DIR}/containerd/config.toml"
REGISTRY_HOSTS_DIR="${DATA_DIR}/containerd/certs.d"
SYSCTL_SNAPSHOT="${DATA_DIR}/sysctl-before-up"
# Host settings the kubelet and kube-proxy change; `up` saves them and `down` puts them back.
TOUCHED_SYSCTLS=(vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops
  kernel/keys/root_maxkeys kernel/keys/root_maxbytes net/ipv4/conf/all/route_localnet)

# Paths the kubelet and containerd use whatever their configured dirs; those `up` finds missing are
# listed for `down` to remove.
FIXED_HOST_PATHS=(/var/lib/kubelet /var/log/pods /var/log/containers /run/netns)
CREATED_PATHS="${DATA_DIR}/created-paths"

remember_host_state() {
  [[ -e "${CREATED_PATHS}" ]] && return 0
  local path key
  for path in "${FIXED_HOST_PATHS[@]}"; do
    [[ -e "${path}" ]] || echo "${path}"
  done >"${CREATED_PATHS}"
  for key in "${TOUCHED_SYSCTLS[@]}"; do
    [[ -e "/proc/sys/${key}" ]] && echo "${key} $(cat "/proc/sys/${key}")"
  done >"${SYSCTL_SNAPSHOT}"
}

# containerd mounts each pod's network namespace in /run/netns. Making that directory a mount point of its
# own first, as `ip netns` would, keeps a later `ip netns add` from bind-mounting it over the pods' mounts
# (which then cannot be removed).
prepare_netns_dir() {
  mkdir -p /run/netns
  mountpoint -q /run/netns && return 0
  mount --bind /run/netns /run/netns
  mount --make-shared /run/netns
}

setup_network() {
  prepare_netns_dir
  # A dummy interface carries the node IP; kernels built without the dummy driver (Firecracker VMs) get
  # a port-less bridge instead, which holds a local address just as well.
  if ! ip link show "${NODE_IFACE}" >/dev/null 2>&1; then
    ip link add "${NODE_IFACE}" type dummy 2>/dev/null || ip link add "${NODE_IFACE}" type bridge
  fi
  ip addr replace "${NODE_IP}/32" dev "${NODE_IFACE}"
  ip link set "${NODE_IFACE}" up
  # Docker sets the FORWARD policy to DROP; pod traffic gets its own accept chain, first in FORWARD.
  iptables -w -N TODO-CI-FORWARD 2>/dev/null || iptables -w -F TODO-CI-FORWARD
  iptables -w -A TODO-CI-FORWARD -s "${POD_CIDR}" -j ACCEPT
  iptables -w -A TODO-CI-FORWARD -d "${POD_CIDR}" -j ACCEPT
  iptables -w -C FORWARD -j TODO-CI-FORWARD 2>/dev/null || iptables -w -I FORWARD 1 -j TODO-CI-FORWARD
}

write_cni_config() {
  mkdir -p "${CNI_CONF_DIR}"
  install_file "${CNI_CONF_DIR}/10-todo-ci.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "todo-ci",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "${BRIDGE_NAME}",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "${NODE_POD_CIDR}"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "${DATA_DIR}/cni/networks"
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
}

# Pulls of 127.0.0.1:5000/* and of docker.io/* both go to the local registry over plain HTTP, so chart
# images such as docker.io/library/postgres:15-bookworm resolve to what CI pushed there.
write_registry_hosts() {
  mkdir -p "${REGISTRY_HOSTS_DIR}/${REGISTRY_ADDR}" "${REGISTRY_HOSTS_DIR}/docker.io"
  install_file "${REGISTRY_HOSTS_DIR}/${REGISTRY_ADDR}/hosts.toml" <<TOML
server = "http://${REGISTRY_ADDR}"

[host."http://${REGISTRY_ADDR}"]
  capabilities = ["pull", "resolve"]
TOML
  install_file "${REGISTRY_HOSTS_DIR}/docker.io/hosts.toml" <<TOML
server = "https://registry-1.docker.io"

[host."http://${REGISTRY_ADDR}"]
  capabilities = ["pull", "resolve"]
TOML
}

write_containerd_config() {
  mkdir -p "${DATA_DIR}/containerd" "${RUN_DIR}/containerd"
  # restrict_oom_score_adj: root here lacks CAP_SYS_RESOURCE, so runc may not lower oom_score_adj.
  # Root under RUN_DIR keeps runc's state apart from Docker's containerd.
  install_file "${CONTAINERD_CONFIG}" <<TOML
version = 2
root = "${DATA_DIR}/containerd/root"
state = "${RUN_DIR}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "${CONTAINERD_SOCK}"

[ttrpc]
  address = "${RUN_DIR}/containerd/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "${DATA_DIR}/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  enable_selinux = false
  disable_apparmor = true
  stream_server_address = "127.0.0.1"

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${RUN_DIR}/runc"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${CNI_CONF_DIR}"

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${REGISTRY_HOSTS_DIR}"
TOML
}

ctr_k8s() { ctr --address "${CONTAINERD_SOCK}" --namespace k8s.io "$@"; }

start_containerd() {
  write_cni_config
  write_registry_hosts
  write_containerd_config
  start_daemon containerd containerd --config "${CONTAINERD_CONFIG}"
  wait_for 30 containerd ctr_k8s version
}

# Import the cluster's own one-file images built by tools.sh (a second import of the same image is a no-op).
import_infra_images() {
  local archive
  for archive in "${TOOLS_BIN}"/images/*.tar; do
    ctr_k8s images import "${archive}" >/dev/null
  done
}
