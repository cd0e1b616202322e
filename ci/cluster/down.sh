#!/usr/bin/env bash
# Tear the CI cluster down and leave the machine as it was: processes (by recorded pid), pod containers,
# mounts, network namespaces, interfaces, iptables chains, cgroups, sysctls and data dirs. Works after a
# partial `up` too: every step tolerates a piece that never started. The binary cache and the logs stay.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "${here}/config.sh"
source "${here}/lib.sh"
source "${here}/node.sh"

# Remove every pod through the CRI first, so containerd runs the CNI DEL that frees IPs and iptables rules.
# Whatever containerd could not remove (or if it is gone) runc still lists under our runc root.
remove_pods() {
  if daemon_running containerd; then
    timeout 60 crictl --runtime-endpoint "unix://${CONTAINERD_SOCK}" --timeout 20s rmp --all --force \
      >/dev/null 2>&1 || say "warning: crictl rmp failed; killing containers directly"
  fi
  local id
  for id in $(runc --root "${RUN_DIR}/runc/k8s.io" list -q 2>/dev/null); do
    runc --root "${RUN_DIR}/runc/k8s.io" delete --force "${id}" 2>/dev/null
  done
}

# containerd-shim processes outlive containerd; ours are the ones that talk to our containerd's socket.
stop_shims() {
  local pid
  for pid in $(pgrep -f -- "-address ${CONTAINERD_SOCK}( |$)"); do
    kill "${pid}" 2>/dev/null
  done
}

unmount_all() {
  local target
  for target in $(findmnt -rn -o TARGET | grep -E "^(${DATA_DIR}|${RUN_DIR})/" | sort -r); do
    umount "${target}" 2>/dev/null || umount -l "${target}" 2>/dev/null
  done
}

only_cni_entries() {
  local entry
  for entry in /run/netns/*; do
    [[ -e "${entry}" && "${entry##*/}" != cni-* ]] && return 1
  done
  return 0
}

netns_mounts() { awk '$5 ~ "^/run/netns/cni-" {print $5}' /proc/self/mountinfo | sort -u; }

# containerd mounts each pod's network namespace at /run/netns/cni-*. An `ip netns add` by anyone while the
# cluster runs bind-mounts /run/netns onto itself and hides the mounts made before it underneath; such a
# bind holding nothing but cni-* entries is lifted so that those can be unmounted too.
remove_netns() {
  local target
  for _ in 1 2 3; do
    for target in $(netns_mounts); do umount "${target}" 2>/dev/null; done
    [[ -n "$(netns_mounts)" ]] || break
    if mountpoint -q /run/netns && only_cni_entries; then
      umount /run/netns 2>/dev/null
    fi
  done
  rm -f /run/netns/cni-*
  [[ -z "$(netns_mounts)" ]] || say "warning: network namespaces still mounted: $(netns_mounts | xargs)"
}

# Delete every iptables rule that jumps to a chain of ours, then the chains themselves.
clean_iptables() {
  local tool table rule chain chains
  kube-proxy --cleanup >/dev/null 2>&1
  for tool in iptables ip6tables; do
    for table in filter nat mangle raw; do
      "${tool}-save" -t "${table}" 2>/dev/null | grep -E -- '^-A .* -j (KUBE|CNI|TODO-CI)-' |
        while read -r rule; do
          eval "${tool} -w -t ${table} -D ${rule#-A }" 2>/dev/null
        done
      chains="$("${tool}-save" -t "${table}" 2>/dev/null | sed -nE 's/^:((KUBE|CNI|TODO-CI)-[^ ]+) .*/\1/p')"
      for chain in ${chains}; do "${tool}" -w -t "${table}" -F "${chain}" 2>/dev/null; done
      for chain in ${chains}; do "${tool}" -w -t "${table}" -X "${chain}" 2>/dev/null; done
    done
  done
}

# kube-router's ipsets (KUBE-SRC-*, KUBE-DST-*, kube-router-*), once no rule refers to them any more.
remove_ipsets() {
  command -v ipset >/dev/null || return 0
  local set
  for set in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router-)'); do
    ipset destroy "${set}" 2>/dev/null
  done
}

remove_cgroups() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d "${hierarchy}" ]] && find "${hierarchy}" -depth -type d -exec rmdir {} + 2>/dev/null
  done
}

restore_sysctls() {
  [[ -s "${SYSCTL_SNAPSHOT}" ]] || return 0
  local key value
  while read -r key value; do
    echo "${value}" >"/proc/sys/${key}" 2>/dev/null
  done <"${SYSCTL_SNAPSHOT}"
}

main() {
  require_root
  stop_daemon kube-router  # first: without it the pods' firewall chains are only removed, never re-made
  stop_daemon kubelet
  remove_pods
  local component
  for component in kube-proxy kube-scheduler kube-controller-manager kube-apiserver etcd registry; do
    stop_daemon "${component}"
  done
  stop_shims
  stop_daemon containerd
  unmount_all
  remove_netns
  ip link delete "${BRIDGE_NAME}" 2>/dev/null
  ip link delete "${NODE_IFACE}" 2>/dev/null
  clean_iptables
  remove_ipsets
  remove_cgroups
  restore_sysctls
  if [[ -f "${CREATED_PATHS}" ]]; then
    grep -vx /run/netns "${CREATED_PATHS}" | xargs -r rm -rf
    # only if nothing but ours is left in it: someone else may have started using it
    if grep -qx /run/netns "${CREATED_PATHS}" && only_cni_entries; then
      mountpoint -q /run/netns && umount /run/netns
      rmdir /run/netns 2>/dev/null
    fi
  fi
  rm -rf "${DATA_DIR}" "${RUN_DIR}"
  say "cluster down; logs kept in ${LOG_DIR}"
}

main "$@"
