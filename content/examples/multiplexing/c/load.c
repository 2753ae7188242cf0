/*
 * Load program for line echo servers: opens N connections at once (default 1000) from one thread,
 * sends L lines on each, one at a time, and measures.
 *
 * Prints connect latency (connect() until the handshake is done), echo latency (a line sent until
 * its "echo: " reply is back), p50 and p99 of each, and lines per second. Every reply is compared
 * to the line sent; any error, wrong reply or client left unanswered after 30 s fails (exit 1).
 * It is itself an epoll loop with non-blocking connect(): it needs no thread per connection, so
 * the numbers are the server's, not the load program's.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o load load.c
 * Run:   ./load 127.0.0.1 9090 1000 10       (host port clients lines-per-client)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 30000

struct client {
    int fd, id, connected, sent, answered;
    double started_ms;   /* connect() or the line's send */
    char want[64];       /* the reply expected for the line in flight */
    size_t want_len;
    char in[128];        /* reply bytes so far */
    size_t in_used;
};

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(double *v, int n, double p) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n == 0 ? 0 : v[(int)(p * (n - 1) + 0.5)];
}

static int parse_count(const char *s, long max, long *out) {
    char *end;
    errno = 0;
    *out = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *out >= 1 && *out <= max;
}

/* Sends the client's next line whole (a short line fits an empty socket buffer; anything else
 * is a failure we report rather than hide). */
static int send_line(struct client *c) {
    char line[48];
    int len = snprintf(line, sizeof line, "client %d line %d\n", c->id, c->sent);
    c->want_len = (size_t)snprintf(c->want, sizeof c->want, "echo: %.*s", len - 1, line); /* without the newline */
    c->started_ms = now_ms();
    ssize_t n = send(c->fd, line, (size_t)len, MSG_NOSIGNAL);
    if (n != len) return -1;
    c->sent++;
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    long clients = 1000, lines = 10, port = 9090;
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    struct sockaddr_in addr = {.sin_family = AF_INET};
    if (argc > 5 || (argc > 2 && !parse_count(argv[2], 65535, &port)) ||
        (argc > 3 && !parse_count(argv[3], 100000, &clients)) || (argc > 4 && !parse_count(argv[4], 100000, &lines)) ||
        inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "usage: load [ipv4-host] [port] [clients 1-100000] [lines per client]\n");
        return 2;
    }
    addr.sin_port = htons((uint16_t)port);

    /* Each connection is a descriptor: raise the soft limit as far as the hard one allows. */
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) < 0) { perror("getrlimit"); return 1; }
    if (lim.rlim_cur < (rlim_t)clients + 16) {
        lim.rlim_cur = lim.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_cur < (rlim_t)clients + 16) {
            fprintf(stderr, "too many clients: only %lu descriptors allowed (ulimit -Hn)\n", (unsigned long)lim.rlim_cur);
            return 1;
        }
    }

    int ep = epoll_create1(0);
    if (ep < 0) { perror("epoll_create1"); return 1; }
    struct client *cs = calloc((size_t)clients, sizeof *cs);
    double *connect_ms = calloc((size_t)clients, sizeof *connect_ms);
    double *echo_ms = calloc((size_t)(clients * lines), sizeof *echo_ms);
    if (!cs || !connect_ms || !echo_ms) { perror("calloc"); return 1; }
    printf("connecting %ld clients to %s:%ld, %ld lines each\n", clients, host, port, lines);

    double t0 = now_ms();
    for (int i = 0; i < clients; i++) {
        struct client *c = &cs[i];
        c->id = i;
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (c->fd < 0) { fprintf(stderr, "socket failed: %s\n", strerror(errno)); return 1; }
        c->started_ms = now_ms();
        /* Non-blocking connect: EINPROGRESS now, writable when the handshake is done. */
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
            fprintf(stderr, "connect failed: %s\n", strerror(errno));
            return 1;
        }
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) { perror("epoll_ctl"); return 1; }
    }

    int nconnected = 0, ndone = 0, nechoes = 0, failed = 0;
    struct epoll_event events[256];
    while (ndone < clients && !failed) {
        int wait = (int)(t0 + DEADLINE_MS - now_ms());
        int n = wait <= 0 ? 0 : epoll_wait(ep, events, 256, wait);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { perror("epoll_wait"); return 1; }
        if (n == 0) {
            fprintf(stderr, "deadline: after %d s only %d of %ld clients connected, %d finished\n", DEADLINE_MS / 1000, nconnected, clients, ndone);
            return 1;
        }
        for (int i = 0; i < n && !failed; i++) {
            struct client *c = events[i].data.ptr;
            if (!c->connected) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len); /* how the connect ended */
                if (err != 0) { fprintf(stderr, "client %d: connect failed: %s\n", c->id, strerror(err)); failed = 1; break; }
                connect_ms[nconnected++] = now_ms() - c->started_ms;
                c->connected = 1;
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c}; /* from now on: replies */
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                if (send_line(c) < 0) { fprintf(stderr, "client %d: send failed\n", c->id); failed = 1; }
                continue;
            }
            ssize_t got = recv(c->fd, c->in + c->in_used, sizeof c->in - c->in_used, 0);
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (got <= 0) {
                fprintf(stderr, "client %d: %s after %d replies\n", c->id, got == 0 ? "server closed the connection" : strerror(errno), c->answered);
                failed = 1;
                break;
            }
            c->in_used += (size_t)got;
            char *nl = memchr(c->in, '\n', c->in_used);
            if (nl == NULL) {
                if (c->in_used == sizeof c->in) { fprintf(stderr, "client %d: reply too long\n", c->id); failed = 1; }
                continue;
            }
            size_t len = (size_t)(nl - c->in);
            if (len != c->want_len || memcmp(c->in, c->want, len) != 0 || c->in_used != len + 1) {
                fprintf(stderr, "client %d: expected \"%s\", got \"%.*s\"\n", c->id, c->want, (int)c->in_used, c->in);
                failed = 1;
                break;
            }
            echo_ms[nechoes++] = now_ms() - c->started_ms;
            c->in_used = 0;
            if (++c->answered == lines) {
                close(c->fd);
                ndone++;
            } else if (send_line(c) < 0) {
                fprintf(stderr, "client %d: send failed\n", c->id);
                failed = 1;
            }
        }
    }
    if (failed) return 1;
    double total = now_ms() - t0;
    printf("%d clients connected: connect p50 %.2f ms, p99 %.2f ms\n", nconnected,
           percentile(connect_ms, nconnected, 0.50), percentile(connect_ms, nconnected, 0.99));
    printf("%d lines echoed: echo p50 %.2f ms, p99 %.2f ms\n", nechoes,
           percentile(echo_ms, nechoes, 0.50), percentile(echo_ms, nechoes, 0.99));
    printf("all done in %.0f ms: %.0f lines/s\n", total, nechoes / (total / 1000));
    return 0;
}
