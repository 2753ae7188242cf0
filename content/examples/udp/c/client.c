/*
 * UDP echo client: one datagram per line of stdin, waits for the echo, retries if it is lost.
 *
 * Shows: a connected UDP socket (send/recv talk to one peer, datagrams from anyone else are
 * dropped, and "port unreachable" comes back as ECONNREFUSED), a receive timeout with poll(),
 * and why a client must match replies: after a retry, a late answer to an earlier try can arrive.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c
 * Run:   printf 'hello\nworld\n' | ./client 127.0.0.1 9090
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TRIES 3
#define TIMEOUT_MS 1000
#define MAX_DATAGRAM 65536 /* the largest UDP payload is 65507 bytes */

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* monotonic: immune to the wall clock being changed */
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static char reply[MAX_DATAGRAM];

/* Waits up to TIMEOUT_MS for the datagram "echo: <line>". Returns its length, 0 on timeout,
 * or -1 with errno set. Anything else that arrives meanwhile is a stale reply: skip it. */
static ssize_t await_echo(int fd, const char *line, size_t len) {
    long long deadline = now_ms() + TIMEOUT_MS;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, (int)left);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) return -1;
        if (ready == 0) return 0;
        ssize_t n = recv(fd, reply, sizeof reply, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1; /* ECONNREFUSED shows up here, a moment after the send */
        if ((size_t)n == len + 6 && memcmp(reply, "echo: ", 6) == 0 && memcmp(reply + 6, line, len) == 0)
            return n;
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0); /* line by line, even into a pipe */
    if (argc > 3) {
        fprintf(stderr, "usage: client [host] [port]\n");
        return 2;
    }
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    const char *port = argc > 2 ? argv[2] : "9090";

    /* IPv4 only, like the servers: connect() on UDP sends nothing, so it cannot tell us which
     * of several addresses (::1 or 127.0.0.1) has a server, the way a TCP connect would. */
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo %s:%s failed: %s\n", host, port, gai_strerror(rc));
        return 1;
    }
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd < 0) die("socket");
    /* connect() on UDP only records the peer: send() needs no address, and the kernel drops
     * datagrams from other senders and reports ICMP "port unreachable" to us as ECONNREFUSED. */
    if (connect(fd, res->ai_addr, res->ai_addrlen) < 0) die("connect");
    freeaddrinfo(res);
    printf("sending to %s:%s\n", host, port);

    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') len--; /* the datagram is the message: no '\n' */
        if (len > 0 && line[len - 1] == '\r') len--;
        ssize_t got = 0;
        const char *failed = "send"; /* the call that failed, when got < 0 */
        for (int try = 1; try <= TRIES && got == 0; try++) {
            if (send(fd, line, (size_t)len, 0) < 0) { /* a datagram goes whole or not at all */
                got = -1;
                failed = "send";
            } else {
                got = await_echo(fd, line, (size_t)len);
                failed = "receive";
            }
        }
        if (got > 0) {
            printf("%.*s\n", (int)got, reply);
        } else if (got == 0) {
            fprintf(stderr, "no reply after %d tries\n", TRIES);
        } else if (errno == ECONNREFUSED) {
            fprintf(stderr, "nothing is listening on %s:%s\n", host, port);
        } else {
            fprintf(stderr, "%s failed: %s\n", failed, strerror(errno)); /* e.g. send: EMSGSIZE, too big */
        }
    }
    if (ferror(stdin)) die("reading stdin");
    free(line);
    close(fd);
    return 0;
}
