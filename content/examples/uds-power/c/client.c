/*
 * Line echo client for an abstract Unix socket name: sends each line of stdin, prints the reply.
 *
 * Shows: connecting to "@name" (sun_path "\0name", with the exact address length); the rest is
 * the uds-stream client: complete writes, replies read line by line, half-close at end of input.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c
 * Run:   printf 'hello\nworld\n' | ./client @socketlab-uds-power
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_REPLY (65536 + 8) /* "echo: " + the longest legal line + '\n' */
#define DEFAULT_NAME "@socketlab-uds-power"

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

static void server_closed(void) {
    fprintf(stderr, "server closed the connection\n");
    exit(1);
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
    if (argc > 2) {
        fprintf(stderr, "usage: client [@name]\n");
        return 2;
    }
    const char *name = argc > 1 ? argv[1] : DEFAULT_NAME;
    if (name[0] != '@' || name[1] == '\0') {
        fprintf(stderr, "usage: client [@name] (an abstract name, e.g. @socketlab-uds-power)\n");
        return 2;
    }

    /* "@name" becomes sun_path = "\0name"; the address length says where the name ends. */
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t nlen = strlen(name);
    if (nlen > sizeof addr.sun_path) {
        fprintf(stderr, "abstract name too long (max %zu bytes after the @)\n", sizeof addr.sun_path - 1);
        return 1;
    }
    memcpy(addr.sun_path + 1, name + 1, nlen - 1);
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + nlen);

    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    /* No file to find: a name nobody holds gives ECONNREFUSED, never ENOENT. */
    if (connect(fd, (struct sockaddr *)&addr, addr_len) < 0) {
        fprintf(stderr, "connect to %s failed: %s\n", name, strerror(errno));
        close(fd);
        return 1;
    }
    printf("connected to %s\n", name);

    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') len--;
        if (len > 0 && line[len - 1] == '\r') len--;
        line[len] = '\n'; /* safe: getline's buffer always has room for the line and a NUL */
        if (send_all(fd, line, (size_t)len + 1) < 0) {
            if (errno == EPIPE || errno == ECONNRESET) server_closed();
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
        if (n < 0 && errno != EINTR) die("recv");
    }
    close(fd);
    return 0;
}
