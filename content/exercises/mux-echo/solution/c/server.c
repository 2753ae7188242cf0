/*
 * mux-echo, reference solution: the line echo server in one thread, an edge-triggered epoll loop.
 * It logs connections only: with 1000 clients, a line per request to a slow stdout pipe would be
 * one more blocking call in the loop.
 *
 * Shows: O_NONBLOCK sockets (accept4 SOCK_NONBLOCK), EAGAIN meaning "nothing more for now",
 * epoll_create1/epoll_ctl/epoll_wait, edge-triggered events and the rule that comes with them
 * (read and accept until EAGAIN), EPOLLRDHUP, a per-connection output buffer for clients that
 * read slowly, and a signal stopping the loop. Same protocol as the tcp examples.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 * Run:   ./server PORT
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 65536        /* longer lines are a protocol error */
#define MAX_PENDING (1 << 20) /* stop reading a client whose unread replies pass 1 MiB */

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

struct conn {
    int fd;
    char name[INET_ADDRSTRLEN + 8];
    char in[MAX_LINE + 1]; /* bytes read, not yet a full line */
    size_t in_used;
    char *out;             /* replies the client has not taken yet */
    size_t out_len, out_sent, out_cap;
    int eof; /* the client has finished sending */
};

static void close_conn(struct conn *c) {
    printf("client %s disconnected\n", c->name);
    close(c->fd); /* closing also removes it from the epoll set */
    free(c->out);
    free(c);
}

/* Sends what is queued until done or EAGAIN. Returns -1 if the connection is broken. */
static int flush_out(struct conn *c) {
    while (c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0; /* EPOLLOUT resumes */
        if (n < 0) {
            fprintf(stderr, "client %s: send failed: %s\n", c->name, strerror(errno));
            return -1;
        }
        c->out_sent += (size_t)n;
    }
    c->out_len = c->out_sent = 0;
    return 0;
}

/* Queues "echo: <line>\n"; a blocking send() here would stall every other client. */
static int queue_reply(struct conn *c, const char *line, size_t len) {
    if (len > 0 && line[len - 1] == '\r') len--;
    size_t need = c->out_len + 6 + len + 1;
    if (need > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < need) cap *= 2;
        char *bigger = realloc(c->out, cap);
        if (bigger == NULL) return -1;
        c->out = bigger;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, "echo: ", 6);
    memcpy(c->out + c->out_len + 6, line, len);
    c->out[c->out_len + 6 + len] = '\n';
    c->out_len = need;
    return 0;
}

/* Edge-triggered: epoll reports new data once, so read until EAGAIN or the rest waits forever.
 * A client whose replies pile up (it does not read) is not read either until they drain: its
 * own kernel buffers then fill and TCP flow control slows it down, and our memory stays bounded.
 * Returns -1 when the connection is finished. */
