/*
 * life-reset, reference solution: a TCP line echo server on 127.0.0.1:PORT, a thread per client,
 * that ends a connection in the two ways TCP has when the client asks:
 *
 *   close  an orderly close: close() sends a FIN after every earlier reply (this side then
 *          holds TIME_WAIT)
 *   reset  an abortive close: SO_LINGER {1, 0} on this connection, then close(): the kernel sends
 *          a RST, the client's next read fails with ECONNRESET
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 65536 /* longer lines are a protocol error */

static volatile sig_atomic_t stop; /* set by the signal handler, read by the main loop */

static void on_signal(int sig) { (void)sig; stop = 1; }

static int parse_port(const char *s, long *port) {
    char *end;
    errno = 0;
    *port = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *port >= 0 && *port <= 65535;
}

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* send() may write fewer bytes than asked (or be interrupted): loop until all are out.
 * MSG_NOSIGNAL: a client that has gone away gives EPIPE instead of killing us with SIGPIPE. */
static int send_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

struct conn {
    int fd;
    char name[INET_ADDRSTRLEN + 8]; /* "ip:port" */
};

enum { KEEP_GOING = 0, FAILED = -1, CLOSE = 1, RESET = 2 };

/* Logs one line and sends back "echo: <line>\n" in a single write, or asks for an ending. */
static int answer(struct conn *c, char *line, size_t len) {
    static const char prefix[] = "echo: ";
    char reply[sizeof prefix + MAX_LINE]; /* prefix (without NUL) + line + '\n' */
    if (len > 0 && line[len - 1] == '\r') len--; /* accept "\r\n" line ends too */
    if (len == 5 && memcmp(line, "close", 5) == 0) return CLOSE;
    if (len == 5 && memcmp(line, "reset", 5) == 0) return RESET;
    printf("client %s says: %.*s\n", c->name, (int)len, line);
    memcpy(reply, prefix, sizeof prefix - 1);
    memcpy(reply + sizeof prefix - 1, line, len);
    reply[sizeof prefix - 1 + len] = '\n';
    if (send_all(c->fd, reply, sizeof prefix + len) < 0) {
        fprintf(stderr, "client %s: send failed: %s\n", c->name, strerror(errno));
        return FAILED;
    }
    return KEEP_GOING;
}

/* Closing with l_onoff 1 and l_linger 0 makes close() abort the connection: the kernel throws
 * away anything unsent, sends a RST instead of a FIN, and frees the socket at once (no TIME_WAIT).
 * It is set on this connection only: set on the listening socket, every accepted connection would
 * inherit it and even orderly closes would be resets. */
static void reset(struct conn *c) {
    struct linger rst_on_close = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &rst_on_close, sizeof rst_on_close) < 0)
        fprintf(stderr, "client %s: setsockopt SO_LINGER failed: %s\n", c->name, strerror(errno));
    printf("client %s: reset: SO_LINGER 0, so close() sends a RST\n", c->name);
}

static void *serve(void *arg) {
    struct conn *c = arg;
    char buf[MAX_LINE + 1]; /* the longest legal line and its '\n' (thread stacks are 8 MiB) */
    size_t used = 0;                         /* bytes in buf not yet part of a full line */
    for (;;) {
        ssize_t n = recv(c->fd, buf + used, sizeof buf - used, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            fprintf(stderr, "client %s: recv failed: %s\n", c->name, strerror(errno));
            break;
        }
        if (n == 0) { /* EOF: the client closed (or half-closed) its side */
            if (used > 0) answer(c, buf, used); /* a last line without '\n' still counts */
            break;
        }
        used += (size_t)n;
        /* A read may hold part of a line, one line, or several: answer every complete one. */
        char *start = buf, *nl;
        int outcome = KEEP_GOING;
        while (outcome == KEEP_GOING && (nl = memchr(start, '\n', used - (size_t)(start - buf))) != NULL) {
            outcome = answer(c, start, (size_t)(nl - start));
            start = nl + 1;
        }
        if (outcome == RESET) {
            reset(c); /* the close() below sends a RST */
            break;
        }
        if (outcome == CLOSE) {
            printf("client %s: closing first (FIN: this side will be in TIME_WAIT)\n", c->name);
            break;
        }
        if (outcome == FAILED) break;
        used -= (size_t)(start - buf);
        memmove(buf, start, used); /* keep the unfinished line for the next read */
        if (used == sizeof buf) {  /* full, and still no '\n' */
            fprintf(stderr, "client %s: line longer than %d bytes, closing\n", c->name, MAX_LINE);
            break;
        }
    }
    printf("client %s disconnected\n", c->name);
    close(c->fd);
    free(c);
    return NULL;
}

