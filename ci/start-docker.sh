#!/usr/bin/env bash
# Install Debian's Docker engine and start it in the background (there is no systemd on the CI machines).
# Safe to run twice: it never starts a second dockerd beside a running one.
#
# Its default runtime is ci/minikube/runc-wrapper: runc minus CAP_SYS_RESOURCE, which these machines cannot
# grant, so that privileged containers (the minikube and kind nodes) start. Unprivileged containers never hold
# that capability, so for them nothing changes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
WRAPPER=/usr/local/lib/todo-ci/runc-wrapper
if ! [ -x /usr/sbin/dockerd ]; then
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi
if /usr/bin/docker info >/dev/null 2>&1; then
  exit 0
fi
mkdir -p "$(dirname "$WRAPPER")" /var/log/ci
(cd "$here/minikube/runc-wrapper" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$WRAPPER" main.go)
nohup /usr/sbin/dockerd --add-runtime "todo-ci-runc=$WRAPPER" --default-runtime todo-ci-runc \
  >/var/log/ci/dockerd.log 2>&1 &
echo $! >/run/ci-dockerd.pid
for _ in $(seq 60); do
  /usr/bin/docker info >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "dockerd did not start; see /var/log/ci/dockerd.log" >&2
tail -20 /var/log/ci/dockerd.log >&2
exit 1
