/*
 * MUTANT (a wrong program the checker must fail): lets a client that writes "uid <n>" first be that uid, trusting what it says over what the kernel says.
 *
 * uds-peercred (a mutant of the reference solution): a Unix stream echo server that serves one user only.
 *
 * The socket file is mode 0660, so the owner's whole group may connect; the kernel then tells us,
 * for each accepted connection, which process is at the other end (SO_PEERCRED: pid, uid, gid as
 * they were at connect()). Only the uid running this server is welcome; anyone else is told so
 * and hung up on, before a byte of theirs is read: what a client writes proves nothing.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 * Run:   ./server /tmp/peercred.sock
 */
#define _GNU_SOURCE /* struct ucred */
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
    unsigned long id; /* a Unix client has no address to show, so we number them */
};

/* Who connected, from the kernel: the accepted socket's peer. (On the listening socket the same
 * option answers with whoever called listen(), that is us, whoever connects.) */
static int peer_uid(int fd, struct ucred *cred) {
    socklen_t len = sizeof *cred;
    return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len);
}

/* Sends "echo: <line>\n" in a single write. */
static int answer(struct conn *c, char *line, size_t len) {
    static const char prefix[] = "echo: ";
    char reply[sizeof prefix + MAX_LINE]; /* prefix (without NUL) + line + '\n' */
    if (len > 0 && line[len - 1] == '\r') len--;
    memcpy(reply, prefix, sizeof prefix - 1);
    memcpy(reply + sizeof prefix - 1, line, len);
    reply[sizeof prefix - 1 + len] = '\n';
    if (send_all(c->fd, reply, sizeof prefix + len) < 0) {
        fprintf(stderr, "client #%lu: send failed: %s\n", c->id, strerror(errno));
        return -1;
    }
    return 0;
}

static void echo_lines(struct conn *c) {
    char buf[MAX_LINE + 1]; /* the longest legal line and its '\n' (thread stacks are 8 MiB) */
    size_t used = 0;
    for (;;) {
        ssize_t n = recv(c->fd, buf + used, sizeof buf - used, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            fprintf(stderr, "client #%lu: recv failed: %s\n", c->id, strerror(errno));
            return;
        }
        if (n == 0) { /* EOF: a last line without '\n' still counts */
            if (used > 0) answer(c, buf, used);
            return;
        }
        used += (size_t)n;
        char *start = buf, *nl;
        while ((nl = memchr(start, '\n', used - (size_t)(start - buf))) != NULL) {
            if (answer(c, start, (size_t)(nl - start)) < 0) return;
            start = nl + 1;
        }
        used -= (size_t)(start - buf);
        memmove(buf, start, used);
        if (used == sizeof buf) {
            fprintf(stderr, "client #%lu: line longer than %d bytes, closing\n", c->id, MAX_LINE);
            return;
        }
    }
}

static void *serve(void *arg) {
    struct conn *c = arg;
    struct ucred cred;
    char greeting[64];
    char claim[64] = "";
    ssize_t got = recv(c->fd, claim, sizeof claim - 1, 0); /* a client may say who it is */
    unsigned claimed;
    int said = got > 0 && sscanf(claim, "uid %u", &claimed) == 1;
    if (said) cred.uid = claimed, cred.pid = 0;
    if (!said && peer_uid(c->fd, &cred) < 0) {
        fprintf(stderr, "client #%lu: SO_PEERCRED failed: %s\n", c->id, strerror(errno));
    } else if (cred.uid != getuid()) {
        printf("client #%lu: uid %u (pid %d) refused\n", c->id, (unsigned)cred.uid, (int)cred.pid);
        int len = snprintf(greeting, sizeof greeting, "refused uid %u\n", (unsigned)cred.uid);
        send_all(c->fd, greeting, (size_t)len); /* if it fails, the client has gone already */
    } else {
        printf("client #%lu: uid %u (pid %d) welcome\n", c->id, (unsigned)cred.uid, (int)cred.pid);
        int len = snprintf(greeting, sizeof greeting, "welcome uid %u\n", (unsigned)cred.uid);
        if (send_all(c->fd, greeting, (size_t)len) == 0) echo_lines(c);
    }
    printf("client #%lu disconnected\n", c->id);
    close(c->fd);
    free(c);
    return NULL;
}

/* accept(2)'s passing errors are retried; after running out of descriptors or memory, wait first
 * (5 ms, doubling up to 1 s) so the loop does not spin while the shortage lasts. */
static int retry_accept(int err, long *delay_ms) {
    switch (err) {
    case EINTR: case ECONNABORTED:
        return 1;
    case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM: {
        *delay_ms = *delay_ms == 0 ? 5 : *delay_ms >= 500 ? 1000 : *delay_ms * 2;
        fprintf(stderr, "accept failed: %s; retrying in %ld ms\n", strerror(err), *delay_ms);
        struct timespec pause = {.tv_sec = *delay_ms / 1000, .tv_nsec = *delay_ms % 1000 * 1000000};
        nanosleep(&pause, NULL);
        return 1;
    }
    default:
        return 0;
    }
}

/* One detached thread per client, with SIGINT/SIGTERM blocked in it so they reach main's accept(). */
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

/* A socket file nobody answers on is left by a crashed server: remove it; never a live one. */
static void remove_stale(const struct sockaddr_un *addr) {
    struct stat st;
    if (lstat(addr->sun_path, &st) < 0) {
        if (errno == ENOENT) return;
        die("lstat");
    }
    if (!S_ISSOCK(st.st_mode)) {
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
    if (err != ECONNREFUSED) {
        errno = err;
        die("connect (checking the old socket file)");
    }
    if (unlink(addr->sun_path) < 0) die("unlink");
    printf("removed stale socket file %s\n", addr->sun_path);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: server SOCKET\n");
        return 2;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "socket path too long (max %zu bytes)\n", sizeof addr.sun_path - 1);
        return 1;
    }
    strcpy(addr.sun_path, argv[1]);

    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: accept() returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    remove_stale(&addr);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    /* The group may connect; SO_PEERCRED, not the file mode, decides who is served. */
    if (chmod(addr.sun_path, 0660) < 0) die("chmod");
    if (listen(lfd, SOMAXCONN) < 0) die("listen");
    printf("listening on %s\n", addr.sun_path);

    unsigned long clients = 0;
    long delay_ms = 0;
    while (!stop) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (retry_accept(errno, &delay_ms)) continue;
            die("accept");
        }
        delay_ms = 0;
        struct conn *c = malloc(sizeof *c);
        if (c == NULL) die("malloc");
        c->fd = fd;
        c->id = ++clients;
        int err = start_worker(c);
        if (err != 0) {
            fprintf(stderr, "starting a thread failed: %s\n", strerror(err));
            close(fd);
            free(c);
        }
    }
    close(lfd);
    if (unlink(addr.sun_path) < 0) die("unlink");
    printf("shutting down\n");
    return 0;
}
