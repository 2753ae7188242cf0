#!/usr/bin/env bash
# Builds the Docker driver's lab image from sandbox/image/Dockerfile, unless the current one (its
# tag is a hash of its inputs, see image.ts) is there already. Needs a running Docker engine.
#
# No container registry reachable (as on CI machines)? The Debian base image is then made locally
# with debootstrap from the machine's Debian mirror and imported (scripts/base-image.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
say() { printf '\033[1m[sandbox-image]\033[0m %s\n' "$*" >&2; }

tag=$(node "$ROOT/sandbox/image/image.ts")
if docker image inspect "$tag" >/dev/null 2>&1; then say "$tag is up to date"; exit 0; fi

# The Debian base (debian:bookworm-slim, or one made with debootstrap where no registry answers) and
# the Debian mirror: the same for this image and the web image (scripts/base-image.sh).
mirror=$(bash "$ROOT/scripts/base-image.sh" --mirror)
base=$(bash "$ROOT/scripts/base-image.sh")

say "building $tag from $base (a few minutes the first time)"
# The context is only what the image needs, plus the local certificate authorities this machine
# trusts (for a TLS-intercepting proxy between it and the npm registry). Host networking, because
# dockerd runs without a bridge.
context=$(mktemp -d /tmp/socketlab-context-XXXXXX)
log=$(mktemp /tmp/socketlab-image-build-XXXXXX.log)
trap 'rm -rf "$context"' EXIT
mkdir "$context/host-ca"
cp /usr/local/share/ca-certificates/*.crt "$context/host-ca/" 2>/dev/null || true
if ! tar -c -C "$ROOT" sandbox/image content/examples -C "$context" host-ca \
  | docker build --network host --force-rm -f sandbox/image/Dockerfile \
      --build-arg "BASE_IMAGE=$base" --build-arg "DEBIAN_MIRROR=$mirror" \
      --build-arg "UNIX_DGRAM_VERSION=$(node -p "require('$ROOT/node_modules/unix-dgram/package.json').version")" \
      -t "$tag" - >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  say "docker build failed; the whole log is $log"
  exit 1
fi
rm -f "$log"

# Older lab images are no longer used by anything; a running lab keeps its image until it ends.
# Only those over a day old: another checkout on the same engine (a second worktree, a branch
# being tested) may be using a newer one with a different tag.
for old in $(docker images "${tag%%:*}" --filter until=24h --format '{{.Repository}}:{{.Tag}}'); do
  [ "$old" = "$tag" ] || docker rmi "$old" >/dev/null 2>&1 || true
done
say "built $tag"
