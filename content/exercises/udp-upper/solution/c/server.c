/*
 * udp-upper, reference solution: answers each datagram, uppercased, to its sender; SIGINT or
 * SIGTERM stops it cleanly.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop; /* set by the signal handler, read by the receive loop */

static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

static int parse_port(const char *s, long *port) {
    char *end;
    errno = 0;
    *port = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *port >= 0 && *port <= 65535;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    long port;
    if (argc != 2 || !parse_port(argv[1], &port)) {
        fprintf(stderr, "usage: server PORT\n");
        return 2;
    }
    /* No SA_RESTART: a blocked recvfrom() must fail with EINTR so the loop can see `stop`. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    printf("listening on 127.0.0.1:%ld\n", port);

    static char buf[65536]; /* more than the largest UDP payload over IPv4 (65507 bytes) */
    while (!stop) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &len);
        if (n < 0) {
            if (errno == EINTR) continue; /* a signal: the loop condition decides */
            die("recvfrom");
        }
        /* n == 0 is an empty datagram, not a goodbye: answer it like any other. */
        for (ssize_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
        /* A failed send is that client's problem, not a reason to stop serving the others. */
        if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, len) < 0)
            fprintf(stderr, "sendto failed: %s\n", strerror(errno));
    }
    close(fd);
    printf("shutting down\n");
    return 0;
}
