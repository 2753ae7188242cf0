/*
 * uds-dgram-echo, reference solution: a Unix datagram server that answers "echo: <text>" to each
 * sender's address. A sender that never bound an address cannot be answered: skip it. A file at
 * the path is removed only when nobody is bound there, and SIGINT/SIGTERM remove ours.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* connect() on a datagram socket to a file nobody is bound to fails with ECONNREFUSED: stale. */
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
    int probe = socket(AF_UNIX, SOCK_DGRAM, 0);
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
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "socket path too long (max %zu bytes)\n", sizeof addr.sun_path - 1);
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);

    struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: recvfrom() returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0) die("sigaction");

    remove_stale(&addr);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    printf("listening on %s\n", argv[1]);

    static char buf[65536], reply[6 + 65536];
    while (!stopping) {
        struct sockaddr_un peer;
        socklen_t plen = sizeof peer;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
        if (n < 0) {
            if (errno != EINTR) perror("recvfrom");
            continue;
        }
        /* n == 0 is an empty datagram, a message like any other. An unbound sender's address
         * length is 0 (nothing past sun_family either): there is nowhere to answer. */
        if (plen <= sizeof(sa_family_t)) continue;
        memcpy(reply, "echo: ", 6);
        memcpy(reply + 6, buf, (size_t)n);
        if (sendto(fd, reply, 6 + (size_t)n, 0, (struct sockaddr *)&peer, plen) < 0) perror("sendto");
    }
    close(fd);
    unlink(addr.sun_path); /* a datagram socket's file outlives it unless we remove it */
    printf("shutting down\n");
    return 0;
}
