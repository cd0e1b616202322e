# shellcheck shell=bash
# Helpers shared by the ci/cluster scripts (sourced after config.sh).

say() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# take_lock: hold LOCK_FILE on fd 9 until this process and its children exit, so that two users of one
# machine cannot run build, up or down at the same time. Daemons close fd 9 (see start_daemon).
take_lock() {
  mkdir -p "$(dirname "${LOCK_FILE}")"
  exec 9>"${LOCK_FILE}"
  flock -w 1200 9 || die "another ci/cluster build, up or down still runs after 20 minutes"
}

# start_daemon NAME COMMAND...: run COMMAND detached in its own session, log to LOG_DIR/NAME.log and
# record its pid in PID_DIR/NAME.pid. A live daemon of that name is left alone, which keeps `up` idempotent.
start_daemon() {
  local name="$1"; shift
  if daemon_running "${name}"; then
    return 0
  fi
  mkdir -p "${LOG_DIR}" "${PID_DIR}"
  setsid "$@" >>"${LOG_DIR}/${name}.log" 2>&1 </dev/null 9>&- &
  echo $! >"${PID_DIR}/${name}.pid"
}

daemon_pid() { cat "${PID_DIR}/$1.pid" 2>/dev/null || true; }

# process_alive PID: running and not a zombie (a daemon's parent is PID 1 here, which reaps late).
process_alive() {
  local state
  state="$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" && [[ -n "${state}" && "${state}" != Z ]]
}

# daemon_running NAME: its recorded pid is alive and still runs the program NAME (a pid file that outlived
# a crash or reboot may name a pid reused by something else, which must be neither trusted nor killed).
daemon_running() {
  local pid program
  pid="$(daemon_pid "$1")"
  [[ -n "${pid}" ]] && process_alive "${pid}" || return 1
  program="$(tr '\0' '\n' <"/proc/${pid}/cmdline" 2>/dev/null | head -n 1)"
  [[ "$(basename "${program}")" == "$1" ]]
}

# stop_daemon NAME: SIGTERM the recorded pid, SIGKILL it after 10 s, then forget it.
stop_daemon() {
  local name="$1" pid
  pid="$(daemon_pid "${name}")"
  if daemon_running "${name}"; then
    kill "${pid}" 2>/dev/null || true
    for _ in $(seq 100); do process_alive "${pid}" || break; sleep 0.1; done
    process_alive "${pid}" && kill -9 "${pid}" 2>/dev/null
  fi
  rm -f "${PID_DIR}/${name}.pid"
}

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every half second until it succeeds.
wait_for() {
  local seconds="$1" what="$2"; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s) < deadline )) || die "timed out after ${seconds}s waiting for ${what} (logs: ${LOG_DIR})"
    sleep 0.5
  done
}

# install_file PATH: write stdin to PATH only if it differs (kube-proxy exits when its config is written).
install_file() {
  local path="$1" next
  next="$(mktemp "${path}.XXXXXX")"
  cat >"${next}"
  if cmp -s "${next}" "${path}"; then rm -f "${next}"; else mv "${next}" "${path}"; fi
}

# render FILE NAME...: FILE with ${NAME} replaced by the shell variable NAME, for each NAME given (only those,
# so shell snippets inside a manifest keep their own $VARIABLES).
render() {
  local file="$1" names="" name
  shift
  for name in "$@"; do names+=" \${${name}}"; done
  # shellcheck disable=SC2163  # exports the NAME=VALUE pairs given as arguments
  (export "$@" && envsubst "${names}" <"${file}")
}

kubectl_admin() { kubectl --kubeconfig "${KUBECONFIG_PATH}" "$@"; }

require_root() {
  [[ "$(id -u)" == 0 ]] || die "run as root: the cluster needs network, mount and cgroup rights"
}
