/*
 * tcp-frames, reference solution: length-prefixed frames over TCP. Each frame is a 4-byte
 * big-endian length N (at most 65536) and N bytes; the answer is a frame of the bytes reversed.
 * One thread per client, so a slow or silent client never holds up the others; SIGINT or SIGTERM
 * stops it cleanly.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME 65536

static volatile sig_atomic_t stop; /* set by the signal handler, read by the accept loop */

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

/* Reads exactly `len` bytes. Returns 1 when done, 0 on end of stream or error. */
static int read_full(int fd, unsigned char *buf, size_t len) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        got += (size_t)n;
    }
    return 1;
}

/* send() may write fewer bytes than asked: loop until all are out. MSG_NOSIGNAL: a client that
 * has gone gives EPIPE instead of killing the whole server with SIGPIPE. */
static int send_all(int fd, const unsigned char *p, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* One client's frames until it closes, sends a bad length or fails. */
static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    unsigned char *in = malloc(MAX_FRAME), *out = malloc(4 + MAX_FRAME);
    while (in && out) {
        uint32_t be;
        if (!read_full(fd, (unsigned char *)&be, 4)) break;
        uint32_t n = ntohl(be);
        if (n > MAX_FRAME) break; /* refuse: close without reading the payload */
        if (!read_full(fd, in, n)) break;
        memcpy(out, &be, 4);
        for (uint32_t i = 0; i < n; i++) out[4 + i] = in[n - 1 - i];
        if (send_all(fd, out, 4 + (size_t)n) < 0) break;
    }
    free(in);
    free(out);
    close(fd);
    return NULL;
}

/* Whether to retry a failed accept(): the errors accept(2) lists for one connection; out of
 * descriptors or memory, after a pause of 5 ms doubling up to 1 s, so the loop does not spin. */
static int retry_accept(int err, long *delay_ms) {
    switch (err) {
    case EINTR: case ECONNABORTED: case ENETDOWN: case EPROTO: case ENOPROTOOPT: case EHOSTDOWN:
    case ENONET: case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH: case EPERM:
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

/* Starts a detached thread for fd with SIGINT/SIGTERM blocked in it: they reach main's accept(). */
static int start_worker(int fd) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_t tid;
    int err = pthread_sigmask(SIG_BLOCK, &block, &old);
    if (err == 0) {
        err = pthread_create(&tid, NULL, serve, (void *)(intptr_t)fd);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (err == 0) err = pthread_detach(tid);
    return err;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    long port;
    if (argc != 2 || !parse_port(argv[1], &port)) {
        fprintf(stderr, "usage: server PORT\n");
        return 2;
    }
    /* No SA_RESTART: a blocked accept() must fail with EINTR so the loop can see `stop`. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    int one = 1;
    if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("setsockopt");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(lfd, SOMAXCONN) < 0) die("listen");
    printf("listening on 127.0.0.1:%ld\n", port);

    long delay_ms = 0;
    while (!stop) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (retry_accept(errno, &delay_ms)) continue;
            die("accept");
        }
        delay_ms = 0;
        int err = start_worker(fd);
        if (err != 0) {
            fprintf(stderr, "starting a thread failed: %s\n", strerror(err));
            close(fd);
        }
    }
    close(lfd); /* open connections end when the process exits */
    printf("shutting down\n");
    return 0;
}
