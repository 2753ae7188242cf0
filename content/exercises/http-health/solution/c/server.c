/*
 * http-health, reference solution: a small HTTP/1.1 server on a Unix socket, one request per
 * connection (it answers "Connection: close"). Reads the head up to the blank line, then exactly
 * Content-Length bytes of body, however many reads that takes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define HEAD_MAX 16384
#define BODY_MAX (1024 * 1024)

static int write_all(int fd, const char *buf, size_t len) {
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

static void respond(int fd, int status, const char *reason, const char *type, const char *extra, const char *body, size_t len) {
    char head[512];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n", status, reason, type, len, extra);
    if (write_all(fd, head, (size_t)n) == 0) write_all(fd, body, len);
}

static void serve(int fd) {
    static char buf[HEAD_MAX + BODY_MAX];
    size_t got = 0;
    char *end = NULL;
    while (!end) { /* read the head, up to the blank line */
        if (got == HEAD_MAX) return;
        ssize_t n = read(fd, buf + got, HEAD_MAX - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        got += (size_t)n;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    size_t head_len = (size_t)(end - buf) + 4;
    char method[16], target[1024];
    if (sscanf(buf, "%15s %1023s", method, target) != 2) {
        respond(fd, 400, "Bad Request", "text/plain", "", "bad request\n", 12);
        return;
    }
    size_t content_length = 0;
    for (char *line = strstr(buf, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "Content-Length:", 15) == 0) content_length = strtoul(line + 15, NULL, 10);
    }
    if (content_length > BODY_MAX) {
        respond(fd, 413, "Payload Too Large", "text/plain", "", "too large\n", 10);
        return;
    }
    while (got < head_len + content_length) { /* the body: exactly Content-Length bytes */
        ssize_t n = read(fd, buf + got, head_len + content_length - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        got += (size_t)n;
    }
    if (strcmp(target, "/health") == 0) {
        if (strcmp(method, "GET") == 0) respond(fd, 200, "OK", "application/json", "", "{\"status\":\"ok\"}", 15);
        else respond(fd, 405, "Method Not Allowed", "application/json", "Allow: GET\r\n", "{\"error\":\"method not allowed\"}", 30);
    } else if (strcmp(target, "/echo") == 0 && strcmp(method, "POST") == 0) {
        respond(fd, 200, "OK", "text/plain", "", buf + head_len, content_length);
    } else {
        respond(fd, 404, "Not Found", "application/json", "", "{\"error\":\"not found\"}", 21);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "%s: path too long\n", argv[1]);
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    unlink(argv[1]); /* a file left by an earlier run */
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    printf("listening on %s\n", argv[1]);
    fflush(stdout);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        serve(fd);
        close(fd);
    }
}
