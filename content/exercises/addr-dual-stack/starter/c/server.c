/*
 * addr-dual-stack starter: a "who am I" server on 127.0.0.1:PORT.
 *
 * It answers every line with "you are <ip> port <port> over IPv4", but only IPv4 clients reach
 * it, and one at a time. Make it listen for IPv4 and IPv6 clients on one socket ([::] with
 * IPV6_V6ONLY 0), name each client by the address it really has, and serve many at once.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -pthread -o server server.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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
    int lfd = socket(AF_INET, SOCK_STREAM, 0); /* TODO: IPv4 only */
    if (lfd < 0) { perror("socket"); return 1; }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    if (listen(lfd, 64) < 0) { perror("listen"); return 1; }
    printf("listening on 127.0.0.1:%s\n", argv[1]);
    fflush(stdout);
    for (;;) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        int fd = accept(lfd, (struct sockaddr *)&peer, &plen);
        if (fd < 0) continue;
        char answer[128];
        int n = snprintf(answer, sizeof answer, "you are %s port %u over IPv4\n", inet_ntoa(peer.sin_addr), ntohs(peer.sin_port));
        char buf[1024];
        /* TODO: one client at a time, and one read() is taken for one line. */
        while (read(fd, buf, sizeof buf) > 0) {
            if (write(fd, answer, (size_t)n) < 0) break;
        }
        close(fd);
    }
}
