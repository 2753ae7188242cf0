/*
 * Unix datagram echo server: answers every datagram to the socket file it came from.
 *
 * Shows: socket(AF_UNIX, SOCK_DGRAM), bind() to a path, recvfrom() (the message and who sent it)
 * and sendto() back. Boundaries are kept: one sendto() is one recvfrom(). An empty datagram is a
 * legal message, not "the client quit": a connectionless socket has nobody to quit. A sender that
 * never bound an address cannot be answered.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 * Run:   ./server /tmp/socketlab-uds-dgram.sock    then: ./client /tmp/socketlab-uds-dgram.sock
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_MESSAGE 65536

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* Fills a sockaddr_un; sun_path holds 108 bytes including the terminating NUL. */
static socklen_t unix_address(struct sockaddr_un *addr, const char *path) {
    size_t len = strlen(path);
    if (len >= sizeof addr->sun_path) {
        fprintf(stderr, "socket path too long (%zu bytes, max %zu)\n", len, sizeof addr->sun_path - 1);
        exit(2);
    }
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    memcpy(addr->sun_path, path, len + 1);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

/* A socket file nobody is bound to is stale: remove it. Refuse to touch anything else. */
static void remove_stale(const char *path) {
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT) return;
        die("lstat");
    }
    if (!S_ISSOCK(st.st_mode)) {
        fprintf(stderr, "%s exists and is not a socket; not removing it\n", path);
        exit(1);
    }
    int probe = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (probe < 0) die("socket");
    struct sockaddr_un addr;
    socklen_t len = unix_address(&addr, path);
    /* connect() on a datagram socket to a file nobody is bound to fails with ECONNREFUSED. */
    int live = connect(probe, (struct sockaddr *)&addr, len) == 0;
    int err = errno;
    close(probe);
    if (live) {
        fprintf(stderr, "another server is already listening on %s\n", path);
        exit(1);
    }
    if (err != ECONNREFUSED) {
        fprintf(stderr, "cannot check %s: %s\n", path, strerror(err));
        exit(1);
    }
    if (unlink(path) < 0) die("unlink");
    printf("removed stale socket file %s\n", path);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2) {
        fprintf(stderr, "usage: server [socket-path]\n");
        return 2;
    }
    const char *path = argc == 2 ? argv[1] : "/tmp/socketlab-uds-dgram.sock";

    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: recvfrom() returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    struct sockaddr_un addr;
    socklen_t addr_len = unix_address(&addr, path);
    remove_stale(path);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    if (bind(fd, (struct sockaddr *)&addr, addr_len) < 0) die("bind");
    printf("listening on %s\n", path);

    static char buf[MAX_MESSAGE];
    static char reply[sizeof "echo: " - 1 + MAX_MESSAGE];
    while (!stop) {
        struct sockaddr_un from = {0};
        socklen_t from_len = sizeof from - 1; /* one byte short: sun_path always ends in a NUL */
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &from_len);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("recvfrom");
        }
        /* An unbound sender's address is just the family: there is no path to answer. */
        if (from_len <= offsetof(struct sockaddr_un, sun_path) || from.sun_path[0] == '\0') {
            printf("from an unbound socket: \"%.*s\" (%zd bytes), cannot reply\n", (int)n, buf, n);
            continue;
        }
        printf("from %s: \"%.*s\" (%zd bytes)\n", from.sun_path, (int)n, buf, n);
        memcpy(reply, "echo: ", 6);
        memcpy(reply + 6, buf, (size_t)n);
        /* Send exactly the bytes we formatted: the prefix and the n bytes received, no more. */
        if (sendto(fd, reply, 6 + (size_t)n, 0, (struct sockaddr *)&from, from_len) < 0)
            fprintf(stderr, "sendto %s failed: %s\n", from.sun_path, strerror(errno));
    }
    close(fd);
    if (unlink(path) < 0) die("unlink"); /* the file outlives the socket unless we remove it */
    printf("shutting down\n");
    return 0;
}
