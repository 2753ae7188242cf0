/*
 * UDP echo server: answers every datagram with "echo: <text>", sent back to whoever sent it.
 *
 * Shows: a datagram socket needs no listen/accept (one socket serves every client),
 * recvfrom() tells you who sent each datagram and sendto() answers that address, every
 * datagram arrives whole (or not at all), and an empty datagram is a real message.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 * Run:   ./server 9090        then, in another terminal: ./client 127.0.0.1 9090
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The largest UDP payload over IPv4 is 65507 bytes, so a 64 KiB buffer never cuts one short. */
#define MAX_DATAGRAM 65536

static volatile sig_atomic_t stop; /* set by the signal handler, read by the main loop */

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
    setvbuf(stdout, NULL, _IOLBF, 0); /* line by line, even into a pipe */
    long port = 9090;
    if (argc > 2 || (argc == 2 && !parse_port(argv[1], &port))) {
        fprintf(stderr, "usage: server [port]\n");
        return 2;
    }

    /* No SA_RESTART: a blocked recvfrom() must fail with EINTR so the loop can see `stop`. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1: reachable from this machine only */
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    socklen_t alen = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &alen) < 0) die("getsockname"); /* port 0 -> real port */
    printf("listening on 127.0.0.1:%u\n", ntohs(addr.sin_port));

    static const char prefix[] = "echo: ";
    static char reply[sizeof prefix - 1 + MAX_DATAGRAM];
    char *text = reply + sizeof prefix - 1; /* receive straight after the prefix: no copy */
    memcpy(reply, prefix, sizeof prefix - 1);

    while (!stop) {
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        /* One call, one whole datagram: no loop to reassemble anything, unlike a stream. */
        ssize_t n = recvfrom(fd, text, MAX_DATAGRAM, 0, (struct sockaddr *)&from, &flen);
        if (n < 0) {
            if (errno == EINTR) continue; /* a signal: the loop condition decides */
            die("recvfrom");
        }
        char ip[INET_ADDRSTRLEN] = "?";
        if (inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip) == NULL)
            fprintf(stderr, "inet_ntop failed: %s\n", strerror(errno));
        printf("from %s:%u: \"%.*s\" (%zd bytes)\n", ip, ntohs(from.sin_port), (int)n, text, n);

        /* The reply is one datagram too: it arrives whole, with no newline needed to end it.
         * A failed send is that client's problem (e.g. a reply too big for UDP), not ours. */
        size_t rlen = sizeof prefix - 1 + (size_t)n;
        if (sendto(fd, reply, rlen, 0, (struct sockaddr *)&from, flen) < 0)
            fprintf(stderr, "sendto %s:%u failed: %s\n", ip, ntohs(from.sin_port), strerror(errno));
    }
    close(fd);
    printf("shutting down\n");
    return 0;
}
