#!/bin/sh
# A terminal's shell in a Docker lab. Docker cannot signal an exec, so the shell records its pid
# where the driver can find it to end the terminal (the file is the learner's own: tampering with
# it can only ever stop the learner's own processes). The records of shells that have ended go
# first: /run/socketlab is a 64 KiB tmpfs, full after 14 of them.
for record in /run/socketlab/*.pid; do
  [ -e "$record" ] || continue
  read -r pid < "$record" && kill -0 "$pid" 2>/dev/null || rm -f "$record"
done
echo $$ > "/run/socketlab/$1.pid"
exec /bin/bash --login
