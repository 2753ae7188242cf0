/*
 * Loopback TCP or a Unix socket: which is faster, and by how much? Measured, not claimed.
 *
 * For each transport a child process serves, and the parent measures:
 *   latency:    round trips of a 64-byte message (send, wait for the echo), p50 and p99
 *   throughput: the child streams a fixed amount in 64 KiB writes; the parent reads it all
 * TCP uses 127.0.0.1 with TCP_NODELAY (no Nagle delay on small messages); the Unix socket is a
 * SOCK_STREAM socket file in a private directory. Same calls otherwise.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o bench bench.c
 * Run:   ./bench           (about 20 s)     ./bench --quick   (about 2 s)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MESSAGE 64
#define CHUNK (64 * 1024)
#define WARMUP 1000 /* untimed round trips first: page faults, caches and CPU clocks settle */

struct result {
    double p50_us, p99_us, trips_per_s, mib_per_s;
};

/* What to clean up if we stop early. The child inherits copies but must never use them. */
static pid_t child = -1;   /* -1 in the parent when no child runs; 0 in the child itself */
static char dir[] = "/tmp/socketlab-bench-XXXXXX";
static int have_dir;       /* set once mkdtemp has created dir */
static struct sockaddr_un un = {.sun_family = AF_UNIX};

static void clean_up(void) {
    if (child > 0) { /* don't leave an orphan serving nobody */
        kill(child, SIGTERM);
        waitpid(child, NULL, 0);
    }
    if (un.sun_path[0] != '\0' && unlink(un.sun_path) < 0 && errno != ENOENT)
        fprintf(stderr, "unlink %s failed: %s\n", un.sun_path, strerror(errno));
    if (have_dir && rmdir(dir) < 0 && errno != ENOENT)
        fprintf(stderr, "rmdir %s failed: %s\n", dir, strerror(errno));
}

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    if (child == 0) _exit(1); /* the child: _exit, so it never runs the parent's cleanup */
    clean_up();
    exit(1);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void read_exactly(int fd, char *p, size_t len) {
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) errno = ECONNRESET; /* the peer closed mid-message */
        if (n <= 0) die("read");
        p += n;
        len -= (size_t)n;
    }
}

static void write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL); /* a dead peer: EPIPE, not a fatal SIGPIPE */
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("write");
        p += n;
        len -= (size_t)n;
    }
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The child: first echo `trips` messages, then stream `total` bytes, then exit. */
static void serve(int lfd, int tcp, long trips, size_t total) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) die("accept");
    int one = 1; /* both ends: Nagle would hold back a small write while one is unacknowledged */
    if (tcp && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt");
    char msg[MESSAGE];
    for (long i = 0; i < trips; i++) {
        read_exactly(fd, msg, sizeof msg);
        write_all(fd, msg, sizeof msg);
    }
    static char chunk[CHUNK];
    memset(chunk, 'x', sizeof chunk);
    for (size_t sent = 0; sent < total; sent += CHUNK) write_all(fd, chunk, total - sent < CHUNK ? total - sent : CHUNK);
    close(fd);
    _exit(0);
}

static struct result measure(int lfd, const struct sockaddr *addr, socklen_t len, int tcp, long trips, size_t total) {
    child = fork();
    if (child < 0) die("fork");
    if (child == 0) serve(lfd, tcp, WARMUP + trips, total);

    int fd = socket(addr->sa_family, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    int one = 1;
    if (tcp && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt");
    if (connect(fd, addr, len) < 0) die("connect");

    double *rtt = malloc((size_t)trips * sizeof *rtt);
    if (rtt == NULL) die("malloc");
    char msg[MESSAGE] = "ping";
    for (int i = 0; i < WARMUP; i++) {
        write_all(fd, msg, sizeof msg);
        read_exactly(fd, msg, sizeof msg);
    }
    double start = now_s();
    for (long i = 0; i < trips; i++) {
        double t0 = now_s();
        write_all(fd, msg, sizeof msg);
        read_exactly(fd, msg, sizeof msg);
        rtt[i] = (now_s() - t0) * 1e6;
    }
    double elapsed = now_s() - start;
    qsort(rtt, (size_t)trips, sizeof *rtt, compare_doubles);
    struct result r = {.p50_us = rtt[trips / 2], .p99_us = rtt[trips * 99 / 100], .trips_per_s = (double)trips / elapsed};
    free(rtt);

    static char buf[CHUNK];
    size_t got = 0;
    start = now_s();
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("read");
        if (n == 0) break;
        got += (size_t)n;
    }
    r.mib_per_s = (double)got / (1024.0 * 1024.0) / (now_s() - start);
    close(fd);
    int status;
    if (waitpid(child, &status, 0) < 0) die("waitpid");
    child = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got != total) {
        fprintf(stderr, "the echo child failed (received %zu of %zu bytes)\n", got, total);
        clean_up();
        exit(1);
    }
    return r;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int quick = argc == 2 && strcmp(argv[1], "--quick") == 0;
    if (argc > 2 || (argc == 2 && !quick)) {
        fprintf(stderr, "usage: bench [--quick]\n");
        return 2;
    }
    long trips = quick ? 2000 : 50000;
    size_t total = (size_t)(quick ? 64 : 1024) * 1024 * 1024;

    /* TCP on 127.0.0.1, any free port. */
    int tcp = socket(AF_INET, SOCK_STREAM, 0);
    if (tcp < 0) die("socket");
    struct sockaddr_in in = {.sin_family = AF_INET};
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t in_len = sizeof in;
    if (bind(tcp, (struct sockaddr *)&in, sizeof in) < 0 || listen(tcp, 1) < 0) die("bind/listen");
    if (getsockname(tcp, (struct sockaddr *)&in, &in_len) < 0) die("getsockname");

    /* A Unix stream socket in a private directory. */
    if (mkdtemp(dir) == NULL) die("mkdtemp"); /* a fresh 0700 directory: no name clashes */
    have_dir = 1;
    snprintf(un.sun_path, sizeof un.sun_path, "%s/bench.sock", dir);
    int unx = socket(AF_UNIX, SOCK_STREAM, 0);
    if (unx < 0) die("socket");
    if (bind(unx, (struct sockaddr *)&un, sizeof un) < 0 || listen(unx, 1) < 0) die("bind/listen");

    printf("%ld round trips of %d bytes, then %zu MiB in %d KiB writes, per transport\n\n", trips, MESSAGE, total >> 20, CHUNK / 1024);
    struct result t = measure(tcp, (struct sockaddr *)&in, in_len, 1, trips, total);
    struct result u = measure(unx, (struct sockaddr *)&un, sizeof un, 0, trips, total);
    close(tcp);
    close(unx);
    clean_up(); /* the socket file and its directory */

    printf("%-22s %12s %12s %14s %12s\n", "transport", "p50 (us)", "p99 (us)", "round trips/s", "MiB/s");
    printf("%-22s %12.1f %12.1f %14.0f %12.0f\n", "TCP over 127.0.0.1", t.p50_us, t.p99_us, t.trips_per_s, t.mib_per_s);
    printf("%-22s %12.1f %12.1f %14.0f %12.0f\n", "Unix stream socket", u.p50_us, u.p99_us, u.trips_per_s, u.mib_per_s);
    printf("\nunix socket latency p50 is %.2fx TCP's\n", u.p50_us / t.p50_us);
    printf("unix socket round trips per second are %.2fx TCP's\n", u.trips_per_s / t.trips_per_s);
    printf("unix socket throughput is %.2fx TCP's\n", u.mib_per_s / t.mib_per_s);
    return 0;
}
