#!/bin/sh
# The web image's entrypoint (top-level Dockerfile). Started as root, it runs the command as the
# unprivileged `socketlab` user (uid 10001) whose only extra group is the one that owns the Docker
# socket, found at start, so the same image works whatever that group's number is on the host.
# Started as another user already (compose `user:`, Kubernetes runAsUser), it runs the command as is.
#
# Membership of the socket's group is what lets the server start lab containers, and it is as good
# as root on the host (docs/deploy.md, "What the Docker socket means").
set -eu
if [ "$(id -u)" != 0 ]; then exec "$@"; fi
socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
socket=${socket#unix://}
groups=10001
if [ -S "$socket" ]; then groups="$groups,$(stat -c %g "$socket")"; fi
exec setpriv --reuid=10001 --regid=10001 --groups="$groups" --inh-caps=-all --bounding-set=-all -- "$@"
