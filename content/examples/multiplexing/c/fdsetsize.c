/*
 * select()'s hard limit: an fd_set holds descriptors 0 to FD_SETSIZE - 1 (1024) and no more.
 *
 * Puts one end of a socket pair at descriptor 1030 (dup2), then shows: poll() watches it fine;
 * FD_SET on it writes past the end of the fd_set. Built with -D_FORTIFY_SOURCE=2, glibc checks
 * that and aborts the process; without it, the write silently corrupts whatever memory follows
 * (the classic bug of servers that "crash at about 1000 clients"). The FD_SET runs in a forked
 * child, so only the child dies.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -D_FORTIFY_SOURCE=2 -o fdsetsize fdsetsize.c
 * Run:   ./fdsetsize
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define HIGH_FD 1030

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) < 0) die("getrlimit");
    if (lim.rlim_cur <= HIGH_FD) { /* the soft limit is often 1024 exactly: raise it */
        lim.rlim_cur = lim.rlim_max;
        if (lim.rlim_max <= HIGH_FD || setrlimit(RLIMIT_NOFILE, &lim) < 0) {
            fprintf(stderr, "need descriptor %d but ulimit -Hn is %lu\n", HIGH_FD, (unsigned long)lim.rlim_max);
            return 1;
        }
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) die("socketpair");
    if (dup2(sv[0], HIGH_FD) < 0) die("dup2");
    printf("FD_SETSIZE is %d; a socket is at descriptor %d\n", FD_SETSIZE, HIGH_FD);

    if (write(sv[1], "x", 1) != 1) die("write");
    struct pollfd p = {.fd = HIGH_FD, .events = POLLIN};
    int n = poll(&p, 1, 1000);
    if (n < 0) die("poll");
    printf("poll(): descriptor %d is %s\n", HIGH_FD, n == 1 && (p.revents & POLLIN) ? "readable" : "not ready");

    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        struct rlimit no_core = {0, 0}; /* the abort is expected: leave no core file behind */
        setrlimit(RLIMIT_CORE, &no_core);
        fd_set set;
        FD_ZERO(&set);
        FD_SET(HIGH_FD, &set); /* out of bounds: fortify aborts here */
        printf("FD_SET(%d) returned: memory past the fd_set was overwritten\n", HIGH_FD);
        _exit(0);
    }
    int status;
    if (waitpid(child, &status, 0) < 0) die("waitpid");
    if (WIFSIGNALED(status))
        printf("select(): FD_SET(%d) killed the process with %s (glibc's fortify check)\n", HIGH_FD, strsignal(WTERMSIG(status)));
    else
        printf("select(): FD_SET(%d) did not fail: the bug went unnoticed\n", HIGH_FD);
    return 0;
}
