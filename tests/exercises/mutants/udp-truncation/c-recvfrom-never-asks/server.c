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
        struct { socklen_t msg_namelen; } msg = { sizeof peer };
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &msg.msg_namelen); /* the mistake: nothing says a datagram was cut */
        if (n < 0) { perror("recvmsg"); continue; }
        char reply[64];
        int len = snprintf(reply, sizeof reply, "%zd bytes%s", n, (n > (ssize_t)sizeof buf) ? ", truncated" : "");
        if (sendto(fd, reply, (size_t)len, 0, (struct sockaddr *)&peer, msg.msg_namelen) < 0) perror("sendto");
    }
}
