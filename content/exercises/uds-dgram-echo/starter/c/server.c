/*
 * uds-dgram-echo starter: a Unix datagram server on SOCKET that answers each datagram with
 * "echo: " and its text, sent back to the sender's address.
 * TODO: remove a file left at the path before bind(); answer each sender (recvfrom() fills in its
 * address); skip senders that have no address; never stop on an empty datagram.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o server server.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
        return 2;
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "%s: path too long\n", argv[1]);
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind"); return 1; }
    printf("listening on %s\n", argv[1]);
    fflush(stdout);
    char buf[1024];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        printf("got %zd bytes\n", n);
        fflush(stdout);
    }
    return 0;
}
