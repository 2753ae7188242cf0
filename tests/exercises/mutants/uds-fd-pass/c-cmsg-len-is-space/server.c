/*
 * MUTANT (a wrong program the checker must fail): sets cmsg_len to CMSG_SPACE(sizeof(int)), so the kernel reads the zeroed padding as a second descriptor (0).
 *
 * uds-fd-pass (a mutant of the reference solution): hands every client an open descriptor of a file the client
 * may not open itself (SCM_RIGHTS).
 *
 * For each connection: open FILE read-only, send one byte "F" with the descriptor in an
 * SCM_RIGHTS control message, close our copy, close the connection. The client receives a new
 * descriptor of the same open file: permissions were checked once, at our open(), against us.
 * Nothing here waits for the client (one byte into an empty socket buffer never blocks), so one
 * thread serves everybody in turn.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 * Run:   ./server /tmp/fd-pass.sock ~/secret.txt
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop; /* set by the signal handler, read by the main loop */

static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* Sends the byte "F" with `fd` attached. A control message travels with data: a sendmsg() of
 * zero bytes on a stream socket sends nothing at all, descriptor included. */
static int send_fd(int sock, int fd) {
    char byte = 'F';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union { /* a buffer aligned for a struct cmsghdr */
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof control.buf, /* CMSG_SPACE: the header, the data and padding */
    };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_SPACE(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    for (;;) {
        ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        return n == 1 ? 0 : -1;
    }
}

static void serve(int sock, unsigned long id, const char *file) {
    int fd = open(file, O_RDONLY); /* a fresh open per client: its own file offset */
    if (fd < 0) {
        fprintf(stderr, "client #%lu: open %s failed: %s\n", id, file, strerror(errno));
        return;
    }
    if (send_fd(sock, fd) < 0) fprintf(stderr, "client #%lu: sendmsg failed: %s\n", id, strerror(errno));
    else printf("client #%lu: sent a descriptor of %s\n", id, file);
    close(fd); /* only after sendmsg: the client now holds its own reference to the open file */
}

/* accept(2)'s passing errors are retried; after running out of descriptors or memory, wait first
 * (5 ms, doubling up to 1 s) so the loop does not spin while the shortage lasts. */
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

/* A socket file nobody answers on is left by a crashed server: remove it; never a live one. */
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
    if (argc != 3) {
        fprintf(stderr, "usage: server SOCKET FILE\n");
        return 2;
    }
    const char *file = argv[2];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "socket path too long (max %zu bytes)\n", sizeof addr.sun_path - 1);
        return 1;
    }
    strcpy(addr.sun_path, argv[1]);

    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: accept() returns EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");

    remove_stale(&addr);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (chmod(addr.sun_path, 0660) < 0) die("chmod"); /* the group may connect */
    if (listen(lfd, SOMAXCONN) < 0) die("listen");
    printf("listening on %s\n", addr.sun_path);

    unsigned long clients = 0;
    long delay_ms = 0;
    while (!stop) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (retry_accept(errno, &delay_ms)) continue;
            die("accept");
        }
        delay_ms = 0;
        serve(fd, ++clients, file);
        close(fd);
    }
    close(lfd);
    if (unlink(addr.sun_path) < 0) die("unlink");
    printf("shutting down\n");
    return 0;
}
