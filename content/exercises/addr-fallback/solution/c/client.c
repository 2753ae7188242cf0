/*
 * addr-fallback, reference solution: a client that tries every address of a name.
 *
 * getaddrinfo with AF_UNSPEC returns every address of HOST, of both families (localhost: ::1,
 * then 127.0.0.1). Each gets a socket of its own family; a refused connect() moves on to the next
 * address, and only when all have failed does the client give up, with the last error. Then it
 * sends "hello\n", prints the server's answer line and exits 0.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c
 * Run:   ./client localhost 9090
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* send() may write fewer bytes than asked: loop until all are out. */
static void send_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("send");
        p += n;
        len -= (size_t)n;
    }
}

/* Tries each address in turn; returns a connected socket, or -1 with errno from the last try. */
static int connect_any(const struct addrinfo *list) {
    int err = 0;
    for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) return fd;
        err = errno;
        char host[NI_MAXHOST] = "?";
        getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, NULL, 0, NI_NUMERICHOST);
        fprintf(stderr, "%s: %s, trying the next address\n", host, strerror(err));
        if (fd >= 0) close(fd);
    }
    errno = err;
    return -1;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 3) {
        fprintf(stderr, "usage: client HOST PORT\n");
        return 2;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *list;
    int rc = getaddrinfo(argv[1], argv[2], &hints, &list);
    if (rc != 0) { /* not errno: getaddrinfo has its own error codes */
        fprintf(stderr, "getaddrinfo %s %s failed: %s\n", argv[1], argv[2], gai_strerror(rc));
        return 1;
    }
    int fd = connect_any(list);
    int err = errno;
    freeaddrinfo(list);
    if (fd < 0) {
        fprintf(stderr, "could not connect to %s port %s: %s\n", argv[1], argv[2], strerror(err));
        return 1;
    }
    send_all(fd, "hello\n", 6);
    char line[4096];
    size_t used = 0;
    for (;;) { /* a reply may come in pieces: read up to its '\n' */
        ssize_t n = recv(fd, line + used, sizeof line - 1 - used, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("recv");
        if (n == 0 || (used += (size_t)n) == sizeof line - 1) break;
        if (memchr(line, '\n', used) != NULL) break;
    }
    char *nl = memchr(line, '\n', used);
    if (nl == NULL) {
        fprintf(stderr, "the server closed the connection before a whole line\n");
        return 1;
    }
    printf("%.*s\n", (int)(nl - line), line);
    close(fd);
    return 0;
}
