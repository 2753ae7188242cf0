/*
 * http-health, reference solution: a small HTTP/1.1 server on a Unix socket, one request per
 * connection (it answers "Connection: close"). Reads the head up to the blank line, then exactly
 * Content-Length bytes of body, however many reads that takes. Every connection has a thread of
 * its own and a 5 s receive timeout, so a slow or silent client holds up nobody else. A file at
 * the path is removed only when nobody listens there, and SIGINT/SIGTERM remove ours.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX 16384
#define BODY_MAX (1024 * 1024)

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* MSG_NOSIGNAL: a client that left gives EPIPE here instead of killing the server with SIGPIPE. */
static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The answer to a HEAD request has the headers of the full answer, and no body. */
static void respond(int fd, const char *method, int status, const char *reason, const char *type, const char *extra, const char *body, size_t len) {
    char head[512];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n", status, reason, type, len, extra);
    if (write_all(fd, head, (size_t)n) == 0 && strcmp(method, "HEAD") != 0) write_all(fd, body, len);
}

/* Answers one request; buf holds HEAD_MAX + BODY_MAX + 1 bytes. */
static void serve(int fd, char *buf) {
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
        respond(fd, "", 400, "Bad Request", "text/plain", "", "bad request\n", 12);
        return;
    }
    size_t content_length = 0;
    for (char *line = strstr(buf, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "Content-Length:", 15) == 0) content_length = strtoul(line + 15, NULL, 10);
    }
    if (content_length > BODY_MAX) {
        respond(fd, method, 413, "Payload Too Large", "text/plain", "", "too large\n", 10);
        return;
    }
    while (got < head_len + content_length) { /* the body: exactly Content-Length bytes */
        ssize_t n = read(fd, buf + got, head_len + content_length - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        got += (size_t)n;
    }
    if (strcmp(target, "/health") == 0) {
        if (strcmp(method, "GET") == 0) respond(fd, method, 200, "OK", "application/json", "", "{\"status\":\"ok\"}", 15);
        else respond(fd, method, 405, "Method Not Allowed", "application/json", "Allow: GET\r\n", "{\"error\":\"method not allowed\"}", 30);
    } else if (strcmp(target, "/echo") == 0 && strcmp(method, "POST") == 0) {
        respond(fd, method, 200, "OK", "text/plain", "", buf + head_len, content_length);
    } else {
        respond(fd, method, 404, "Not Found", "application/json", "", "{\"error\":\"not found\"}", 21);
    }
}

static void *worker(void *arg) {
    int fd = (int)(long)arg;
    char *buf = malloc(HEAD_MAX + BODY_MAX + 1);
    if (buf) serve(fd, buf);
    else fprintf(stderr, "out of memory; closing a connection\n");
    free(buf);
    close(fd);
    return NULL;
}

/* Whether to retry a failed accept(): a signal, or a client that gave up while it waited; out of
 * descriptors or memory, after a pause of 5 ms doubling up to 1 s, so the loop does not spin. */
static int retry_accept(int err, long *delay_ms) {
    switch (err) {
    case EINTR: case ECONNABORTED:
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

/* Block SIGINT/SIGTERM in the new thread: only the main thread's accept() must see them. */
static int start_worker(int fd) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_t tid;
    int err = pthread_sigmask(SIG_BLOCK, &block, &old);
    if (err == 0) {
        err = pthread_create(&tid, NULL, worker, (void *)(long)fd);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (err == 0) err = pthread_detach(tid);
    return err;
}

/* Remove the file only when it is a socket nobody listens on (connect refused). */
static void remove_stale(const struct sockaddr_un *addr) {
    struct stat st;
    if (lstat(addr->sun_path, &st) < 0) {
        if (errno == ENOENT) return;
        die("lstat");
    }
    if (!S_ISSOCK(st.st_mode)) {
        fprintf(stderr, "%s exists and is not a socket; not removing it\n", addr->sun_path);
        exit(1);
    }
    int probe = socket(AF_UNIX, SOCK_STREAM, 0);
    if (probe < 0) die("socket");
    int rc = connect(probe, (const struct sockaddr *)addr, sizeof *addr);
    int err = errno;
    close(probe);
    if (rc == 0) {
        fprintf(stderr, "another server is already listening on %s\n", addr->sun_path);
        exit(1);
    }
    if (err != ECONNREFUSED) {
        errno = err;
        die("connect (checking the old socket file)");
    }
    if (unlink(addr->sun_path) < 0) die("unlink");
    printf("removed stale socket file %s\n", addr->sun_path);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "socket path too long (max %zu bytes)\n", sizeof addr.sun_path - 1);
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: accept() returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0) die("sigaction");

    remove_stale(&addr);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(lfd, SOMAXCONN) < 0) { perror("listen"); unlink(argv[1]); return 1; }
    printf("listening on %s\n", argv[1]);

    long delay_ms = 0;
    while (!stopping) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (retry_accept(errno, &delay_ms)) continue;
            perror("accept");
            break;
        }
        delay_ms = 0;
        /* A client that stops sending gives up its thread after 5 s instead of holding it forever. */
        struct timeval timeout = { .tv_sec = 5 };
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) < 0) perror("setsockopt");
        if (start_worker(fd) != 0) {
            fprintf(stderr, "cannot start a thread; closing that connection\n");
            close(fd);
        }
    }
    close(lfd);
    unlink(argv[1]); /* nothing removes the file for us */
    printf("shutting down\n");
    return stopping ? 0 : 1;
}
