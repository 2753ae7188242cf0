/*
 * udp-truncation, mutant: receives into a 1500-byte buffer and tells the sender how
 * many bytes it kept, and whether the datagram was cut (MSG_TRUNC in recvmsg's flags).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    printf("listening on udp 127.0.0.1:%s\n", argv[1]);
    fflush(stdout);
    char buf[1500];
    for (;;) {
        struct sockaddr_in peer;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
        struct msghdr msg = { .msg_name = &peer, .msg_namelen = sizeof peer, .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n = recvmsg(fd, &msg, 0);
        if (n < 0) { perror("recvmsg"); continue; }
        char reply[64];
        int len = snprintf(reply, sizeof reply, "%zd bytes%s", n, (msg.msg_flags & MSG_TRUNC) ? ", truncated" : "");
        (void)len;
        if (sendto(fd, reply, sizeof reply, 0, /* the mistake: the buffer's size, not the text's */ (struct sockaddr *)&peer, msg.msg_namelen) < 0) perror("sendto");
    }
}
