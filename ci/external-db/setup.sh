#!/usr/bin/env bash
# An external PostgreSQL shaped like Neon's, for the kind phase of CI (docs/cluster.md): a PostgreSQL cluster of
# its own on this machine (port 5433; the test suites' server on 5432 is untouched), TLS only for every TCP
# connection (a certificate from a CA made here, valid for the address kind's pods reach the host at), SCRAM
# passwords, and an app role that neither owns the database nor may create databases, roles or extensions.
#
#   setup.sh [up]   make or refresh the server, then write DATABASE_URL (Neon's shape: sslmode=require and
#                   channel_binding=require) and DATABASE_CA_FILE into the env file the deploy reads
#   setup.sh check  prove the shape from the host (127.0.0.1): plain TCP is refused, TLS with verify-full and
#                   channel binding works, the app role cannot create databases, extensions or schemas
#   setup.sh url    print the URL as the host reaches the server (for the TLS tests of the services)
#   setup.sh ca     print the path of the CA certificate
#   setup.sh schema print the database's schema and migration state (compared around a second deploy)
#
# Idempotent: the CA, certificate and password are made once (under STATE_DIR) and reused; the database is
# made anew by each `up`.
set -euo pipefail
cd "$(dirname "$0")/../.."

PG_VERSION="${EXTERNAL_DB_PG_VERSION:-15}"
CLUSTER="${EXTERNAL_DB_CLUSTER:-external}"
PORT="${EXTERNAL_DB_PORT:-5433}"
DB=todo_external
APP_ROLE=todo_app
# Docker's network of kind's nodes (kind's own setting names another one): its gateway is the host as pods see it.
NETWORK="${KIND_EXPERIMENTAL_DOCKER_NETWORK:-kind}"
STATE_DIR="${EXTERNAL_DB_STATE_DIR:-/var/lib/todo-ci/external-db}"
ENV_FILE="${INVOKE_DEPLOY_ENV_FILE:-env/local.env}"
CONF_DIR="/etc/postgresql/$PG_VERSION/$CLUSTER"

say() { printf '[external-db] %s\n' "$*" >&2; }
as_postgres() { su postgres -c "$(printf '%q ' "$@")"; }
sql() { as_postgres psql -p "$PORT" -qtAX -v ON_ERROR_STOP=1 "$@"; }

install_packages() {
  command -v openssl >/dev/null && [ -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ] && return 0
  apt-get install -y -qq --no-install-recommends "postgresql-$PG_VERSION" openssl >/dev/null
}

# kind uses an existing network named `kind` as it is, so making it first (as kind would: a bridge with IP
# masquerading) fixes the address before the cluster exists, and the certificate can name it.
gateway() {
  docker network inspect "$NETWORK" >/dev/null 2>&1 ||
    docker network create -d bridge -o com.docker.network.bridge.enable_ip_masquerade=true "$NETWORK" >/dev/null
  docker network inspect "$NETWORK" -f '{{range .IPAM.Config}}{{println .Gateway}}{{end}}' | grep -m1 '\.'
}

subnet() {
  docker network inspect "$NETWORK" -f '{{range .IPAM.Config}}{{println .Subnet}}{{end}}' | grep -m1 '\.'
}

