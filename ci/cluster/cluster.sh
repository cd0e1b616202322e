#!/usr/bin/env bash
# One entry point for the CI cluster: a real single-node Kubernetes built from upstream sources.
# See docs/cluster.md. Commands:
#   deps            install the Debian packages the node needs (containerd, runc, CNI plugins, etcd, ...)
#   build           build and cache Kubernetes and the helper tools/images (a warm run takes seconds)
#   up              start everything (idempotent) and print the time to node Ready
#   netpol          build (cached) and start kube-router's firewall, which enforces NetworkPolicy
#   status          components with their pids, the node and all pods
#   smoke           the post-bring-up smoke check ("N passed, N failed")
#   push IMAGE...   copy Docker images into the cluster's registry (docker.io names go to their mirror path)
#   logs [N]        the last N (default 40) lines of each component log
#   env             print the shell exports for kubectl/helm
#   down            stop everything and clean the machine (keeps the build cache and the logs)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "${here}/config.sh"
source "${here}/lib.sh"

DEBIAN_PACKAGES=(containerd runc containernetworking-plugins etcd-server iptables conntrack socat
  busybox-static gcc libc6-dev openssl curl gettext-base iproute2 ipset)

install_deps() {
  require_root
  # A fresh machine has no package lists yet.
  apt-cache show etcd-server >/dev/null 2>&1 || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${DEBIAN_PACKAGES[@]}" \
    >/dev/null
}

status() {
  local name pid state
  for name in "${COMPONENTS[@]}" kube-router; do
    pid="$(daemon_pid "${name}")"
    state=stopped
    daemon_running "${name}" && state=running
    printf '%-24s %-8s pid %s\n' "${name}" "${state}" "${pid:--}"
  done
  [[ -s "${KUBECONFIG_PATH}" ]] || return 0
  kubectl_admin get nodes -o wide || true
  kubectl_admin get pods -A -o wide || true
}

# push IMAGE...: `127.0.0.1:5000/x:tag` is pushed as it is; a Docker Hub name such as postgres:15-bookworm
# goes to 127.0.0.1:5000/library/postgres:15-bookworm, where containerd's docker.io mirror finds it.
push() {
  (($# > 0)) || die "usage: cluster.sh push IMAGE..."
  local image target path
  for image in "$@"; do
    /usr/bin/docker image inspect "${image}" >/dev/null 2>&1 || die "no such Docker image: ${image}"
    if [[ "${image}" == "${REGISTRY_ADDR}/"* ]]; then
      target="${image}"
    else
      path="${image#docker.io/}"
      [[ "${path}" == */* ]] || path="library/${path}"
      [[ "${path%%/*}" == *.* || "${path%%/*}" == *:* ]] && die "not a Docker Hub name: ${image}"
      target="${REGISTRY_ADDR}/${path}"
      /usr/bin/docker tag "${image}" "${target}"
    fi
    /usr/bin/docker push --quiet "${target}" >/dev/null || die "push of ${target} failed (is the cluster up?)"
    say "pushed ${target}"
  done
}

logs() {
  local lines="${1:-40}" file
  for file in "${LOG_DIR}"/*.log; do
    [[ -e "${file}" ]] || continue
    printf '\n===== %s =====\n' "${file}"
    tail -n "${lines}" "${file}"
  done
}

main() {
  local command="${1:-}"
  shift || true
  case "${command}" in
    deps) install_deps ;;
    build) take_lock && "${here}/build.sh" && "${here}/tools.sh" && "${here}/netpol.sh" build ;;
    up) take_lock && "${here}/up.sh" ;;
    netpol) take_lock && "${here}/netpol.sh" start ;;
    status) status ;;
    smoke) "${here}/smoke.sh" ;;
    push) push "$@" ;;
    logs) logs "$@" ;;
    env) printf 'export KUBECONFIG=%s\nexport PATH=%s:%s:$PATH\n' "${KUBECONFIG_PATH}" "${K8S_BIN}" \
      "${TOOLS_BIN}" ;;
    down) take_lock && "${here}/down.sh" ;;
    *) sed -n '2,15s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  esac
}

main "$@"
