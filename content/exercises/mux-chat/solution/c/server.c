/*
 * mux-chat, reference solution: a chat server in one thread, an edge-triggered epoll loop.
 *
 * Each client is greeted with "welcome\n"; every line it sends goes to every other client. Lines
 * wait in a per-client output queue until the kernel takes them (EPOLLOUT), so a client that does
 * not read delays nobody; once more than 1 MiB waits for it, it is disconnected. SIGINT or
 * SIGTERM stops the server.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
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

#define MAX_LINE 65536
#define MAX_BEHIND (1 << 20) /* a client with more than this waiting for it is disconnected */

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

struct conn {
    int fd, dead;
    char name[INET_ADDRSTRLEN + 8];
    char in[MAX_LINE + 1];
    size_t in_used;
    char *out;
    size_t out_len, out_sent, out_cap;
    struct conn *prev, *next; /* every client in the room */
};

static struct conn *room;

/* Marks a client for closing; it is freed after the current batch of events, which may still
 * hold a pointer to it. */
static void leave(struct conn *c, const char *why) {
    if (c->dead) return;
    c->dead = 1;
    printf("client %s left (%s)\n", c->name, why);
}

/* Sends the queue until it is empty or the kernel is full (EAGAIN: EPOLLOUT resumes). */
static void flush_out(struct conn *c) {
    while (!c->dead && c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) return leave(c, strerror(errno));
        c->out_sent += (size_t)n;
    }
    c->out_len = c->out_sent = 0;
}

static void queue(struct conn *c, const char *data, size_t len) {
    if (c->dead) return;
    if (c->out_len - c->out_sent + len > MAX_BEHIND) return leave(c, "more than 1 MiB behind");
    if (c->out_sent > 0 && c->out_len + len > c->out_cap) { /* reuse the sent part first */
        memmove(c->out, c->out + c->out_sent, c->out_len - c->out_sent);
        c->out_len -= c->out_sent;
        c->out_sent = 0;
    }
    if (c->out_len + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + len) cap *= 2;
        char *bigger = realloc(c->out, cap);
        if (bigger == NULL) return leave(c, "out of memory");
        c->out = bigger;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    flush_out(c);
}

static void broadcast(struct conn *from, const char *line, size_t len) {
    for (struct conn *c = room; c != NULL; c = c->next)
        if (c != from) queue(c, line, len);
}

/* Edge-triggered: read until EAGAIN, relaying every complete line (its "\n" included). */
static void on_readable(struct conn *c) {
    while (!c->dead) {
        ssize_t n = recv(c->fd, c->in + c->in_used, sizeof c->in - c->in_used, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) return leave(c, n == 0 ? "end of input" : strerror(errno));
        c->in_used += (size_t)n;
        char *start = c->in, *nl;
        while ((nl = memchr(start, '\n', c->in_used - (size_t)(start - c->in))) != NULL) {
            broadcast(c, start, (size_t)(nl - start) + 1);
            start = nl + 1;
        }
        c->in_used -= (size_t)(start - c->in);
        memmove(c->in, start, c->in_used);
        if (c->in_used == sizeof c->in) return leave(c, "line longer than 64 KiB");
    }
}

static void reap(void) {
    for (struct conn *c = room, *next; c != NULL; c = next) {
        next = c->next;
        if (!c->dead) continue;
        if (c->prev) c->prev->next = c->next; else room = c->next;
        if (c->next) c->next->prev = c->prev;
        close(c->fd);
        free(c->out);
        free(c);
    }
}

static void join(int ep, int fd, const struct sockaddr_in *peer) {
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        fprintf(stderr, "out of memory: closing a new connection\n");
        close(fd);
        return;
    }
    c->fd = fd;
    char ip[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &peer->sin_addr, ip, sizeof ip);
    snprintf(c->name, sizeof c->name, "%s:%u", ip, ntohs(peer->sin_port));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
        fprintf(stderr, "epoll_ctl failed: %s\n", strerror(errno));
        close(fd);
        free(c);
        return;
    }
    c->next = room;
    if (room) room->prev = c;
    room = c;
    printf("client %s joined\n", c->name);
    queue(c, "welcome\n", 8);
}

/* Accepts every waiting connection; out of descriptors, backs off (5 ms doubling to 1 s) by
 * returning the time to wait, so the clients already in the room go on being served. */
static long accept_all(int lfd, int ep, long delay_ms) {
    for (;;) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        int fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            join(ep, fd, &peer);
            continue;
        }
        switch (errno) {
        case EAGAIN: return 0;
        case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM:
            delay_ms = delay_ms == 0 ? 5 : delay_ms >= 500 ? 1000 : delay_ms * 2;
            fprintf(stderr, "accept failed: %s; retrying in %ld ms\n", strerror(errno), delay_ms);
            return delay_ms;
        case EBADF: case EINVAL: case ENOTSOCK: case EFAULT:
            die("accept");
        default: /* EINTR, ECONNABORTED and the new connection's network errors: next one */
            continue;
        }
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *end;
    long port = argc == 2 ? strtol(argv[1], &end, 10) : -1;
    if (argc != 2 || *end != '\0' || port < 0 || port > 65535) {
        fprintf(stderr, "usage: server PORT\n");
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_signal};
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
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event lev = {.events = EPOLLIN | EPOLLET, .data.ptr = NULL};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0) die("epoll_ctl");
    printf("listening on 127.0.0.1:%ld\n", port);

    long delay_ms = 0; /* > 0: accept() ran out of descriptors; try again after this long */
    struct epoll_event events[256];
    while (!stop) {
        int n = epoll_wait(ep, events, 256, delay_ms > 0 ? (int)delay_ms : -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("epoll_wait");
        if (n == 0 && delay_ms > 0) delay_ms = accept_all(lfd, ep, delay_ms); /* no new edge comes */
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == NULL) {
                if (delay_ms == 0) delay_ms = accept_all(lfd, ep, 0);
                continue;
            }
            if (c->dead) continue;
            if (events[i].events & EPOLLERR) leave(c, "connection error");
            if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) on_readable(c);
            if (events[i].events & EPOLLOUT) flush_out(c);
        }
        reap();
    }
    close(lfd);
    printf("shutting down\n");
    return 0;
}
