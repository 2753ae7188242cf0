/*
 * uds-hygiene starter: a Unix stream echo server on SOCKET that cleans up after itself.
 * TODO, in order:
 *  1. a socket file left by a crashed server (connect() says ECONNREFUSED) is unlinked before
 *     bind(); if connect() succeeds, another server is alive: print an error and exit(1);
 *  2. the socket file gets mode 0660;
 *  3. SIGTERM closes the listener, unlinks the path and exits 0.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    printf("listening on %s\n", path);
    fflush(stdout);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        char buf[8192];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) {
            if (write(fd, buf, (size_t)n) != n) break;
        }
        close(fd);
    }
}