static int on_readable(struct conn *c) {
    for (;;) {
        if (c->out_len - c->out_sent > MAX_PENDING) return 0; /* resumed by on_writable */
        ssize_t n = recv(c->fd, c->in + c->in_used, sizeof c->in - c->in_used, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return flush_out(c);
        if (n < 0) {
            fprintf(stderr, "client %s: recv failed: %s\n", c->name, strerror(errno));
            return -1;
        }
        if (n == 0) { /* EOF: answer a last unterminated line, send what is queued, close */
            if (c->in_used > 0) queue_reply(c, c->in, c->in_used);
            c->in_used = 0;
            c->eof = 1;
            if (flush_out(c) < 0 || c->out_len == 0) return -1;
            return 0; /* on_writable closes it once the rest is out */
        }
        c->in_used += (size_t)n;
        char *start = c->in, *nl;
        while ((nl = memchr(start, '\n', c->in_used - (size_t)(start - c->in))) != NULL) {
            if (queue_reply(c, start, (size_t)(nl - start)) < 0) return -1;
            start = nl + 1;
        }
        c->in_used -= (size_t)(start - c->in);
        memmove(c->in, start, c->in_used);
        if (c->in_used == sizeof c->in) {
            fprintf(stderr, "client %s: line longer than %d bytes, closing\n", c->name, MAX_LINE);
            return -1;
        }
        if (flush_out(c) < 0) return -1;
    }
}

/* The socket can take more: send the queue, then read again what was left unread. */
static int on_writable(struct conn *c) {
    if (flush_out(c) < 0) return -1;
    if (c->eof) return c->out_len == 0 ? -1 : 0; /* closed once every reply is out */
    return c->out_len - c->out_sent > MAX_PENDING ? 0 : on_readable(c);
}

static int parse_port(const char *s, long *port) {
    char *end;
    errno = 0;
    *port = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *port >= 0 && *port <= 65535;
}

/* Accepts every waiting connection (edge-triggered: until EAGAIN). Errors that concern one
 * connection are skipped; out of descriptors or memory, we log and back off (5 ms doubling up to
 * 1 s) without leaving the loop, so the clients already connected are still served. */
static void accept_all(int lfd, int ep, long *delay_ms, struct timespec *retry_at) {
    for (;;) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        int fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            switch (errno) {
            case EAGAIN: /* no more waiting */
                *delay_ms = 0;
                return;
            case EINTR: case ECONNABORTED: case ENETDOWN: case EPROTO: case ENOPROTOOPT:
            case EHOSTDOWN: case ENONET: case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH:
            case EPERM:
                continue;
            case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM:
                *delay_ms = *delay_ms == 0 ? 5 : *delay_ms >= 500 ? 1000 : *delay_ms * 2;
                fprintf(stderr, "accept failed: %s; retrying in %ld ms\n", strerror(errno), *delay_ms);
                clock_gettime(CLOCK_MONOTONIC, retry_at);
                retry_at->tv_sec += (retry_at->tv_nsec / 1000000 + *delay_ms) / 1000;
                retry_at->tv_nsec = (retry_at->tv_nsec / 1000000 + *delay_ms) % 1000 * 1000000;
                return;
            default:
                die("accept");
            }
        }
        struct conn *c = calloc(1, sizeof *c);
        if (c == NULL) {
            fprintf(stderr, "out of memory: closing a new connection\n");
            close(fd);
            continue;
        }
        c->fd = fd;
        char ip[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
        snprintf(c->name, sizeof c->name, "%s:%u", ip, ntohs(peer.sin_port));
        /* Registered once for everything; edge-triggered EPOLLOUT fires when room appears. */
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            fprintf(stderr, "epoll_ctl failed: %s\n", strerror(errno));
            close(fd);
            free(c);
            continue;
        }
        printf("client %s connected\n", c->name);
    }
}

/* Milliseconds until `at` (0 if past), or -1 (wait forever) when no retry is due. */
static int ms_until(const struct timespec *at) {
    if (at->tv_sec == 0) return -1;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (at->tv_sec - now.tv_sec) * 1000 + (at->tv_nsec - now.tv_nsec) / 1000000;
    return ms < 0 ? 0 : (int)ms;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    long port;
    if (argc != 2 || !parse_port(argv[1], &port)) {
        fprintf(stderr, "usage: server PORT   (PORT: 0-65535)\n");
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: epoll_wait returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) die("socket");
    int one = 1;
    if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("setsockopt");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(lfd, SOMAXCONN) < 0) die("listen");
    socklen_t alen = sizeof addr;
    if (getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) die("getsockname");

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event lev = {.events = EPOLLIN | EPOLLET, .data.ptr = NULL}; /* NULL: the listener */
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0) die("epoll_ctl");
    printf("listening on 127.0.0.1:%u\n", ntohs(addr.sin_port));

    long delay_ms = 0;
    struct timespec retry_at = {0}; /* when to try accept() again after EMFILE; 0: not waiting */
    struct epoll_event events[256];
    while (!stop) {
        int n = epoll_wait(ep, events, 256, ms_until(&retry_at));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("epoll_wait");
        if (retry_at.tv_sec != 0 && ms_until(&retry_at) == 0) {
            retry_at.tv_sec = 0; /* edge-triggered: no new edge comes for connections still queued */
            accept_all(lfd, ep, &delay_ms, &retry_at);
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            uint32_t ev = events[i].events;
            if (c == NULL) {
                if (retry_at.tv_sec == 0) accept_all(lfd, ep, &delay_ms, &retry_at);
                continue;
            }
            int done = (ev & EPOLLERR) != 0;
            /* EPOLLRDHUP: the client sent FIN; recv() returns 0 once the data before it is read. */
            if (!done && !c->eof && (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))) done = on_readable(c) < 0;
            if (!done && (ev & EPOLLOUT)) done = on_writable(c) < 0;
            if (done) close_conn(c);
        }
    }
    close(lfd); /* open connections end when the process exits */
    printf("shutting down\n");
    return 0;
}
