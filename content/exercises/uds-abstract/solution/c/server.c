/*
 * uds-abstract, reference solution: a line server on the abstract Unix socket @NAME.
 * "PING" -> "PONG", anything else -> "ERR unknown command". Abstract names live in the network
 * namespace, not the filesystem: nothing to unlink, nothing left behind. One thread per client.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_LINE 65536

/* Answers one client's lines until it closes; a line over MAX_LINE bytes closes the connection. */
static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    FILE *in = fdopen(fd, "r");
    int out_fd = in ? dup(fd) : -1;
    FILE *out = out_fd >= 0 ? fdopen(out_fd, "w") : NULL;
    /* Room for the longest valid line, its newline and the NUL: a bounded buffer, so a client
     * that never sends a newline cannot make us allocate without end. */
    char *line = malloc(MAX_LINE + 2);
    while (line && in && out && fgets(line, MAX_LINE + 2, in)) {
        size_t n = strlen(line);
        if (n == MAX_LINE + 1 && line[n - 1] != '\n') break; /* too long: say nothing more */
        line[strcspn(line, "\r\n")] = '\0';
        fputs(strcmp(line, "PING") == 0 ? "PONG\n" : "ERR unknown command\n", out);
        if (fflush(out) != 0) break;
    }
    free(line);
    if (out) fclose(out);
    else if (out_fd >= 0) close(out_fd);
    if (in) fclose(in);
    else close(fd);
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
        fprintf(stderr, "usage: %s NAME\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    size_t len = strlen(argv[1]);
    if (len + 1 > sizeof addr.sun_path) {
        fprintf(stderr, "name too long\n");
        return 2;
    }
    addr.sun_path[0] = '\0'; /* abstract: a NUL byte, then the name, no terminator */
    memcpy(addr.sun_path + 1, argv[1], len);
    socklen_t addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) { perror("socket"); return 1; }
    if (bind(lfd, (struct sockaddr *)&addr, addrlen) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 16) < 0) { perror("listen"); return 1; }
    printf("listening on @%s\n", argv[1]);
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
