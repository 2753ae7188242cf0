/*
 * uds-hygiene, reference solution: a Unix stream echo server that cleans up after itself.
 * A stale socket file (connect refused) is replaced, a live one (connect succeeds) is left alone,
 * the socket gets mode 0660, and SIGTERM removes it.
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

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR && !stopping) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "%s: path too long\n", path);
        return 2;
    }
    strcpy(addr.sun_path, path);
    signal(SIGPIPE, SIG_IGN);

    /* Is somebody listening there? */
    int probe = socket(AF_UNIX, SOCK_STREAM, 0);
    if (probe < 0) { perror("socket"); return 1; }
    if (connect(probe, (struct sockaddr *)&addr, sizeof addr) == 0) {
        fprintf(stderr, "%s is in use by a running server; not starting\n", path);
        return 1;
    }
    if (errno == ECONNREFUSED) unlink(path); /* stale: its server is gone */
    close(probe);

    struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: accept() returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (chmod(path, 0660) < 0) { perror("chmod"); unlink(path); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); unlink(path); return 1; }
    printf("listening on %s\n", path);
    fflush(stdout);

    while (!stopping) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue; /* EINTR: the loop condition sees the signal */
        char buf[8192];
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR && !stopping) continue;
            if (n <= 0 || write_all(fd, buf, (size_t)n) < 0) break;
        }
        close(fd);
    }
    close(lfd);
    unlink(path);
    return 0;
}
