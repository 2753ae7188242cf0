/*
 * Line echo server on an abstract Unix socket name, which logs who each client is (SO_PEERCRED).
 *
 * Shows: an abstract name (sun_path starting with a NUL byte: no file, so no stale file, no
 * unlink, no permissions) and its exact address length, and SO_PEERCRED: the pid, uid and gid of
 * the process at the other end, as the kernel recorded them at connect(). The echo protocol and
 * everything else is the uds-stream server's.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 * Run:   ./server @socketlab-uds-power    then: ./client @socketlab-uds-power
 */
#define _GNU_SOURCE /* struct ucred */
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 65536 /* longer lines are a protocol error */
#define DEFAULT_NAME "@socketlab-uds-power"

static volatile sig_atomic_t stop; /* set by the signal handler, read by the main loop */

static void on_signal(int sig) { (void)sig; stop = 1; }

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
    char name[24]; /* "#<n>": a Unix client has no address to show, so we number them */
};

/* Logs one line and sends back "echo: <line>\n" in a single write. */
static int answer(struct conn *c, char *line, size_t len) {
    static const char prefix[] = "echo: ";
    char reply[sizeof prefix + MAX_LINE]; /* prefix (without NUL) + line + '\n' */
    if (len > 0 && line[len - 1] == '\r') len--; /* accept "\r\n" line ends too */
    printf("client %s says: %.*s\n", c->name, (int)len, line);
    memcpy(reply, prefix, sizeof prefix - 1);
    memcpy(reply + sizeof prefix - 1, line, len);
    reply[sizeof prefix - 1 + len] = '\n';
    if (send_all(c->fd, reply, sizeof prefix + len) < 0) {
        fprintf(stderr, "client %s: send failed: %s\n", c->name, strerror(errno));
        return -1;
    }
    return 0;
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
        int failed = 0;
        while (!failed && (nl = memchr(start, '\n', used - (size_t)(start - buf))) != NULL) {
            failed = answer(c, start, (size_t)(nl - start)) < 0;
            start = nl + 1;
        }
        if (failed) break;
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

/* An abstract name is "@name" on the command line and sun_path = "\0name" in the kernel: the
 * leading NUL means "no file". Its length is part of the address, so bind() and connect() must
 * pass exactly offsetof(sun_path) + 1 + strlen(name), not sizeof addr: the padding zeros would
 * otherwise become part of the name. Returns that length. */
static socklen_t make_abstract_addr(struct sockaddr_un *addr, const char *arg) {
    if (arg[0] != '@' || arg[1] == '\0') {
        fprintf(stderr, "usage: server @name (an abstract name, e.g. @socketlab-uds-power)\n");
        exit(2);
    }
    size_t len = strlen(arg); /* '@' becomes the NUL, so the name needs len bytes of sun_path */
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    if (len > sizeof addr->sun_path) {
        fprintf(stderr, "abstract name too long (max %zu bytes after the @)\n", sizeof addr->sun_path - 1);
        exit(1);
    }
    memcpy(addr->sun_path + 1, arg + 1, len - 1); /* sun_path[0] stays '\0' */
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
}

/* Who is on the other end: the kernel recorded the peer's pid, uid and gid when it called
 * connect(), so the peer cannot lie about them (Linux; the BSDs have getpeereid/LOCAL_PEERCRED). */
static void log_peer(const struct conn *c) {
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        fprintf(stderr, "client %s: getsockopt(SO_PEERCRED) failed: %s\n", c->name, strerror(errno));
        log_peer(c);
        return;
    }
    printf("client %s connected: pid %ld uid %ld gid %ld\n", c->name, (long)cred.pid, (long)cred.uid, (long)cred.gid);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0); /* line by line, even into a pipe */
    if (argc > 2) {
        fprintf(stderr, "usage: server [@name]\n");
        return 2;
    }
    const char *name = argc > 1 ? argv[1] : DEFAULT_NAME;
    struct sockaddr_un addr;
    socklen_t addr_len = make_abstract_addr(&addr, name);

    /* No SA_RESTART: a blocked accept() must fail with EINTR so the loop can see `stop`. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    /* No file is created, so there is nothing stale to remove and no permission bits: anyone in
     * this network namespace may connect, and EADDRINUSE means a live socket holds the name. */
    if (bind(lfd, (struct sockaddr *)&addr, addr_len) < 0) die("bind");
    if (listen(lfd, SOMAXCONN) < 0) die("listen");
    printf("listening on %s\n", name);

    unsigned long clients = 0;
    long delay_ms = 0; /* how long retry_accept() waits after running out of descriptors */
    while (!stop) {
        /* (A signal landing between the `stop` check and accept() would be noticed only at the
         * next connection; ppoll() with a signal mask closes that tiny window.) */
        int fd = accept(lfd, NULL, NULL); /* the peer of a Unix client usually has no name */
        if (fd < 0) {
            if (retry_accept(errno, &delay_ms)) continue;
            die("accept");
        }
        delay_ms = 0;
        struct conn *c = malloc(sizeof *c);
        if (c == NULL) die("malloc");
        c->fd = fd;
        snprintf(c->name, sizeof c->name, "#%lu", ++clients);
        log_peer(c);
        int err = start_worker(c);
        if (err != 0) {
            fprintf(stderr, "starting a thread failed: %s\n", strerror(err));
            close(fd);
            free(c);
        }
    }
    close(lfd); /* frees the name at once; open connections end when the process exits */
    printf("shutting down\n");
    return 0;
}
