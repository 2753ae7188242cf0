/*
 * uds-abstract, reference solution: a line server on the abstract Unix socket @NAME.
 * "PING" -> "PONG", anything else -> "ERR unknown command". Abstract names live in the network
 * namespace, not the filesystem: nothing to unlink, nothing left behind. One thread per client;
 * SIGINT or SIGTERM stops it cleanly.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
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
#include <time.h>
#include <unistd.h>

#define MAX_LINE 65536

static volatile sig_atomic_t stop; /* set by the signal handler, read by the accept loop */

static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

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

/* Starts a detached thread for fd with SIGINT/SIGTERM blocked in it: they reach main's accept(). */
static int start_worker(int fd) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_t tid;
    int err = pthread_sigmask(SIG_BLOCK, &block, &old);
    if (err == 0) {
        err = pthread_create(&tid, NULL, serve, (void *)(intptr_t)fd);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (err == 0) err = pthread_detach(tid);
    return err;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: server NAME\n");
        return 2;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(argv[1]);
    if (len + 1 > sizeof addr.sun_path) {
        fprintf(stderr, "name too long (max %zu bytes)\n", sizeof addr.sun_path - 1);
        return 2;
    }
    addr.sun_path[0] = '\0'; /* abstract: a NUL byte, then the name, no terminator */
    memcpy(addr.sun_path + 1, argv[1], len);
    socklen_t addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);

    /* stdio writes to a client that reset the connection: EPIPE, not a SIGPIPE that kills us all. */
    signal(SIGPIPE, SIG_IGN);
    /* No SA_RESTART: a blocked accept() must fail with EINTR so the loop can see `stop`. */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    if (bind(lfd, (struct sockaddr *)&addr, addrlen) < 0) die("bind");
    if (listen(lfd, SOMAXCONN) < 0) die("listen");
    printf("listening on @%s\n", argv[1]);

    long delay_ms = 0;
    while (!stop) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (retry_accept(errno, &delay_ms)) continue;
            die("accept");
        }
        delay_ms = 0;
        int err = start_worker(fd);
        if (err != 0) {
            fprintf(stderr, "starting a thread failed: %s\n", strerror(err));
            close(fd);
        }
    }
    close(lfd); /* the name is free again: there is no file to remove */
    printf("shutting down\n");
    return 0;
}
