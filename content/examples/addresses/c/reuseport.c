/*
 * SO_REUSEPORT: two listening sockets on one port, and how the kernel spreads connections.
 *
 * Shows: a second bind() to a port in use fails with EADDRINUSE; with SO_REUSEPORT set on both
 * sockets (before bind, by the same user) it succeeds, and the kernel hands each new connection
 * to one of them, picked by a hash of the connection's addresses and ports. The program opens
 * N connections to its own port (default 1000), one after another, accepts each on whichever
 * socket has it (poll), and prints how many each socket got.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o reuseport reuseport.c
 * Run:   ./reuseport 1000
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* A listening socket on 127.0.0.1:port (0: any free port), with SO_REUSEPORT if asked.
 * Returns -1 with errno set if bind() fails, so the caller can show EADDRINUSE. */
static int listener(uint16_t port, int reuseport) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    int one = 1;
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) die("setsockopt SO_REUSEPORT");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    if (listen(fd, SOMAXCONN) < 0) die("listen");
    return fd;
}

static uint16_t port_of(int fd) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0) die("getsockname");
    return ntohs(addr.sin_port);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *end = NULL;
    long total = argc > 1 ? strtol(argv[1], &end, 10) : 1000;
    if (argc > 2 || (argc == 2 && (*end != '\0' || total < 1 || total > 100000))) {
        fprintf(stderr, "usage: reuseport [connections]   (1-100000, default 1000)\n");
        return 2;
    }

    /* Without the option a second socket cannot bind the same address and port. */
    int plain = listener(0, 0);
    if (plain < 0) die("bind");
    uint16_t taken = port_of(plain);
    if (listener(taken, 0) >= 0 || errno != EADDRINUSE) {
        fprintf(stderr, "a second bind without SO_REUSEPORT should fail with EADDRINUSE\n");
        return 1;
    }
    printf("without SO_REUSEPORT: second bind to 127.0.0.1:%u failed: %s\n", taken, strerror(EADDRINUSE));
    close(plain);

    int fds[2];
    fds[0] = listener(0, 1);
    if (fds[0] < 0) die("bind");
    uint16_t port = port_of(fds[0]);
    fds[1] = listener(port, 1);
    if (fds[1] < 0) die("bind (second SO_REUSEPORT socket)");
    printf("listening on 127.0.0.1:%u with two sockets (SO_REUSEPORT)\n", port);

    long accepted[2] = {0, 0};
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (long i = 0; i < total; i++) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0) die("socket");
        /* connect() returns once the handshake is done: the connection then waits in the
         * accept queue of the one listening socket the kernel chose for it. */
        if (connect(c, (struct sockaddr *)&to, sizeof to) < 0) die("connect");
        struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = fds[1], .events = POLLIN}};
        int ready = poll(p, 2, 1000);
        if (ready < 0) die("poll");
        if (ready == 0) {
            fprintf(stderr, "connection %ld was not ready to accept on either socket within 1 s\n", i + 1);
            return 1;
        }
        for (int k = 0; k < 2; k++) {
            if (!(p[k].revents & POLLIN)) continue;
            int a = accept(fds[k], NULL, NULL);
            if (a < 0) die("accept");
            accepted[k]++;
            close(a);
        }
        close(c);
    }
    for (int k = 0; k < 2; k++) printf("listener %d accepted %ld of %ld\n", k + 1, accepted[k], total);
    close(fds[0]);
    close(fds[1]);
    return 0;
}
