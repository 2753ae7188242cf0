#!/bin/sh
# The first process of a Docker lab (under docker-init, which reaps orphans). Home is an empty
# tmpfs: fill it, say "ready" (the driver waits for that line), then wait to be removed.
set -eu
# The driver runs each lab as a host uid of its own: name it `learner`, as in every lab.
sed "s/^learner:x:[0-9]*:[0-9]*:/learner:x:$(id -u):$(id -g):/" /etc/passwd.image > /run/socketlab/passwd
sed "s/^learner:x:[0-9]*:/learner:x:$(id -g):/" /etc/group.image > /run/socketlab/group
cp -r /opt/socketlab/examples "$HOME/examples"
ln -s /opt/socketlab/node_modules "$HOME/node_modules"
# The warm Go cache, as symlinks: the read-only entries cost no memory in the tmpfs, and Go writes
# new entries beside them. A trim time far in the future stops Go from deleting the links as stale.
mkdir -p "$HOME/.cache"
cp -rs /opt/socketlab/go-cache "$HOME/.cache/go-build"
rm -f "$HOME/.cache/go-build/trim.txt"
echo 4102444800 > "$HOME/.cache/go-build/trim.txt"
echo ready
# Nothing more to say: what runs on is not tied to the container's output.
exec sleep infinity </dev/null >/dev/null 2>&1
