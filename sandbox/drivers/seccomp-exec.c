/*
 * seccomp-exec FILTER DIR PROGRAM [ARG...]: installs the seccomp filter in the file FILTER (a
 * classic-BPF program, written by seccomp.ts) and runs PROGRAM under it, in the folder DIR (which
 * saves the driver a program to change folder: nsenter's own --wd looks on the host).
 *
 * bwrap installs the filter on a lab's init, but the shells and commands the driver enters into a
 * lab with nsenter descend from the server, not from the init: each runs through this first. The
 * driver compiles it at start (seccomp-loader.ts) and makes it executable but not readable by the
 * learner, so the kernel marks it undumpable and no process of the lab can trace it before its
 * filter is in place. Anything that goes wrong stops it before PROGRAM runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s FILTER DIR PROGRAM [ARG...]\n", argv[0]);
    return 127;
  }
  static struct sock_filter filter[BPF_MAXINSNS];
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "seccomp-exec: %s: %s\n", argv[1], strerror(errno));
    return 127;
  }
  size_t size = 0;
  for (;;) {
    ssize_t n = read(fd, (char *)filter + size, sizeof filter - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      fprintf(stderr, "seccomp-exec: %s: %s\n", argv[1], strerror(errno));
      return 127;
    }
    if (n == 0) break;
    size += n;
  }
  close(fd);
  if (size == 0 || size % sizeof filter[0] != 0 || size == sizeof filter) {
    fprintf(stderr, "seccomp-exec: %s is not a seccomp filter (%zu bytes)\n", argv[1], size);
    return 127;
  }
  struct sock_fprog program = { .len = size / sizeof filter[0], .filter = filter };
  // No new privileges: what allows an unprivileged process to install a filter at all.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
    fprintf(stderr, "seccomp-exec: cannot install the filter: %s\n", strerror(errno));
    return 127;
  }
  if (chdir(argv[2]) != 0) {
    fprintf(stderr, "seccomp-exec: %s: %s\n", argv[2], strerror(errno));
    return 127;
  }
  execvp(argv[3], argv + 3);
  fprintf(stderr, "seccomp-exec: %s: %s\n", argv[3], strerror(errno));
  return 127;
}
