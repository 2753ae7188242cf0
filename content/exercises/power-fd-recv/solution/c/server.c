/*
 * power-fd-recv solution: a server on the abstract Unix stream socket @NAME that receives one
 * open descriptor per connection (SCM_RIGHTS, on the byte "F"), reads it to its end and answers
 * "lines <L> bytes <B>\n": its newline count and byte count. No descriptor gets
 * "error: no descriptor\n"; more than one (or MSG_CTRUNC) gets "error: expected one descriptor\n".
 * Every descriptor that arrives is closed.
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

#define MAX_FDS 4 /* room for a few: more than one is an error we must see, and close */

static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
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

/* Receives the byte "F" and whatever descriptors came with it. Returns how many arrived (stored in
 * fds, at most MAX_FDS), or -1 on an error or EOF; *cut is set when the kernel dropped some. */
static int receive_fds(int sock, int *fds, int *cut) {
    union { char buf[CMSG_SPACE(MAX_FDS * sizeof(int))]; struct cmsghdr align; } ctl;
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    ssize_t n;
    do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
    if (n <= 0) return -1;
    int count = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t in_this = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); /* what arrived, not what we hoped */
        for (size_t i = 0; i < in_this && count < MAX_FDS; i++)
            memcpy(&fds[count++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    }
    *cut = (msg.msg_flags & MSG_CTRUNC) != 0;
    return count;
}

/* Reads fd to its end (a pipe or socket gives its data in pieces) and counts lines and bytes. */
static int count(int fd, unsigned long long *lines, unsigned long long *bytes) {
    char buf[65536];
    *lines = *bytes = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) return 0;
        *bytes += (unsigned long long)n;
        for (ssize_t i = 0; i < n; i++) *lines += buf[i] == '\n';
    }
}

static void *serve(void *arg) {
    int sock = (int)(intptr_t)arg;
    int fds[MAX_FDS], cut = 0;
    int got = receive_fds(sock, fds, &cut);
    char reply[96];
    if (got < 0) {
        reply[0] = '\0'; /* the client left without a word */
    } else if (got == 0 && !cut) {
        snprintf(reply, sizeof reply, "error: no descriptor\n");
    } else if (got > 1 || cut) {
        snprintf(reply, sizeof reply, "error: expected one descriptor\n");
    } else {
        unsigned long long lines, bytes;
        if (count(fds[0], &lines, &bytes) < 0) snprintf(reply, sizeof reply, "error: read: %s\n", strerror(errno));
        else snprintf(reply, sizeof reply, "lines %llu bytes %llu\n", lines, bytes);
    }
    for (int i = 0; i < got; i++) close(fds[i]); /* every descriptor that arrived is ours to close */
    if (reply[0] != '\0' && send_all(sock, reply, strlen(reply)) < 0) fprintf(stderr, "send failed: %s\n", strerror(errno));
    close(sock);
    return NULL;
}

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

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
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
