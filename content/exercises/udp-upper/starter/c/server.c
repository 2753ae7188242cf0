/*
 * udp-upper starter: a UDP server on 127.0.0.1:PORT that answers each datagram, in capitals, to
 * whoever sent it. This one receives and prints, but never answers: use the address recvfrom()
 * fills in. Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
    char buf[128];
    for (;;) {
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, NULL, NULL); /* TODO: who sent it? */
        if (n <= 0) break; /* TODO: is an empty datagram really the end? */
        printf("got %zd bytes\n", n);
        fflush(stdout);
        /* TODO: uppercase the bytes and send them back with sendto() */
    }
    return 0;
}
