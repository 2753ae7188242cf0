/*
 * tcp-sendall, reference solution: sends every client the 8 MiB stream (line k is k zero-padded
 * to 7 digits and "\n", k = 0 .. 1048575), then closes. One thread serves every client with
 * poll() and non-blocking sockets, so a client that reads slowly never holds up another.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINES 1048576
#define LINE 8
#define TOTAL ((size_t)LINES * LINE)
#define MAX_CLIENTS 256

static char stream[TOTAL + 1]; /* + 1: snprintf's NUL after the last line */
static volatile sig_atomic_t stop;

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

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends as much of the rest of the stream as the socket takes now. Returns 1 when all is sent,
 * 0 when the buffer is full (wait for POLLOUT), -1 when the client is gone. */
static int send_some(int fd, size_t *sent) {
    while (*sent < TOTAL) {
        /* A short count is normal: the kernel took what fitted. Remember it, send the rest. */
        ssize_t n = send(fd, stream + *sent, TOTAL - *sent, MSG_NOSIGNAL);
        if (n >= 0) {
            *sent += (size_t)n;
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0; /* full: not an error */
        return -1;
    }
    return 1;
}

/* Whether to retry a failed accept() (accept(2) lists the errors that concern one connection);
 * out of descriptors or memory, the caller stops accepting for *delay_ms (5 ms doubling to 1 s). */
static int retry_accept(int err, long *delay_ms) {
    switch (err) {
    case EINTR: case EAGAIN: case ECONNABORTED: case ENETDOWN: case EPROTO: case ENOPROTOOPT:
    case EHOSTDOWN: case ENONET: case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH: case EPERM:
        return 1;
    case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM:
        *delay_ms = *delay_ms == 0 ? 5 : *delay_ms >= 500 ? 1000 : *delay_ms * 2;
        fprintf(stderr, "accept failed: %s; retrying in %ld ms\n", strerror(err), *delay_ms);
        return 1;
    default:
        return 0;
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    long port;
    if (argc != 2 || !parse_port(argv[1], &port)) {
        fprintf(stderr, "usage: server PORT\n");
        return 2;
    }
    for (long k = 0; k < LINES; k++) snprintf(stream + k * LINE, LINE + 1, "%07ld\n", k);

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (lfd < 0) die("socket");
    int one = 1;
    if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("setsockopt");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(lfd, SOMAXCONN) < 0) die("listen");
    printf("listening on 127.0.0.1:%ld\n", port);

    /* fds[0] is the listener; fds[1 .. count] the clients, sent[i] how far each has got. */
    struct pollfd fds[1 + MAX_CLIENTS];
    size_t sent[1 + MAX_CLIENTS];
    int count = 0;
    long delay_ms = 0, accept_again = 0; /* after running out of descriptors: when to accept again */
    fds[0] = (struct pollfd){.fd = lfd};
    while (!stop) {
        long wait = delay_ms > 0 ? accept_again - now_ms() : -1;
        fds[0].events = count < MAX_CLIENTS && wait <= 0 ? POLLIN : 0;
        if (poll(fds, (nfds_t)(1 + count), wait > 0 ? (int)wait : -1) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        for (int i = count; i >= 1; i--) {
            if (fds[i].revents == 0) continue;
            int done = send_some(fds[i].fd, &sent[i]);
            if (done == 0) continue; /* still POLLOUT */
            if (done < 0) fprintf(stderr, "client: send failed: %s\n", strerror(errno));
            close(fds[i].fd); /* every byte is in the kernel's hands: close() delivers it */
            fds[i] = fds[count];
            sent[i] = sent[count];
            count--;
        }
        if (!(fds[0].revents & POLLIN)) continue;
        int fd = accept(lfd, NULL, NULL); /* blocking: send() waits for the slowest client */
        if (fd < 0) {
            if (!retry_accept(errno, &delay_ms)) die("accept");
            accept_again = now_ms() + delay_ms;
            continue;
        }
        delay_ms = 0;
        size_t done = 0;
        if (send_some(fd, &done) < 0) fprintf(stderr, "client: send failed: %s\n", strerror(errno));
        close(fd);
    }
    close(lfd);
    printf("shutting down\n");
    return 0;
}
