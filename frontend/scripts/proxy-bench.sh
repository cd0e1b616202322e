#!/usr/bin/env bash
# Interleaved load test of the backend proxy on running frontends: for each round and each concurrency, runs
# `invoke bench` (ops/loadtest.py: a throwaway user, 3 lists : 1 create : 1 delete on 100 tasks through
# /api/backend) against each server in turn, and prints req/s, p50, p95, errors and the server's CPU per request:
# user + system time of its process over the run, less that of a run of one request just before it (sign-up and
# sign-in hash a password, hundreds of ms; the 100 tasks seeded and deleted), divided by the requests less one.
#
# Even rounds take the servers in reverse order, so neither always runs first.
#
# Usage (from the repository root, with the root .venv): bash frontend/scripts/proxy-bench.sh LABEL=PID@URL ...
#   e.g. old=1234@http://127.0.0.1:3001 new=1240@http://127.0.0.1:3002
# Environment: ROUNDS (default 3), CONCURRENCY (default "8 32"), SECONDS_EACH (default 15); BACKEND_PID: also
# print the backend process's CPU per request (the same way), to see which side limits the rate.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 LABEL=PID@URL ..." >&2; exit 2; }
rounds=${ROUNDS:-3}
seconds=${SECONDS_EACH:-15}
ticks=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

per_request() { awk -v t="$1" -v hz="$ticks" -v n="$2" 'BEGIN {printf "%.2f", (n > 1 ? t * 1000 / hz / (n - 1) : 0)}'; }

printf '%-6s %-4s %-6s %8s %8s %8s %-10s %10s %s\n' round c server req/s p50_ms p95_ms errors cpu_ms/req "${BACKEND_PID:+backend_cpu_ms/req}"
for round in $(seq "$rounds"); do
  servers=("$@")
  if ((round % 2 == 0)); then
    servers=()
    for ((i = $# - 1; i >= 0; i--)); do servers+=("${@:i+1:1}"); done
  fi
  for c in ${CONCURRENCY:-8 32}; do
    for server in "${servers[@]}"; do
      label=${server%%=*} rest=${server#*=}
      pid=${rest%%@*} url=${rest#*@}
      start=$(cpu_ticks "$pid")
      INVOKE_CLUSTER_PUBLIC_URL=$url .venv/bin/invoke bench -r 1 -c 1 >/dev/null 2>&1 || true
      before=$(cpu_ticks "$pid")
      backend_before=$(cpu_ticks "${BACKEND_PID:-$pid}")
      out=$(INVOKE_CLUSTER_PUBLIC_URL=$url .venv/bin/invoke bench -s "$seconds" -c "$c" 2>&1 || true)
      after=$(cpu_ticks "$pid")
      backend_after=$(cpu_ticks "${BACKEND_PID:-$pid}")
      signup=$((before - start))
      # "bench (...): 412 req/s, p50 60.1 ms, p95 90.3 ms (6180 ok of 6180 in 15.0 s); errors: none; load ..."
      line=$(grep -o '[0-9]* req/s, p50 .*' <<<"$out" || echo "$out" | tail -1)
      read -r rate p50 p95 total errors < <(sed -E 's/^([0-9]+) req\/s, p50 ([0-9.]+) ms, p95 ([0-9.]+) ms \([0-9]+ ok of ([0-9]+) in [0-9.]+ s\); errors: ([^;]*).*$/\1 \2 \3 \4 \5/' <<<"$line")
      cpu=$(per_request $((after - before - signup)) "$total")
      backend=${BACKEND_PID:+$(per_request $((backend_after - backend_before)) "$total")}
      printf '%-6s %-4s %-6s %8s %8s %8s %-10s %10s %s\n' "$round" "$c" "$label" "$rate" "$p50" "$p95" "$errors" "$cpu" "$backend"
    done
  done
done
