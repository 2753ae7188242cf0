/*
 * power-seqpacket solution: a message echo server on the abstract SOCK_SEQPACKET socket @NAME.
 * Each message of up to 65536 bytes is answered with one message, "echo: " + the message; a
 * longer one gets "error: message longer than 65536 bytes" and the connection is closed.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 * Run:   ./server NAME
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_MESSAGE 65536

static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* One message out. On SOCK_SEQPACKET a send() sends all of it or fails: no partial writes. */
static int send_message(int fd, const char *p, size_t len) {
    ssize_t n;
    do n = send(fd, p, len, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    static const char prefix[] = "echo: ";
    char *reply = malloc(sizeof prefix - 1 + MAX_MESSAGE); /* 64 KiB: too big for comfort on a stack */
    if (reply == NULL) {
        fprintf(stderr, "malloc failed\n");
        close(fd);
        return NULL;
    }
    memcpy(reply, prefix, sizeof prefix - 1);
    char *message = reply + sizeof prefix - 1; /* receive straight after the prefix */
    for (;;) {
        struct iovec iov = {.iov_base = message, .iov_len = MAX_MESSAGE};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t n = recvmsg(fd, &msg, 0); /* one call, one whole message (or its first MAX_MESSAGE bytes) */
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            fprintf(stderr, "recvmsg failed: %s\n", strerror(errno));
            break;
        }
        if (n == 0) break; /* the peer closed (an empty message reads the same: see the lesson) */
        if (msg.msg_flags & MSG_TRUNC) { /* the kernel has already thrown the rest away */
            static const char too_long[] = "error: message longer than 65536 bytes";
            fprintf(stderr, "a message longer than %d bytes, closing\n", MAX_MESSAGE);
            send_message(fd, too_long, sizeof too_long - 1);
            break;
        }
        if (send_message(fd, reply, sizeof prefix - 1 + (size_t)n) < 0) {
            fprintf(stderr, "send failed: %s\n", strerror(errno));
            break;
        }
    }
    close(fd);
    free(reply);
    return NULL;
}

/* A failed accept() is retried: at once for EINTR/ECONNABORTED, after 5 ms doubling up to 1 s
 * when descriptors or memory ran out. */
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

/* A detached thread per client; SIGINT/SIGTERM stay blocked in it, so they interrupt accept(). */
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
    if (argc != 2 || argv[1][0] == '\0') {
        fprintf(stderr, "usage: server NAME\n");
        return 2;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(argv[1]);
    if (len > sizeof addr.sun_path - 1) {
        fprintf(stderr, "name too long (max %zu bytes)\n", sizeof addr.sun_path - 1);
        return 1;
    }
    memcpy(addr.sun_path + 1, argv[1], len); /* sun_path[0] = '\0': an abstract name */
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);

    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: accept() returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (lfd < 0) die("socket");
    if (bind(lfd, (struct sockaddr *)&addr, addr_len) < 0) die("bind");
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
    close(lfd);
    printf("shutting down\n");
    return 0;
}
