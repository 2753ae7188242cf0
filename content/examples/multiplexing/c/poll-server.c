/*
 * Line echo server in one thread with poll(): the portable way (POSIX), level-triggered.
 *
 * Shows: one pollfd per descriptor, rebuilt each round; POLLOUT asked for only while replies
 * wait; the cost poll() has and epoll does not (the kernel walks the whole array on every call,
 * and so do we). Same protocol as the tcp examples; server.c is the epoll version.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o poll-server poll-server.c
 * Run:   ./poll-server 9090
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define MAX_LINE 65536
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
    char in[MAX_LINE + 1];
    size_t in_used;
    char *out;
    size_t out_len, out_sent, out_cap;
    int eof;
};

static struct conn *conns[MAX_CONNS];
static int nconns;

static int flush_out(struct conn *c) {
    while (c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 0; /* poll() says when (POLLOUT) */
        if (n < 0) return -1;
        c->out_sent += (size_t)n;
    }
    c->out_len = c->out_sent = 0;
    return c->eof ? -1 : 0; /* everything answered after the client's EOF: done */
}

static int queue_reply(struct conn *c, const char *line, size_t len) {
    if (len > 0 && line[len - 1] == '\r') len--;
    printf("client %s says: %.*s\n", c->name, (int)len, line);
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

/* Level-triggered: one recv() per round is enough, poll() reports the rest next round. */
static int on_readable(struct conn *c) {
    ssize_t n = recv(c->fd, c->in + c->in_used, sizeof c->in - c->in_used, 0);
    if (n < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
    if (n == 0) {
        if (c->in_used > 0 && queue_reply(c, c->in, c->in_used) < 0) return -1;
        c->eof = 1;
        return flush_out(c);
    }
    c->in_used += (size_t)n;
    char *start = c->in, *nl;
    while ((nl = memchr(start, '\n', c->in_used - (size_t)(start - c->in))) != NULL) {
        if (queue_reply(c, start, (size_t)(nl - start)) < 0) return -1;
        start = nl + 1;
    }
    c->in_used -= (size_t)(start - c->in);
    memmove(c->in, start, c->in_used);
    if (c->in_used == sizeof c->in) return -1; /* a line longer than MAX_LINE */
    return flush_out(c);
}

static int parse_port(const char *s, long *port) {
    char *end;
    errno = 0;
    *port = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *port >= 0 && *port <= 65535;
}

/* Returns 1 after taking a connection, 0 when none is left to take now. */
static int accept_one(int lfd) {
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    int fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        /* EAGAIN: another round took it. Out of descriptors: the listener stays readable and
         * poll() would return at once forever, so pause briefly instead of spinning. */
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            fprintf(stderr, "accept failed: %s; retrying in 5 ms\n", strerror(errno));
            poll(NULL, 0, 5);
        }
        return 0;
    }
    struct conn *c = nconns < MAX_CONNS ? calloc(1, sizeof *c) : NULL;
    if (c == NULL) {
        fprintf(stderr, "cannot take more than %d clients: closing a new connection\n", MAX_CONNS);
        close(fd);
        return 1;
    }
    c->fd = fd;
    char ip[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    snprintf(c->name, sizeof c->name, "%s:%u", ip, ntohs(peer.sin_port));
    conns[nconns++] = c;
    printf("client %s connected\n", c->name);
    return 1;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    long port = 9090;
    if (argc > 2 || (argc == 2 && !parse_port(argv[1], &port))) {
        fprintf(stderr, "usage: poll-server [port]\n");
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
    socklen_t alen = sizeof addr;
    if (getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) die("getsockname");
    printf("listening on 127.0.0.1:%u\n", ntohs(addr.sin_port));

    static struct pollfd fds[MAX_CONNS + 1];
    while (!stop) {
        /* Rebuilt every round: fds[0] is the listener, fds[i + 1] is conns[i]. */
        fds[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (int i = 0; i < nconns; i++) {
            struct conn *c = conns[i];
            short want = c->out_len - c->out_sent > MAX_PENDING ? 0 : POLLIN;
            if (c->out_len > c->out_sent) want |= POLLOUT;
            fds[i + 1] = (struct pollfd){.fd = c->fd, .events = want};
        }
        int n = poll(fds, (nfds_t)nconns + 1, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("poll");
        for (int i = nconns - 1; i >= 0; i--) { /* backwards: removing swaps in the last one, done already */
            short got = fds[i + 1].revents;
            if (got == 0) continue;
            struct conn *c = conns[i];
            int done = (got & (POLLERR | POLLNVAL)) != 0;
            if (!done && (got & (POLLIN | POLLHUP))) done = on_readable(c) < 0;
            if (!done && (got & POLLOUT)) done = flush_out(c) < 0;
            if (done) {
                printf("client %s disconnected\n", c->name);
                close(c->fd);
                free(c->out);
                free(c);
                conns[i] = conns[--nconns];
            }
        }
        if (fds[0].revents & POLLIN)
            while (accept_one(lfd)) {} /* every waiting one: a round per connection is slow */
    }
    close(lfd);
    printf("shutting down\n");
    return 0;
}
