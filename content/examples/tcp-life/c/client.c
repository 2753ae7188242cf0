/*
 * A TCP connection's life, seen from the client: the tcp lesson's line client, which says how the
 * connection ended. Type `close` or `reset` to make the server end it (see server.c).
 *
 *   the server sent a FIN   read() returns 0: "server closed the connection: end of stream (FIN)"
 *   the server sent a RST   read() fails with ECONNRESET: "server reset the connection: ECONNRESET (RST)"
 *   end of our input        we half-close first, read to the server's FIN and close: this side
 *                           sent the first FIN, so it is the one in TIME_WAIT (`ss -tan`)
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c
 * Run:   printf 'hello\nworld\n' | ./client 127.0.0.1 9090
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_REPLY (65536 + 8) /* "echo: " + the longest legal line + '\n' */

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* How the server ended the connection is what this client is for: report it and exit 0. */
static void server_closed(void) {
    printf("server closed the connection: end of stream (FIN)\n");
    exit(0);
}

static void server_reset(void) {
    printf("server reset the connection: ECONNRESET (RST)\n");
    exit(0);
}

/* send() may write fewer bytes than asked: loop until all are out. MSG_NOSIGNAL turns a write
 * to a closed connection into an EPIPE error instead of a fatal SIGPIPE. */
static int send_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Bytes received but not yet handed out: a read can end mid-line or hold several lines. */
static char rbuf[MAX_REPLY];
static size_t rlen;

/* Reads until rbuf holds a whole line; returns its length (without '\n'), or -1 at EOF. */
static ssize_t next_line(int fd) {
    for (;;) {
        char *nl = memchr(rbuf, '\n', rlen);
        if (nl != NULL) return nl - rbuf;
        if (rlen == sizeof rbuf) {
            fprintf(stderr, "reply line too long\n");
            exit(1);
        }
        ssize_t n = recv(fd, rbuf + rlen, sizeof rbuf - rlen, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ECONNRESET) server_reset();
        if (n < 0) die("recv");
        if (n == 0) return -1;
        rlen += (size_t)n;
    }
}

/* Forgets the line of length len (and its '\n') at the start of rbuf. */
static void drop_line(size_t len) {
    rlen -= len + 1;
    memmove(rbuf, rbuf + len + 1, rlen);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0); /* line by line, even into a pipe */
    if (argc > 3) {
        fprintf(stderr, "usage: client [host] [port]\n");
        return 2;
    }
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    const char *port = argc > 2 ? argv[2] : "9090";

    /* A name may resolve to several addresses (localhost: ::1 and 127.0.0.1): try each in turn. */
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo %s:%s failed: %s\n", host, port, gai_strerror(rc));
        return 1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        err = errno; /* remember why, then try the next address */
        if (fd >= 0) close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "connect to %s:%s failed: %s\n", host, port, strerror(err));
        return 1;
    }
    /* Our own address: the kernel picked the port (an ephemeral port); ss shows it. */
    struct sockaddr_storage own;
    socklen_t olen = sizeof own;
    char own_host[NI_MAXHOST], own_port[NI_MAXSERV];
    if (getsockname(fd, (struct sockaddr *)&own, &olen) < 0) die("getsockname");
    rc = getnameinfo((struct sockaddr *)&own, olen, own_host, sizeof own_host, own_port, sizeof own_port,
                     NI_NUMERICHOST | NI_NUMERICSERV);
    if (rc != 0) {
        fprintf(stderr, "getnameinfo failed: %s\n", gai_strerror(rc));
        return 1;
    }
    printf("connected to %s:%s from %s:%s\n", host, port, own_host, own_port);

    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') len--;
        if (len > 0 && line[len - 1] == '\r') len--;
        line[len] = '\n'; /* safe: getline's buffer always has room for the line and a NUL */
        if (send_all(fd, line, (size_t)len + 1) < 0) {
            if (errno == EPIPE || errno == ECONNRESET) server_reset(); /* EPIPE: a RST came earlier */
            die("send");
        }
        ssize_t n = next_line(fd); /* one reply per line: wait for it before sending more */
        if (n < 0) server_closed();
        printf("%.*s\n", (int)n, rbuf);
        drop_line((size_t)n);
    }
    if (ferror(stdin)) die("reading stdin");
    free(line);

    /* Half-close: the server reads EOF (we have nothing more to say), but we can still receive.
     * Waiting for the server's own EOF means it has seen and answered everything we sent. */
    if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
    char tail[4096];
    ssize_t n;
    while ((n = recv(fd, tail, sizeof tail, 0)) != 0) {
        if (n < 0 && errno == ECONNRESET) server_reset();
        if (n < 0 && errno != EINTR) die("recv");
    }
    close(fd);
    printf("we closed first: this side is in TIME_WAIT now\n");
    return 0;
}
