/*
 * Datagram truncation, seen from both sides of one UDP socket.
 *
 * Shows: a datagram larger than the buffer you give recvmsg() is cut to fit, and the rest is
 * thrown away (it is NOT kept for the next read: each read returns one whole datagram). The
 * kernel says so with MSG_TRUNC in msg_flags. On Linux, passing MSG_TRUNC as a flag to recv()
 * makes it return the datagram's real length even when the buffer is smaller.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o truncate truncate.c
 * Run:   ./truncate
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER_SIZE 1500 /* about one Ethernet frame's worth of payload */

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in self = {.sin_family = AF_INET, .sin_port = 0};
    self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&self, sizeof self) < 0) die("bind"); /* port 0: any free port */
    socklen_t len = sizeof self;
    if (getsockname(fd, (struct sockaddr *)&self, &len) < 0) die("getsockname");

    static char out[3000], in[BUFFER_SIZE];
    memset(out, 'x', sizeof out);
    const size_t sizes[] = {10, 1000, 3000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        /* Send the datagram to ourselves, twice: once for each way of reading it. */
        for (int copy = 0; copy < 2; copy++) {
            if (sendto(fd, out, sizes[i], 0, (struct sockaddr *)&self, sizeof self) != (ssize_t)sizes[i]) die("sendto");
        }

        struct iovec iov = {.iov_base = in, .iov_len = sizeof in};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t got = recvmsg(fd, &msg, 0);
        if (got < 0) die("recvmsg");
        printf("sent %zu bytes, received %zd, truncated: %s\n", sizes[i], got, (msg.msg_flags & MSG_TRUNC) ? "yes" : "no");

        ssize_t real = recv(fd, in, sizeof in, MSG_TRUNC);
        if (real < 0) die("recv");
        printf("  recv(..., MSG_TRUNC) reports the real length: %zd\n", real);
    }
    close(fd);
    return 0;
}
