#!/usr/bin/env bash
# Install Debian's Docker engine and start it in the background (there is no systemd on the CI machines).
# Safe to run twice: it never starts a second dockerd beside a running one.
set -euo pipefail
if ! [ -x /usr/sbin/dockerd ]; then
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi
if /usr/bin/docker info >/dev/null 2>&1; then
  exit 0
fi
mkdir -p /var/log/ci
nohup /usr/sbin/dockerd >/var/log/ci/dockerd.log 2>&1 &
echo $! >/run/ci-dockerd.pid
for _ in $(seq 60); do
  /usr/bin/docker info >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "dockerd did not start; see /var/log/ci/dockerd.log" >&2
tail -20 /var/log/ci/dockerd.log >&2
exit 1
