#!/usr/bin/env bash
# Set up a homecam checkout on Debian 12 / Raspberry Pi OS (bookworm). Safe to run again: each
# step checks first and does nothing when it is already done.
#
#   bash scripts/setup.sh          Node check, ffmpeg (+ compiler for native addons), npm ci, build
#   bash scripts/setup.sh --test   also the test services and tools:
#       PostgreSQL  role homecam / password homecam, database homecam_test, cluster started
#       Redis       redis-server daemonized on 127.0.0.1:6379 (started only if not answering)
#       mosquitto   binary and clients (tests start their own brokers on ephemeral ports)
#       chromium    Debian's, for browser tests
#       GStreamer   python3-gi + gst-rtsp-server + plugins: the RTSP camera simulator
#       motion      binary only, for the motion-detection benchmark (its service is stopped)
#
# Tests read these variables; the defaults match what this script sets up:
#   HOMECAM_TEST_PG_URL     postgres://homecam:homecam@127.0.0.1:5432/homecam_test
#   HOMECAM_TEST_REDIS_URL  redis://127.0.0.1:6379
# If one is already set in the environment, that service is yours: this script leaves it alone.
# When the local PostgreSQL cluster listens on another port, the URLs actually set up are written
# to node_modules/.homecam-test.env (KEY=value lines), which scripts/test.sh reads.
#
# Runs as root, or as a user with sudo (used only for apt-get and the services). apt never
# prompts; sudo asks for a password only when run from a terminal (sudo -n otherwise).
# npm ci runs only when node_modules is missing or package-lock.json changed since the last
# successful install (its sha256 is kept in node_modules/.homecam-lock.sha256).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

cd "$(dirname "$0")/.."

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
}

WITH_TEST=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "setup: unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

DEFAULT_PG_URL="postgres://homecam:homecam@127.0.0.1:5432/homecam_test"
DEFAULT_REDIS_URL="redis://127.0.0.1:6379"
LOCK_STAMP="node_modules/.homecam-lock.sha256"
TEST_ENV_FILE="node_modules/.homecam-test.env"

step() { printf '[setup] %s\n' "$*"; }
die() {
  printf '[setup] ERROR: %s\n' "$*" >&2
  exit 1
}

# --- privileges ----------------------------------------------------------------------------
IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1
HAS_SUDO=0
command -v sudo >/dev/null 2>&1 && HAS_SUDO=1
# Without a terminal (CI) sudo must fail rather than wait for a password.
SUDO=(sudo)
[ -t 0 ] || SUDO=(sudo -n)

# as_root CMD...: run CMD as root (directly, or through sudo).
as_root() {
  if [ "$IS_ROOT" -eq 1 ]; then
    "$@"
  elif [ "$HAS_SUDO" -eq 1 ]; then
    "${SUDO[@]}" -- "$@"
  else
    die "need root for: $* (run as root, or install sudo)"
  fi
}

# as_user USER CMD...: run CMD as USER, from / so that USER need not read our directory.
as_user() {
  local user="$1"
  shift
  if [ "$IS_ROOT" -eq 1 ]; then
    (cd / && runuser -u "$user" -- "$@")
  elif [ "$(id -un)" = "$user" ]; then
    (cd / && "$@")
  elif [ "$HAS_SUDO" -eq 1 ]; then
    (cd / && "${SUDO[@]}" -u "$user" -- "$@")
  else
    die "need root or sudo to run as $user: $*"
  fi
}

# run_logged DESCRIPTION CMD...: run CMD with its output in a log; show the log's tail on failure.
run_logged() {
  local what="$1" log rc=0
  shift
  log="$(mktemp "${TMPDIR:-/tmp}/homecam-setup.XXXXXX")"
  "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '[setup] %s failed (exit %s); last lines of %s:\n' "$what" "$rc" "$log" >&2
    tail -n 40 "$log" >&2
    exit "$rc"
  fi
  rm -f "$log"
}

# --- apt -----------------------------------------------------------------------------------
APT_UPDATED=0
MISSING_PKGS=()

pkg_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

# want_pkg PACKAGE: queue PACKAGE for installation unless dpkg has it installed.
want_pkg() {
  local p
  for p in "$@"; do
    pkg_installed "$p" || MISSING_PKGS+=("$p")
  done
}

# want_cmd COMMAND PACKAGE: queue PACKAGE unless COMMAND is on PATH.
want_cmd() {
  command -v "$1" >/dev/null 2>&1 || MISSING_PKGS+=("$2")
}