/* Whether to retry a failed accept(). accept(2) lists errors that concern one connection or a
 * passing shortage, not the listening socket: retry those, and die only on a bug (EBADF, EINVAL).
 * When descriptors or memory ran out, retrying at once would spin as long as the shortage lasts,
 * so wait first: 5 ms, doubling up to 1 s (what Go's net/http server does), reset by a success. */
static int retry_accept(int err, long *delay_ms) {
    switch (err) {
    case EINTR:        /* a signal: the loop checks `stop` */
    case ECONNABORTED: /* the client gave up while it waited in the queue */
    /* Linux passes on the new connection's network errors; accept(2) says to retry them. */
    case ENETDOWN: case EPROTO: case ENOPROTOOPT: case EHOSTDOWN: case ENONET:
    case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH: case EPERM:
        return 1;
    case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM: { /* out of descriptors or memory */
        *delay_ms = *delay_ms == 0 ? 5 : *delay_ms >= 500 ? 1000 : *delay_ms * 2;
        fprintf(stderr, "accept failed: %s; retrying in %ld ms\n", strerror(err), *delay_ms);
        struct timespec pause = {.tv_sec = *delay_ms / 1000, .tv_nsec = *delay_ms % 1000 * 1000000};
        nanosleep(&pause, NULL); /* Ctrl-C cuts it short */
        return 1;
    }
    default:
        return 0;
    }
}

/* Starts a detached thread (nobody joins it) running serve(c). A signal goes to any thread that
 * has it unblocked; a new thread inherits its creator's mask, so block SIGINT/SIGTERM around
 * pthread_create: then only the main thread gets them, and its accept() is what they interrupt. */
static int start_worker(struct conn *c) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_t tid;
    int err = pthread_sigmask(SIG_BLOCK, &block, &old);
    if (err == 0) {
        err = pthread_create(&tid, NULL, serve, c);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (err == 0) err = pthread_detach(tid);
    return err;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0); /* line by line, even into a pipe */
    long port;
    if (argc != 2 || !parse_port(argv[1], &port)) {
        fprintf(stderr, "usage: server PORT\n");
        return 2;
    }

    /* No SA_RESTART: a blocked accept() must fail with EINTR so the loop can see `stop`. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    /* Without SO_REUSEADDR a restart fails with EADDRINUSE while old connections sit in TIME_WAIT. */
    int one = 1;
    if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("setsockopt");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1: reachable from this machine only */
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(lfd, SOMAXCONN) < 0) die("listen");
    socklen_t alen = sizeof addr;
    if (getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) die("getsockname"); /* port 0 -> real port */
    printf("listening on 127.0.0.1:%u\n", ntohs(addr.sin_port));

    long delay_ms = 0; /* how long retry_accept() waits after running out of descriptors */
    while (!stop) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        /* (A signal landing between the `stop` check and accept() would be noticed only at the
         * next connection; ppoll() with a signal mask closes that tiny window.) */
        int fd = accept(lfd, (struct sockaddr *)&peer, &plen);
        if (fd < 0) {
            if (retry_accept(errno, &delay_ms)) continue;
            die("accept");
        }
        delay_ms = 0;
        struct conn *c = malloc(sizeof *c);
        if (c == NULL) die("malloc");
        c->fd = fd;
        char ip[INET_ADDRSTRLEN] = "?";
        if (inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip) == NULL)
            fprintf(stderr, "inet_ntop failed: %s\n", strerror(errno));
        snprintf(c->name, sizeof c->name, "%s:%u", ip, ntohs(peer.sin_port));
        printf("client %s connected\n", c->name);
        int err = start_worker(c);
        if (err != 0) {
            fprintf(stderr, "starting a thread failed: %s\n", strerror(err));
            close(fd);
            free(c);
        }
    }
    close(lfd); /* open connections end when the process exits */
    printf("shutting down\n");
    return 0;
}
