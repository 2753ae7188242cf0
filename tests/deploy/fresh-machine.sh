#!/bin/bash
# Turns a pristine Debian 12 root filesystem (debootstrap minbase, or the official slim image) into
# the fresh machine a new user has, then waits. Run inside the container as its first process by
# tests/deploy/fresh-machine.test.ts, which then runs the README's commands with `docker exec`.
#
#   fresh-machine.sh root   the user is root, the clone is /root/socket-lab
#   fresh-machine.sh user   the user is `learner` with sudo rights, the clone is /home/learner/socket-lab
#
# Only what a fresh machine of this kind has is added: no Node, Go, gcc or bubblewrap (checked).
set -euo pipefail
who=$1

# An official Debian 12 image lists its archives only in deb822 form, with a commented-out snapshot
# URL above each URIs line; debootstrap writes a classic sources.list instead. Lay them out as the
# official image does, so setup is tested against what users have.
if [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)
  mirror=${mirror%/}
  rm /etc/apt/sources.list
  cat >/etc/apt/sources.list.d/debian.sources <<EOF
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi

for tool in node npm go gcc bwrap git curl; do
  if command -v "$tool" >/dev/null; then echo "[fresh-machine] not pristine: $tool is already installed" >&2; exit 1; fi
done
echo "[fresh-machine] pristine: no node, npm, go, gcc, bwrap, git or curl" >&2

if [ "$who" = user ]; then
  # A machine whose user has sudo. NOPASSWD because nobody is there to type a password; env_keep
  # passes this workplace's certificate authority (a TLS proxy's, see the test) through to npm.
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sudo >/dev/null
  useradd --create-home --shell /bin/bash learner
  echo 'learner ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/learner
  echo 'Defaults env_keep += "NODE_EXTRA_CA_CERTS"' >/etc/sudoers.d/ca
  chmod 0440 /etc/sudoers.d/learner /etc/sudoers.d/ca
  echo "[fresh-machine] user learner with sudo" >&2
fi

echo "[fresh-machine] ready" >&2
exec sleep infinity