# install_missing: one apt-get call for everything queued (apt-get update at most once per run).
install_missing() {
  [ "${#MISSING_PKGS[@]}" -gt 0 ] || return 0
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: ${MISSING_PKGS[*]}"
  if [ "$IS_ROOT" -eq 0 ] && [ "$HAS_SUDO" -eq 0 ]; then
    die "not root and no sudo; as root run: apt-get install --no-install-recommends ${MISSING_PKGS[*]}"
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    step "apt-get update"
    run_logged "apt-get update" as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get -q -o DPkg::Lock::Timeout=600 update
    APT_UPDATED=1
  fi
  step "apt-get install ${MISSING_PKGS[*]}"
  run_logged "apt-get install" as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get -q -y --no-install-recommends -o DPkg::Lock::Timeout=600 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    install "${MISSING_PKGS[@]}"
}

# stop_service NAME: stop a Debian service and keep it from starting at boot (no systemd needed).
stop_service() {
  local name="$1"
  if [ -d /run/systemd/system ]; then
    as_root systemctl disable --now "$name" >/dev/null 2>&1 || true
  else
    if [ -x "/etc/init.d/$name" ]; then
      as_root "/etc/init.d/$name" stop >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1; then
      as_root update-rc.d "$name" disable >/dev/null 2>&1 || true
    fi
  fi
}

# --- 1. Node.js ----------------------------------------------------------------------------
NODE_HELP="homecam needs Node.js >= 20.19 (Debian 12's nodejs package is 18.x). Install Node 20 or 22 LTS,
for example from NodeSource's Debian repository, with nvm, or from the official binaries at nodejs.org,
then run this script again."
command -v node >/dev/null 2>&1 || die "node not found. $NODE_HELP"
command -v npm >/dev/null 2>&1 || die "npm not found (it comes with Node.js). $NODE_HELP"
NODE_VERSION="$(node -p 'process.versions.node')"
IFS=. read -r NODE_MAJOR NODE_MINOR _ <<<"$NODE_VERSION"
if [ "$NODE_MAJOR" -lt 20 ] || { [ "$NODE_MAJOR" -eq 20 ] && [ "$NODE_MINOR" -lt 19 ]; }; then
  die "found Node.js $NODE_VERSION. $NODE_HELP"
fi
step "node $NODE_VERSION: ok"

# --- 2. Debian packages --------------------------------------------------------------------
want_cmd ffmpeg ffmpeg
# better-sqlite3 compiles from source where no prebuilt binary fits.
want_cmd make make
want_cmd g++ g++
want_cmd python3 python3
if [ "$WITH_TEST" -eq 1 ]; then
  if [ -z "${HOMECAM_TEST_PG_URL:-}" ]; then
    want_pkg postgresql
  fi
  if [ -z "${HOMECAM_TEST_REDIS_URL:-}" ]; then
    want_pkg redis-server
  fi
  want_pkg mosquitto mosquitto-clients chromium motion \
    python3-gi gir1.2-gst-rtsp-server-1.0 \
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly \
    gstreamer1.0-plugins-bad gstreamer1.0-tools gstreamer1.0-rtsp gstreamer1.0-libav
  # Browser tests: readable text in screenshots; WebRTC tests: ip link set lo up in unshare -n.
  want_pkg fonts-liberation
  want_cmd ip iproute2
fi
if [ "${#MISSING_PKGS[@]}" -eq 0 ]; then
  step "Debian packages: all present"
else
  # Packages whose services must not be left running (tests start their own mosquitto; motion
  # is only a benchmark binary and would hold the camera).
  STOP_AFTER=()
  for p in mosquitto motion; do
    case " ${MISSING_PKGS[*]} " in *" $p "*) STOP_AFTER+=("$p") ;; esac
  done
  install_missing
  for p in "${STOP_AFTER[@]}"; do
    stop_service "$p"
    step "$p: service stopped and disabled (binary only)"
  done
fi

# --- 3. test services ----------------------------------------------------------------------
PG_URL="${HOMECAM_TEST_PG_URL:-$DEFAULT_PG_URL}"
REDIS_URL="${HOMECAM_TEST_REDIS_URL:-$DEFAULT_REDIS_URL}"

