#!/usr/bin/env bash
# Prints the name of a Debian 12 (bookworm) base image the Docker engine has, making one when it
# must. Both images (sandbox/image/Dockerfile, the top-level Dockerfile) start FROM it.
#
#   debian:bookworm-slim            when the engine has it or a registry answers
#   socketlab/debian-base:bookworm  otherwise: made once with debootstrap from the machine's Debian
#                                   mirror (~25 s) and imported; kept, so later builds reuse it
#
#   scripts/base-image.sh           ensure a base image, print its name
#   scripts/base-image.sh --mirror  print the Debian mirror this machine's apt uses
set -euo pipefail
say() { printf '\033[1m[base-image]\033[0m %s\n' "$*" >&2; }

source "$(dirname "${BASH_SOURCE[0]}")/os.sh"
mirror=$(debian_mirror)
if [ "${1:-}" = "--mirror" ]; then echo "$mirror"; exit 0; fi

# An image the engine has wins (no registry is asked); then a pull; then debootstrap.
for base in debian:bookworm-slim socketlab/debian-base:bookworm; do
  if docker image inspect "$base" >/dev/null 2>&1; then echo "$base"; exit 0; fi
done
if timeout 60 docker pull -q debian:bookworm-slim >/dev/null 2>&1; then echo debian:bookworm-slim; exit 0; fi
base=socketlab/debian-base:bookworm
command -v debootstrap >/dev/null || { say "no registry and no debootstrap: apt-get install debootstrap"; exit 1; }
say "no registry answers: making $base with debootstrap from $mirror"
dir=$(mktemp -d /tmp/socketlab-base-XXXXXX)
trap 'rm -rf "$dir"' EXIT
debootstrap --variant=minbase bookworm "$dir" "$mirror" >/dev/null
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
tar -C "$dir" -c . | docker import - "$base" >/dev/null
echo "$base"
