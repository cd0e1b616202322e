#!/usr/bin/env bash
# Measures the frontend: `next build` time, standalone size, server RSS at idle and after 100 page loads,
# and TTFB p50/p95 of a signed-in /chat on 127.0.0.1 (the page renders after a session lookup in PostgreSQL).
#
# Usage: DATABASE_URL=postgresql://todo:todo@127.0.0.1:5432/todo_e2e bash scripts/measure.sh [--skip-build]
# Needs node, curl and a PostgreSQL database it may add Better Auth's tables to. The backend is not needed.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database the measurement may use}"
LOADS=100
export NEXT_TELEMETRY_DISABLED=1

if [ "${1:-}" != "--skip-build" ]; then
  start=$(date +%s%N)
  npm run build >/dev/null
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  printf 'next build: %d.%d s\n' $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
fi
cp -r .next/static .next/standalone/.next/
[ -d public ] && cp -r public .next/standalone/
printf 'standalone size (server + static): %s\n' "$(du -sh .next/standalone | cut -f1)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
site="http://127.0.0.1:$port"
workdir=$(mktemp -d)
BETTER_AUTH_SECRET=$(head -c 32 /dev/urandom | base64) BETTER_AUTH_URL=$site HOSTNAME=127.0.0.1 PORT=$port \
  node .next/standalone/server.js >"$workdir/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; rm -rf "$workdir"' EXIT

until curl -sf "$site/api/health" >/dev/null; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$workdir/server.log"; exit 1; }
  sleep 0.2
done
rss() { awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$server_pid/status"; }
sleep 2
printf 'RSS at idle: %s\n' "$(rss)"

email="measure-$(date +%s%N)@example.com"
# Sign-up starts no session (it answers alike for a taken email), so sign in afterwards as the app's form does.
for action in sign-up sign-in; do
  curl -sf -c "$workdir/cookies" -H "Origin: $site" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"measure-password\",\"name\":\"Measure\"}" \
    "$site/api/auth/$action/email" >/dev/null || { echo "$action failed:"; cat "$workdir/server.log"; exit 1; }
done
for _ in 1 2 3 4 5; do curl -sf -b "$workdir/cookies" -o /dev/null "$site/chat"; done  # warm-up, not counted
for _ in $(seq "$LOADS"); do
  curl -sf -b "$workdir/cookies" -o /dev/null -w '%{time_starttransfer}\n' "$site/chat"
done | sort -n >"$workdir/ttfb"
percentile() { awk -v p="$1" '{v[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; printf "%.1f ms", v[i]*1000}' "$workdir/ttfb"; }
printf 'TTFB of /chat over %s loads: p50 %s, p95 %s\n' "$LOADS" "$(percentile 50)" "$(percentile 95)"
printf 'RSS after %s page loads: %s\n' "$LOADS" "$(rss)"
