/**
 * Who a learner is inside every sandbox, whatever the driver: the same user, home and environment,
 * so a lesson's commands behave the same in a bwrap lab and a Docker lab.
 */
export const SANDBOX_USER = { name: 'learner', uid: 1000, gid: 1000, home: '/home/learner' } as const;

/** Everything a shell in the sandbox sees in its environment; nothing of the server's. */
export const SANDBOX_ENV: Record<string, string> = {
  HOME: SANDBOX_USER.home,
  USER: SANDBOX_USER.name,
  LOGNAME: SANDBOX_USER.name,
  SHELL: '/bin/bash',
  TERM: 'xterm-256color',
  LANG: 'C.UTF-8',
  PATH: '/usr/local/bin:/usr/lib/go-1.23/bin:/usr/bin:/bin:/usr/sbin:/sbin',
  GOTOOLCHAIN: 'local',
  GOFLAGS: '-buildvcs=false',
};
