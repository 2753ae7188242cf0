/*
 * tcp-frames, reference solution: length-prefixed frames over TCP. Each frame is a 4-byte
 * big-endian length N (at most 65536) and N bytes; the answer is a frame of the bytes reversed.
 * One thread per client, so a slow or silent client never holds up the others.
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
#include <unistd.h>

#define MAX_FRAME 65536

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

static int write_all(int fd, const unsigned char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
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
        if (write_all(fd, out, 4 + (size_t)n) < 0) break;
    }
    free(in);
    free(out);
    close(fd);
    return NULL;
}

/* Whether to retry a failed accept(): accept(2) lists errors that concern one connection, and
 * running out of descriptors or memory passes once clients leave. Then wait first, 5 ms doubling
 * up to 1 s (as Go's net/http does), so the loop does not spin; die only on a bug (EBADF...). */
static int retry_accept(int err, long *delay_ms) {
    switch (err) {
    case EINTR: case ECONNABORTED:
    case ENETDOWN: case EPROTO: case ENOPROTOOPT: case EHOSTDOWN: case ENONET:
    case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH: case EPERM:
        return 1;
    case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM:
        *delay_ms = *delay_ms == 0 ? 5 : *delay_ms >= 500 ? 1000 : *delay_ms * 2;
        fprintf(stderr, "accept failed: %s; retrying in %ld ms\n", strerror(err), *delay_ms);
        usleep((useconds_t)(*delay_ms * 1000));
        return 1;
    default:
        return 0;
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    printf("listening on 127.0.0.1:%s\n", argv[1]);
    fflush(stdout);
    long delay_ms = 0;
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (retry_accept(errno, &delay_ms)) continue;
            perror("accept");
            return 1;
        }
        delay_ms = 0;
        pthread_t tid;
        if (pthread_create(&tid, NULL, serve, (void *)(intptr_t)fd) != 0) {
            fprintf(stderr, "pthread_create failed: dropping a client\n");
            close(fd);
            continue;
        }
        pthread_detach(tid);
    }
}
