/*
 * Dual-stack echo client: resolves a name to every address it has, IPv6 and IPv4, and tries each.
 *
 * Shows: getaddrinfo with AF_UNSPEC (any family) and AI_ADDRCONFIG left out (a lab has only
 * loopback, which AI_ADDRCONFIG ignores), the loop over its results until one connects, printing
 * each address with getnameinfo(NI_NUMERICHOST), and freeaddrinfo. Then it prints the server's
 * greeting ("you are <ip> over IPv4|IPv6") and echoes stdin like the tcp lesson's client.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c
 * Run:   printf 'hello\nworld\n' | ./client localhost 9090
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
    if (argc > 3) {
        fprintf(stderr, "usage: client [host] [port]\n");
        return 2;
    }
    const char *host = argc > 1 ? argv[1] : "localhost";
    const char *port = argc > 2 ? argv[2] : "9090";

    /* AF_UNSPEC: IPv6 and IPv4 answers both. "localhost" gives ::1 then 127.0.0.1 here (from
     * /etc/hosts, in the order of RFC 6724's rules): try each in turn until one connects. */
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo %s:%s failed: %s\n", host, port, gai_strerror(rc));
        return 1;
    }
    int fd = -1;
    char name[NI_MAXHOST + NI_MAXSERV + 4];
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        char ip[NI_MAXHOST], serv[NI_MAXSERV];
        rc = getnameinfo(ai->ai_addr, ai->ai_addrlen, ip, sizeof ip, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV);
        if (rc != 0) {
            fprintf(stderr, "getnameinfo failed: %s\n", gai_strerror(rc));
            continue;
        }
        snprintf(name, sizeof name, ai->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s", ip, serv);
        printf("trying %s\n", name);
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        fprintf(stderr, "%s: %s\n", name, strerror(errno)); /* say why, then try the next address */
        if (fd >= 0) close(fd);
        fd = -1;
    }
    freeaddrinfo(res); /* every getaddrinfo result list is freed, also on the error paths above */
    if (fd < 0) {
        fprintf(stderr, "could not connect to %s port %s on any of its addresses\n", host, port);
        return 1;
    }
    printf("connected to %s\n", name);
    ssize_t greeting = next_line(fd); /* the server says first what it sees */
    if (greeting < 0) server_closed();
    printf("%.*s\n", (int)greeting, rbuf);
    drop_line((size_t)greeting);

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
