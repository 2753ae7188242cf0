/*
 * HTTP client over a Unix socket, by hand: what curl --unix-socket does.
 *
 * Shows: connect() to the socket file, writing a whole HTTP/1.1 request (the Host header is
 * required but nothing resolves it), reading the response until the server closes the
 * connection (we asked for Connection: close), then splitting status line, headers and body.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c
 * Run:   ./client /tmp/socketlab-http-uds.sock
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_RESPONSE (1024 * 1024)

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

/* Sends one request and prints "<METHOD> <path> -> <status> <body>". Returns 0 on success. */
static int request(const char *socket_path, const char *method, const char *path, const char *body) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(socket_path);
    if (len >= sizeof addr.sun_path) {
        fprintf(stderr, "socket path too long (%zu bytes, max %zu)\n", len, sizeof addr.sun_path - 1);
        return -1;
    }
    memcpy(addr.sun_path, socket_path, len + 1);

    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        fprintf(stderr, "socket failed: %s\n", strerror(errno));
        return -1;
    }
    struct timeval timeout = {.tv_sec = 5};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0 ||
        connect(fd, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1)) < 0) {
        /* ENOENT: no socket file; ECONNREFUSED: nobody listening on it. */
        fprintf(stderr, "connect to %s failed: %s\n", socket_path, strerror(errno));
        close(fd);
        return -1;
    }

    char head[512];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     method, path, strlen(body));
    if (send_all(fd, head, (size_t)n) < 0 || send_all(fd, body, strlen(body)) < 0) {
        fprintf(stderr, "sending the request failed: %s\n", strerror(errno));
        close(fd);
        return -1;
    }

    static char response[MAX_RESPONSE + 1];
    size_t used = 0;
    for (;;) { /* read until EOF: the server closes after the response */
        ssize_t got = recv(fd, response + used, MAX_RESPONSE - used, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            fprintf(stderr, "reading the response failed: %s\n", strerror(errno));
            close(fd);
            return -1;
        }
        if (got == 0 || (used += (size_t)got) == MAX_RESPONSE) break;
    }
    close(fd);
    response[used] = '\0';

    int status;
    char *body_start = strstr(response, "\r\n\r\n");
    if (sscanf(response, "HTTP/1.%*d %d", &status) != 1 || body_start == NULL) {
        fprintf(stderr, "not an HTTP response: %.40s\n", response);
        return -1;
    }
    body_start += 4;
    printf("%s %s -> %d %.*s\n", method, path, status, (int)(used - (size_t)(body_start - response)), body_start);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2) {
        fprintf(stderr, "usage: client [socket-path]\n");
        return 2;
    }
    const char *path = argc == 2 ? argv[1] : "/tmp/socketlab-http-uds.sock";
    if (request(path, "GET", "/health", "") < 0) return 1;
    if (request(path, "POST", "/echo", "hello over a unix socket") < 0) return 1;
    return 0;
}