# A CA for this test only, and a server certificate whose SANs cover every address a client uses.
make_certificates() {
  local address=$1 dir="$STATE_DIR"
  mkdir -p "$dir"
  chmod 755 "$dir"
  if [ ! -s "$dir/ca.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=todo external-db test CA" \
      -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  fi
  local san="DNS:localhost,IP:127.0.0.1,IP:$address"
  if [ ! -s "$dir/server.crt" ] || ! grep -qx "$san" "$dir/server.san" 2>/dev/null; then
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$address" -keyout "$dir/server.key" -out "$dir/server.csr" \
      2>/dev/null
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 825 \
      -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san") -out "$dir/server.crt" \
      2>/dev/null
    echo "$san" >"$dir/server.san"
  fi
  chmod 600 "$dir/ca.key" "$dir/server.key"
  chown postgres:postgres "$dir/server.key" "$dir/server.crt"
}

configure_cluster() {
  local address=$1 network
  network=$(subnet)
  [ -d "$CONF_DIR" ] || pg_createcluster "$PG_VERSION" "$CLUSTER" -p "$PORT" >/dev/null
  cat >"$CONF_DIR/conf.d/external-db.conf" <<EOF
listen_addresses = '127.0.0.1,$address'
port = $PORT
ssl = on
ssl_cert_file = '$STATE_DIR/server.crt'
ssl_key_file = '$STATE_DIR/server.key'
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'
EOF
  # The administrator over the local socket only; every TCP connection must use TLS and a SCRAM password.
  cat >"$CONF_DIR/pg_hba.conf" <<EOF
local     all  postgres                  peer
hostssl   $DB  $APP_ROLE  127.0.0.1/32   scram-sha-256
hostssl   $DB  $APP_ROLE  $network       scram-sha-256
hostnossl all  all        0.0.0.0/0      reject
hostnossl all  all        ::/0           reject
EOF
  chown postgres:postgres "$CONF_DIR/conf.d/external-db.conf" "$CONF_DIR/pg_hba.conf"
  # A restart (not a reload) so that a changed listen address applies.
  if pg_ctlcluster "$PG_VERSION" "$CLUSTER" status >/dev/null 2>&1; then
    pg_ctlcluster "$PG_VERSION" "$CLUSTER" restart
  else
    pg_ctlcluster "$PG_VERSION" "$CLUSTER" start
  fi
}

password() {
  [ -s "$STATE_DIR/password" ] || (umask 077 && openssl rand -hex 24 >"$STATE_DIR/password")
  cat "$STATE_DIR/password"
}

# The database belongs to the administrator; the app role may connect and create its tables in schema public.
make_database() {
  local secret
  secret=$(password)
  sql -c "SELECT 1 FROM pg_roles WHERE rolname = '$APP_ROLE'" | grep -q 1 ||
    sql -c "CREATE ROLE $APP_ROLE LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
  sql -c "ALTER ROLE $APP_ROLE PASSWORD '$secret'" # hashed with SCRAM-SHA-256 (password_encryption)
  # Each run starts from an empty database: what a previous run left (Better Auth's signing keys among it) was
  # encrypted with that run's secrets, which a fresh clone's env file does not have.
  sql -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  sql -d "$DB" -c "REVOKE ALL ON DATABASE $DB FROM PUBLIC" -c "GRANT CONNECT ON DATABASE $DB TO $APP_ROLE" \
    -c "GRANT USAGE, CREATE ON SCHEMA public TO $APP_ROLE"
}

url() {
  local host=$1
  printf 'postgresql://%s:%s@%s:%s/%s?sslmode=require&channel_binding=require' \
    "$APP_ROLE" "$(password)" "$host" "$PORT" "$DB"
}

# Sets KEY=VALUE in the env file, keeping its other lines (the deploy adds its generated secrets there).
set_env() {
  local key=$1 value=$2
  touch "$ENV_FILE"
  chmod 600 "$ENV_FILE"
  sed -i "/^$key=/d" "$ENV_FILE"
  printf '%s=%s\n' "$key" "$value" >>"$ENV_FILE"
}

up() {
  install_packages
  local address
  address=$(gateway)
  make_certificates "$address"
  configure_cluster "$address"
  make_database
  mkdir -p "$(dirname "$ENV_FILE")"
  set_env DATABASE_URL "$(url "$address")"
  set_env DATABASE_CA_FILE "$STATE_DIR/ca.crt"
  say "PostgreSQL $PG_VERSION/$CLUSTER on $address:$PORT (TLS only); DATABASE_URL in $ENV_FILE"
}

# One failed expectation stops the check with its reason.
expect_refused() {
  local what=$1 pattern=$2 output
  shift 2
  if output=$("$@" 2>&1); then
    say "FAIL: $what was accepted"
    return 1
  fi
  grep -q "$pattern" <<<"$output" || {
    say "FAIL: $what failed for another reason: $output"
    return 1
  }
  say "ok: $what is refused ($(grep -m1 -o "$pattern.*" <<<"$output"))"
}

check() {
  local base
  base="postgresql://$APP_ROLE:$(password)@127.0.0.1:$PORT/$DB"
  expect_refused "a connection without TLS" "no encryption" psql "$base?sslmode=disable" -c 'SELECT 1'
  local tls
  tls=$(psql "$base?sslmode=verify-full&sslrootcert=$STATE_DIR/ca.crt&channel_binding=require" -qtAX \
    -c 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')
  [ "$tls" = t ] || {
    say "FAIL: the verify-full connection does not use TLS"
    return 1
  }
  say "ok: verify-full with the test CA and channel binding connects over TLS"
  local app="$base?sslmode=verify-full&sslrootcert=$STATE_DIR/ca.crt"
  expect_refused "CREATE DATABASE by the app role" "permission denied" psql "$app" -c 'CREATE DATABASE other'
  expect_refused "CREATE EXTENSION by the app role" "permission denied" psql "$app" -c 'CREATE EXTENSION pgcrypto'
  expect_refused "CREATE SCHEMA by the app role" "permission denied" psql "$app" -c 'CREATE SCHEMA other'
}

# What a deploy may change in the database: its tables, columns, indexes and the migration heads.
schema() {
  # pg_dump's \restrict lines carry a random key each run.
  as_postgres pg_dump -p "$PORT" --schema-only --no-owner "$DB" | grep -Ev '^(--|\\(un)?restrict )'
  sql -d "$DB" -c 'SELECT version_num FROM alembic_version'
}

case "${1:-up}" in
up) up ;;
check) check ;;
url) url 127.0.0.1 && echo ;;
ca) echo "$STATE_DIR/ca.crt" ;;
schema) schema ;;
*)
  echo "usage: $0 [up|check|url|ca|schema]" >&2
  exit 2
  ;;
esac
