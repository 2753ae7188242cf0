/*
 * Line echo server on a Unix stream socket: the TCP echo server with a file path as its address.
 *
 * Shows: struct sockaddr_un and its 108-byte path limit, the socket file that bind() creates
 * (and that nobody removes but us), detecting a stale file left by a crashed server, one thread
 * per connection, and a clean shutdown on Ctrl-C that removes the socket file.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 * Run:   ./server /tmp/socketlab-uds-stream.sock    then: ./client /tmp/socketlab-uds-stream.sock
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 65536 /* longer lines are a protocol error */
#define DEFAULT_PATH "/tmp/socketlab-uds-stream.sock"

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

/* sun_path is a fixed array of 108 bytes, NUL included: a longer path cannot be bound at all. */
static void make_addr(struct sockaddr_un *addr, const char *path) {
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    size_t len = strnlen(path, sizeof addr->sun_path);
    if (len == sizeof addr->sun_path) {
        fprintf(stderr, "socket path too long (max %zu bytes)\n", sizeof addr->sun_path - 1);
        exit(1);
    }
    memcpy(addr->sun_path, path, len + 1);
}

/* bind() creates the socket file and only unlink() removes it, so a crashed server leaves one
 * behind and the next bind() fails with EADDRINUSE. Remove it only if nobody answers there. */
static void remove_stale(const struct sockaddr_un *addr) {
    struct stat st;
    if (lstat(addr->sun_path, &st) < 0) {
        if (errno == ENOENT) return; /* nothing there: the usual case */
        die("lstat");
    }
    if (!S_ISSOCK(st.st_mode)) { /* a regular file or directory is not ours to delete */
        fprintf(stderr, "%s exists and is not a socket; not removing it\n", addr->sun_path);
        exit(1);
    }
    int probe = socket(AF_UNIX, SOCK_STREAM, 0);
    if (probe < 0) die("socket");
    int rc = connect(probe, (const struct sockaddr *)addr, sizeof *addr);
    int err = errno;
    close(probe);
    if (rc == 0) {
        fprintf(stderr, "another server is already listening on %s\n", addr->sun_path);
        exit(1);
    }
    if (err != ECONNREFUSED) { /* refused = a socket file with no listener: stale */
        errno = err;
        die("connect (checking the old socket file)");
    }
    if (unlink(addr->sun_path) < 0) die("unlink");
    printf("removed stale socket file %s\n", addr->sun_path);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0); /* line by line, even into a pipe */
    if (argc > 2) {
        fprintf(stderr, "usage: server [path]\n");
        return 2;
    }
    struct sockaddr_un addr;
    make_addr(&addr, argc > 1 ? argv[1] : DEFAULT_PATH);

    /* No SA_RESTART: a blocked accept() must fail with EINTR so the loop can see `stop`. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    remove_stale(&addr);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    /* The file's permissions (from our umask) decide who may connect: no TCP port is exposed. */
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(lfd, SOMAXCONN) < 0) die("listen");
    printf("listening on %s\n", addr.sun_path);

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
        printf("client %s connected\n", c->name);
        int err = start_worker(c);
        if (err != 0) {
            fprintf(stderr, "starting a thread failed: %s\n", strerror(err));
            close(fd);
            free(c);
        }
    }
    close(lfd); /* open connections end when the process exits */
    /* Closing the socket does not remove its file: without this the next start finds it stale. */
    if (unlink(addr.sun_path) < 0) die("unlink");
    printf("shutting down\n");
    return 0;
}