setup_postgres() {
  if [ -n "${HOMECAM_TEST_PG_URL:-}" ]; then
    step "PostgreSQL: using HOMECAM_TEST_PG_URL from the environment"
    return 0
  fi
  local ver="" cluster="" port="" status="" line
  # Prefer the cluster on 5432; otherwise the first one listed.
  line="$(pg_lsclusters --no-header 2>/dev/null | awk '$3 == 5432 { print; exit }')"
  [ -n "$line" ] || line="$(pg_lsclusters --no-header 2>/dev/null | head -n 1)"
  if [ -z "$line" ]; then
    ver="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$ver" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
    step "PostgreSQL: creating cluster $ver/main"
    run_logged "pg_createcluster" as_root pg_createcluster "$ver" main
    line="$(pg_lsclusters --no-header | awk -v v="$ver" '$1 == v && $2 == "main" { print; exit }')"
  fi
  read -r ver cluster port status _ <<<"$line"
  if [[ "$status" == online* ]]; then
    step "PostgreSQL $ver/$cluster: running on port $port"
  else
    step "PostgreSQL $ver/$cluster: starting on port $port"
    run_logged "pg_ctlcluster $ver $cluster start" as_root pg_ctlcluster "$ver" "$cluster" start
  fi
  local i
  for i in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    [ "$i" -eq 30 ] && die "PostgreSQL did not accept connections on 127.0.0.1:$port within 30 s"
    sleep 1
  done

  local psql=(psql -X -q -t -A -v ON_ERROR_STOP=1 -p "$port" -d postgres)
  if [ -z "$(as_user postgres "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'homecam'")" ]; then
    as_user postgres "${psql[@]}" -c "CREATE ROLE homecam LOGIN PASSWORD 'homecam'"
    step "PostgreSQL: created role homecam"
  fi
  if [ -z "$(as_user postgres "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'homecam_test'")" ]; then
    as_user postgres "${psql[@]}" -c "CREATE DATABASE homecam_test OWNER homecam"
    step "PostgreSQL: created database homecam_test"
  fi
  PG_URL="postgres://homecam:homecam@127.0.0.1:${port}/homecam_test"
  psql -X -q -t -A -d "$PG_URL" -c 'SELECT 1' >/dev/null ||
    die "cannot connect to $PG_URL (check pg_hba.conf allows password logins from 127.0.0.1)"
  step "PostgreSQL: $PG_URL ready"
}

setup_redis() {
  if [ -n "${HOMECAM_TEST_REDIS_URL:-}" ]; then
    step "Redis: using HOMECAM_TEST_REDIS_URL from the environment"
    return 0
  fi
  if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" = "PONG" ]; then
    step "Redis: running on 127.0.0.1:6379"
    return 0
  fi
  step "Redis: starting on 127.0.0.1:6379"
  local args=(--bind 127.0.0.1 --port 6379 --protected-mode yes --daemonize yes
    --save "" --appendonly no)
  if id redis >/dev/null 2>&1 && { [ "$IS_ROOT" -eq 1 ] || [ "$HAS_SUDO" -eq 1 ]; }; then
    as_user redis redis-server "${args[@]}" --dir /var/lib/redis \
      --pidfile /var/lib/redis/homecam-test.pid --logfile /var/log/redis/homecam-test.log
  else
    redis-server "${args[@]}" --dir "${TMPDIR:-/tmp}" \
      --pidfile "${TMPDIR:-/tmp}/homecam-redis.pid" --logfile "${TMPDIR:-/tmp}/homecam-redis.log"
  fi
  local i
  for i in $(seq 1 20); do
    [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" = "PONG" ] && break
    [ "$i" -eq 20 ] && die "Redis did not answer PING on 127.0.0.1:6379 within 10 s"
    sleep 0.5
  done
  step "Redis: $REDIS_URL ready"
}

if [ "$WITH_TEST" -eq 1 ]; then
  setup_postgres
  setup_redis
fi

# --- 4. npm dependencies -------------------------------------------------------------------
LOCK_SUM="$(sha256sum package-lock.json | cut -d ' ' -f 1)"
if [ -d node_modules ] && [ -f "$LOCK_STAMP" ] && [ "$(cat "$LOCK_STAMP")" = "$LOCK_SUM" ]; then
  step "npm dependencies: up to date with package-lock.json"
else
  step "npm ci"
  npm ci --no-audit --no-fund
  printf '%s\n' "$LOCK_SUM" >"$LOCK_STAMP"
fi

if [ "$WITH_TEST" -eq 1 ]; then
  printf 'HOMECAM_TEST_PG_URL=%s\nHOMECAM_TEST_REDIS_URL=%s\n' "$PG_URL" "$REDIS_URL" >"$TEST_ENV_FILE"
  step "test URLs written to $TEST_ENV_FILE"
fi

# --- 5. build ------------------------------------------------------------------------------
step "npm run build"
npm run build --silent
step "done"
