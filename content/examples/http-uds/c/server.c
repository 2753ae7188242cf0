/*
 * HTTP over a Unix socket, by hand: a minimal HTTP/1.1 server on a socket file.
 *
 * Shows what an HTTP library does for you: read the request head up to the blank line (however
 * the bytes arrive), parse the request line and Content-Length, read exactly that many body
 * bytes, answer with a status line, headers and body, and close (Connection: close keeps it
 * simple). One connection at a time, each with a 5 s read timeout so a silent client cannot
 * block the others for long. A real program would use a library (libmicrohttpd, or Go, or Node).
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 * Run:   ./server /tmp/socketlab-http-uds.sock
 * Try:   curl --unix-socket /tmp/socketlab-http-uds.sock http://localhost/health
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_HEAD 16384
#define MAX_BODY (1024 * 1024)

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

static socklen_t unix_address(struct sockaddr_un *addr, const char *path) {
    size_t len = strlen(path);
    if (len >= sizeof addr->sun_path) {
        fprintf(stderr, "socket path too long (%zu bytes, max %zu)\n", len, sizeof addr->sun_path - 1);
        exit(2);
    }
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    memcpy(addr->sun_path, path, len + 1);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

/* A socket file nobody listens on is stale: remove it. Refuse to touch anything else. */
static void remove_stale(const char *path) {
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT) return;
        die("lstat");
    }
    if (!S_ISSOCK(st.st_mode)) {
        fprintf(stderr, "%s exists and is not a socket; not removing it\n", path);
        exit(1);
    }
    int probe = socket(AF_UNIX, SOCK_STREAM, 0);
    if (probe < 0) die("socket");
    struct sockaddr_un addr;
    socklen_t len = unix_address(&addr, path);
    int live = connect(probe, (struct sockaddr *)&addr, len) == 0;
    int err = errno;
    close(probe);
    if (live) {
        fprintf(stderr, "another server is already listening on %s\n", path);
        exit(1);
    }
    if (err != ECONNREFUSED) {
        fprintf(stderr, "cannot check %s: %s\n", path, strerror(err));
        exit(1);
    }
    if (unlink(path) < 0) die("unlink");
    printf("removed stale socket file %s\n", path);
}

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

static void respond(int fd, int status, const char *type, const char *body, size_t body_len) {
    const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : status == 413 ? "Payload Too Large" : "Bad Request";
    char head[256];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, reason, type, body_len);
    if (send_all(fd, head, (size_t)n) < 0 || send_all(fd, body, body_len) < 0)
        fprintf(stderr, "sending the response failed: %s\n", strerror(errno));
}

/* Reads one request from fd and answers it. Returns the status sent (for the log). */
static int serve(int fd, char *method, size_t method_size, char *path, size_t path_size) {
    static char buf[MAX_HEAD + MAX_BODY];
    size_t used = 0;
    char *end_of_head = NULL;
    /* The head ends at the first blank line; it may arrive in any number of pieces. */
    while (end_of_head == NULL) {
        if (used == MAX_HEAD) return respond(fd, 400, "text/plain", "request head too large\n", 23), 400;
        ssize_t n = recv(fd, buf + used, MAX_HEAD - used, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0; /* EOF, error or timeout before a whole request: nothing to answer */
        used += (size_t)n;
        buf[used] = '\0';
        end_of_head = strstr(buf, "\r\n\r\n");
    }
    char version[16];
    char fmt[32];
    snprintf(fmt, sizeof fmt, "%%%zus %%%zus %%15s", method_size - 1, path_size - 1);
    if (sscanf(buf, fmt, method, path, version) != 3) return respond(fd, 400, "text/plain", "bad request line\n", 17), 400;

    size_t content_length = 0;
    for (char *line = strstr(buf, "\r\n") + 2; line < end_of_head; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "Content-Length:", 15) == 0) content_length = strtoul(line + 15, NULL, 10);
    }
    if (content_length > MAX_BODY) return respond(fd, 413, "text/plain", "request body too large\n", 23), 413;

    /* Body bytes may already be in buf after the head; read the rest. */
    char *body = end_of_head + 4;
    size_t have = used - (size_t)(body - buf);
    while (have < content_length) {
        ssize_t n = recv(fd, body + have, content_length - have, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        have += (size_t)n;
    }

    char *query = strchr(path, '?');
    if (query) *query = '\0'; /* route on the path alone */
    if (strcmp(method, "GET") == 0 && strcmp(path, "/health") == 0) {
        respond(fd, 200, "application/json", "{\"status\":\"ok\"}", 15);
        return 200;
    }
    if (strcmp(method, "POST") == 0 && strcmp(path, "/echo") == 0) {
        respond(fd, 200, "text/plain", body, content_length);
        return 200;
    }
    respond(fd, 404, "text/plain", "not found\n", 10);
    return 404;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2) {
        fprintf(stderr, "usage: server [socket-path]\n");
        return 2;
    }
    const char *path = argc == 2 ? argv[1] : "/tmp/socketlab-http-uds.sock";

    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: accept() returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    struct sockaddr_un addr;
    socklen_t addr_len = unix_address(&addr, path);
    remove_stale(path);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    if (bind(lfd, (struct sockaddr *)&addr, addr_len) < 0) die("bind");
    if (listen(lfd, SOMAXCONN) < 0) die("listen");
    printf("listening on %s\n", path);

    while (!stop) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            die("accept");
        }
        struct timeval timeout = {.tv_sec = 5};
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0)
            fprintf(stderr, "setsockopt failed: %s\n", strerror(errno));
        char method[16] = "", target[2048] = "";
        int status = serve(fd, method, sizeof method, target, sizeof target);
        if (status != 0) printf("%s %s -> %d\n", method, target, status);
        close(fd);
    }
    close(lfd);
    if (unlink(path) < 0) die("unlink"); /* the file outlives the socket unless we remove it */
    printf("shutting down\n");
    return 0;
}
