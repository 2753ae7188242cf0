/*
 * socketpair() + fork() + SCM_RIGHTS: a parent hands its child an open file that has no name.
 *
 * Shows: socketpair(), a connected pair with no address, shared across fork(); sending a
 * descriptor as an SCM_RIGHTS control message with sendmsg() (it needs at least one data byte);
 * receiving it with recvmsg() and closing every descriptor that came; MSG_CTRUNC when more
 * arrive than the control buffer holds (the kernel closes those); SCM_MAX_FD per message.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o fdpass fdpass.c
 * Run:   ./fdpass
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FDS 254 /* one more than the kernel's SCM_MAX_FD, to show the limit */

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* Sends the byte 'F' with `count` descriptors attached. The union aligns the buffer for cmsghdr. */
static int send_fds(int sock, const int *fds, int count) {
    union { char buf[CMSG_SPACE(MAX_FDS * sizeof(int))]; struct cmsghdr align; } ctl;
    char byte = 'F'; /* a stream socket sends no control message without at least one data byte */
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                         .msg_controllen = CMSG_SPACE((size_t)count * sizeof(int))};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN((size_t)count * sizeof(int)); /* LEN, not SPACE: no padding counted */
    memcpy(CMSG_DATA(c), fds, (size_t)count * sizeof(int));
    ssize_t n;
    do n = sendmsg(sock, &msg, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}

/* Receives one byte with a control buffer of CMSG_SPACE(sizeof(int)); returns the first
 * descriptor that came (or -1; -2 at EOF), closes any others, and reports MSG_CTRUNC. */
static int receive_fd(int sock) {
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl;
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    ssize_t n;
    /* MSG_CMSG_CLOEXEC: a descriptor we receive is not inherited by programs we might exec. */
    do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
    if (n < 0) die("recvmsg");
    if (n == 0) return -2; /* the parent closed its end */
    int first = -1, count = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++, count++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (first < 0) first = fd;
            else close(fd); /* we asked for one: an extra descriptor would leak if kept */
        }
    }
    printf("child: %d descriptor(s) arrived%s\n", count,
           (msg.msg_flags & MSG_CTRUNC) ? "; MSG_CTRUNC: more were sent, the kernel closed those" : "");
    return first;
}

static void child(int sock) {
    int fd;
    while ((fd = receive_fd(sock)) != -2) {
        if (fd < 0) die("receiving a descriptor"); /* the parent always attaches one */
        char buf[128];
        ssize_t n = pread(fd, buf, sizeof buf, 0); /* from the start: the offset is shared with the parent */
        if (n < 0) die("pread");
        printf("child: got descriptor %d, it reads \"%.*s\"\n", fd, (int)n, buf);
        close(fd); /* ours to close: every received descriptor is a new one in this process */
        if (send(sock, "k", 1, MSG_NOSIGNAL) < 0) die("send"); /* done: the parent may go on */
    }
    printf("child: parent closed the socket, exiting\n");
}

/* Waits for the child's "k", so that the two processes' lines come out in a fixed order. */
static void wait_for_child(int sock) {
    char k;
    ssize_t n;
    do n = recv(sock, &k, 1, 0); while (n < 0 && errno == EINTR);
    if (n < 0) die("recv");
    if (n == 0) {
        fprintf(stderr, "the child closed its end early\n");
        exit(1);
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) die("socketpair");

    /* A file with no name: created, then unlinked at once. Nobody can open it by path any more. */
    char path[] = "/tmp/socketlab-fdpass-XXXXXX";
    int file = mkstemp(path);
    if (file < 0) die("mkstemp");
    if (unlink(path) < 0) die("unlink");
    static const char secret[] = "written by the parent, into a file with no name";
    if (write(file, secret, sizeof secret - 1) != (ssize_t)(sizeof secret - 1)) die("write");

    /* The kernel refuses more than SCM_MAX_FD (253) descriptors in one message. */
    int many[MAX_FDS];
    for (int i = 0; i < MAX_FDS; i++) many[i] = file;
    if (send_fds(sv[0], many, 254) == 0) {
        fprintf(stderr, "254 descriptors in one message were accepted: a kernel without SCM_MAX_FD = 253?\n");
        return 1;
    }
    printf("parent: 254 descriptors in one message: %s\n", strerror(errno));

    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) { /* each process keeps one end of the pair and closes the other */
        close(sv[0]);
        close(file);
        child(sv[1]);
        _exit(0);
    }
    close(sv[1]);
    printf("parent: sending descriptor %d of a deleted file\n", file);
    if (send_fds(sv[0], &file, 1) < 0) die("sendmsg");
    wait_for_child(sv[0]);
    /* CMSG_SPACE(sizeof(int)) is 24 bytes on x86-64: its padding fits a second int, so 2
     * descriptors still arrive whole. The third does not fit. */
    printf("parent: sending 3 descriptors in one message\n");
    if (send_fds(sv[0], many, 3) < 0) die("sendmsg");
    wait_for_child(sv[0]);
    close(file);
    close(sv[0]);
    int status;
    if (waitpid(pid, &status, 0) < 0) die("waitpid");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
