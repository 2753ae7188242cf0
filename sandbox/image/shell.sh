#!/bin/sh
# A terminal's shell in a Docker lab. Docker cannot signal an exec, so the shell records its pid
# where the driver can find it to end the terminal (the file is the learner's own: tampering with
# it can only ever stop the learner's own processes).
echo $$ > "/run/socketlab/$1.pid"
exec /bin/bash --login
