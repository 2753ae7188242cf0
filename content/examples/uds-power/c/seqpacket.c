/*
 * SOCK_SEQPACKET: a connection that keeps message boundaries. One process plays both ends.
 *
 * Shows: listen/accept/connect work as for a stream, but each send() is one message and each
 * recv() returns at most one; a message longer than the receive buffer is cut (recvmsg sets
 * MSG_TRUNC) and its rest is discarded, not kept for the next read; an empty message reads as 0
 * bytes, exactly like the end of the connection, so the receiver cannot tell the two apart.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o seqpacket seqpacket.c
 * Run:   ./seqpacket
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* One message out: on SOCK_SEQPACKET a send() is all or nothing, never a partial write. */
static void send_message(int fd, const char *text) {
    ssize_t n;
    do n = send(fd, text, strlen(text), MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    if (n < 0) die("send");
}

/* One message in, into a buffer of `room` bytes; says whether the kernel had to cut it. */
static void receive_message(int fd, size_t room) {
    char buf[64];
    struct iovec iov = {.iov_base = buf, .iov_len = room};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n;
    do n = recvmsg(fd, &msg, 0); while (n < 0 && errno == EINTR);
    if (n < 0) die("recvmsg");
    printf("recv into %zu bytes: %zd bytes \"%.*s\"%s\n", room, n, (int)n, buf,
           (msg.msg_flags & MSG_TRUNC) ? " (MSG_TRUNC: the rest of this message is gone)" : "");
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* An abstract name with our pid in it: no file to clean up, no clash with another run. */
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int len = snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1, "socketlab-seqpacket-%ld", (long)getpid());
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len);

    int lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (lfd < 0) die("socket");
    if (bind(lfd, (struct sockaddr *)&addr, addr_len) < 0) die("bind");
    if (listen(lfd, 1) < 0) die("listen");
    int client = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (client < 0) die("socket");
    if (connect(client, (struct sockaddr *)&addr, addr_len) < 0) die("connect"); /* queued: accept below */
    int server = accept(lfd, NULL, NULL);
    if (server < 0) die("accept");
    close(lfd);

    /* Three messages sent back to back: a stream would hand them over as "helloworld!". */
    send_message(client, "hello");
    send_message(client, "world");
    send_message(client, "!");
    printf("sent \"hello\", \"world\", \"!\"\n");
    for (int i = 0; i < 3; i++) receive_message(server, 64);

    /* A 26-byte message read with 10 bytes of room: the other 16 are discarded. */
    send_message(client, "abcdefghijklmnopqrstuvwxyz");
    send_message(client, "next");
    printf("sent \"abcdefghijklmnopqrstuvwxyz\", \"next\"\n");
    receive_message(server, 10);
    receive_message(server, 64);

    /* An empty message is a real message, but recv() returns 0 for it as it does at EOF. */
    send_message(client, "");
    printf("sent \"\" (0 bytes)\n");
    receive_message(server, 64);
    close(client);
    printf("client closed\n");
    receive_message(server, 64);
    close(server);
    return 0;
}
